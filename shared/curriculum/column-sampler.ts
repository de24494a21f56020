import { type VerlRow, verlColumnsFor } from '../formats/verl-row.ts';
import type { ColumnSpec } from '../io/columns.ts';

/** Most distinct row shapes kept as samples; datasets rarely have more than a handful. */
const MAX_SHAPES = 256;

function typeTag(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'int' : 'double';
  return typeof value;
}

function shapeOf(row: VerlRow): string {
  const top = Object.entries(row).map(([k, v]) => `${k}:${typeTag(v)}`);
  const extra = Object.entries(row.extra_info ?? {}).map(([k, v]) => `${k}:${typeTag(v)}`);
  return `${top.join(',')}|${extra.join(',')}`;
}

/**
 * Keeps one row per distinct shape (keys and value types, at the top and in `extra_info`) so every stage
 * file can share one Parquet schema covering the whole dataset, not only its own first rows.
 */
export class ColumnSampler {
  private readonly samples = new Map<string, VerlRow>();

  add(row: VerlRow): void {
    if (this.samples.size >= MAX_SHAPES) return;
    const shape = shapeOf(row);
    if (!this.samples.has(shape)) this.samples.set(shape, row);
  }

  columns(): ColumnSpec[] {
    return verlColumnsFor([...this.samples.values()]);
  }
}
