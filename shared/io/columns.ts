// The writer's own copy of hyparquet's types (hyparquet-writer pins its own hyparquet).
import type { SchemaElement } from 'hyparquet-writer';

/**
 * Column types for Parquet files we write. Nested types become real Parquet groups (a struct is a group,
 * a list is the standard three-level LIST), which pyarrow, pandas and so verl read as dicts and lists.
 * `json` is JSON text (Parquet's JSON converted type) for values of no fixed shape: hyparquet reads it
 * back as the value, pyarrow as a string.
 */
export type ColumnType =
  | 'string'
  | 'int'
  | 'double'
  | 'boolean'
  | 'json'
  | { struct: Record<string, ColumnType> }
  | { list: ColumnType };

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** Written for a row that lacks the column or holds null there (by default null is written). */
  missingAs?: unknown;
}

/** A value that does not fit its column: `field` is the dotted path ("extra_info.index", "prompt.0.role"). */
export class ColumnMismatch extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** The Parquet schema (flattened, root first) of the columns; every column and field may be null. */
export function parquetSchema(columns: ColumnSpec[]): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const column of columns) out.push(...elementsOf(column.name, column.type, 'OPTIONAL'));
  return out;
}

function elementsOf(name: string, type: ColumnType, repetition: 'OPTIONAL' | 'REQUIRED'): SchemaElement[] {
  const repetition_type = repetition;
  if (type === 'string') return [{ name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8' }];
  if (type === 'json') return [{ name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'JSON' }];
  if (type === 'int') return [{ name, repetition_type, type: 'INT64' }];
  if (type === 'double') return [{ name, repetition_type, type: 'DOUBLE' }];
  if (type === 'boolean') return [{ name, repetition_type, type: 'BOOLEAN' }];
  if ('struct' in type) {
    const fields = Object.entries(type.struct);
    if (fields.length === 0)
      throw new Error(`struct column ${name} has no fields; Parquet needs at least one`);
    return [
      { name, repetition_type, num_children: fields.length },
      ...fields.flatMap(([field, fieldType]) => elementsOf(field, fieldType, 'OPTIONAL')),
    ];
  }
  return [
    { name, repetition_type, converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    ...elementsOf('element', type.list, 'OPTIONAL'),
  ];
}

/** Checks a value against its column type and converts it to what the Parquet writer takes. */
export function toParquetValue(value: unknown, type: ColumnType, field: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'string') {
    if (typeof value !== 'string')
      throw new ColumnMismatch(field, `expected a string, got ${describe(value)}`);
    return value;
  }
  if (type === 'json') return value; // the writer encodes JSON-typed columns itself
  if (type === 'int') {
    if (typeof value === 'bigint') return value;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new ColumnMismatch(field, `expected an integer, got ${describe(value)}`);
    }
    return BigInt(value);
  }
  if (type === 'double') {
    if (typeof value !== 'number')
      throw new ColumnMismatch(field, `expected a number, got ${describe(value)}`);
    return value;
  }
  if (type === 'boolean') {
    if (typeof value !== 'boolean')
      throw new ColumnMismatch(field, `expected true or false, got ${describe(value)}`);
    return value;
  }
  if ('struct' in type) {
    if (!isPlainObject(value)) throw new ColumnMismatch(field, `expected an object, got ${describe(value)}`);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (!(key in type.struct)) {
        throw new ColumnMismatch(
          `${field}.${key}`,
          'not a column of this file (columns are fixed by the first row group or given explicitly)',
        );
      }
    }
    for (const [key, fieldType] of Object.entries(type.struct)) {
      out[key] = toParquetValue(value[key], fieldType, `${field}.${key}`);
    }
    return out;
  }
  if (!Array.isArray(value)) throw new ColumnMismatch(field, `expected a list, got ${describe(value)}`);
  return value.map((element, i) => toParquetValue(element, type.list, `${field}.${i}`));
}

/** Infers column types from sample rows: the union of their keys, each typed by its non-null values. */
export function inferColumns(rows: readonly unknown[]): ColumnSpec[] {
  const samples = new Map<string, unknown[]>();
  for (const row of rows) {
    if (!isPlainObject(row)) continue;
    for (const [key, value] of Object.entries(row)) {
      const list = samples.get(key) ?? [];
      list.push(value);
      samples.set(key, list);
    }
  }
  return [...samples].map(([name, values]) => ({ name, type: inferType(values) }));
}

function inferType(values: readonly unknown[]): ColumnType {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return 'string';
  if (present.every((v) => typeof v === 'string')) return 'string';
  if (present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.every((v) => typeof v === 'number' || typeof v === 'bigint')) {
    return present.every((v) => typeof v === 'bigint' || Number.isSafeInteger(v)) ? 'int' : 'double';
  }
  if (present.every(isPlainObject)) {
    const fields = inferColumns(present);
    if (fields.length === 0) return 'json';
    return { struct: Object.fromEntries(fields.map((f) => [f.name, f.type])) };
  }
  if (present.every(Array.isArray)) {
    const elements = (present as unknown[][]).flat();
    return { list: inferType(elements) };
  }
  return 'json';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}...` : text}`;
}
