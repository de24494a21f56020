import { createHash, randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { OpenStorageOptions } from '../storage/index.ts';
import { ColumnMismatch, type ColumnSpec, inferColumns, parquetSchema, toParquetValue } from './columns.ts';
import { formatOf, type RowsLocation, resolveLocation } from './location.ts';
import { RowError } from './row-error.ts';

export interface WriteRowsOptions extends OpenStorageOptions {
  /** Overrides the format the file name implies (`.parquet`: Parquet, anything else JSONL). */
  format?: 'jsonl' | 'parquet';
  /** Parquet columns; by default inferred from the first row group's rows. */
  columns?: ColumnSpec[];
  /** Parquet: most rows per row group (default 10,000). */
  rowGroupRows?: number;
  /** Parquet: a row group is closed once its values reach about this many bytes (default 64 MiB). */
  rowGroupBytes?: number;
}

/** What was written: the manifest's `rows`, `bytes` and `sha256` for the file. */
export interface WrittenFile {
  rows: number;
  bytes: number;
  sha256: string;
}

/**
 * The one row writer. Writes records to a JSONL or Parquet file as they arrive, holding at most one Parquet row group in
 * memory. The file appears atomically: it is written to a temporary file and then renamed into place, or
 * uploaded (multipart when large) when the location is in storage. Nothing is written over on failure.
 */
export async function writeRows(
  location: RowsLocation,
  records: AsyncIterable<unknown> | Iterable<unknown>,
  options: WriteRowsOptions = {},
): Promise<WrittenFile> {
  const target = resolveLocation(location, options);
  if (target.kind === 'http') throw new RowError('cannot write to an http(s) URL', { file: target.label });
  const format = options.format ?? (formatOf(location) === 'parquet' ? 'parquet' : 'jsonl');
  const localTarget = target.kind === 'local' ? resolve(target.path) : undefined;
  const temp = localTarget
    ? join(dirname(localTarget), `.gradus-tmp-${randomBytes(6).toString('hex')}`)
    : join(tmpdir(), `gradus-upload-${randomBytes(6).toString('hex')}`);
  await mkdir(dirname(temp), { recursive: true });
  const sink = await HashingFile.create(temp);
  try {
    const rows =
      format === 'parquet'
        ? await writeParquet(sink, records, options, target.label)
        : await writeJsonl(sink, records, target.label);
    const { bytes, sha256 } = await sink.close();
    if (localTarget) await rename(temp, localTarget);
    else if (target.kind === 'storage') await target.storage.uploadFile(target.key, temp);
    return { rows, bytes, sha256 };
  } finally {
    await sink.close().catch(() => {});
    await rm(temp, { force: true });
  }
}

/** A file being written, hashed on the way. */
class HashingFile {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private closed: Promise<{ bytes: number; sha256: string }> | undefined;
  private readonly handle: FileHandle;
  private constructor(handle: FileHandle) {
    this.handle = handle;
  }

  static async create(path: string): Promise<HashingFile> {
    return new HashingFile(await open(path, 'wx'));
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    let written = 0;
    while (written < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, written, chunk.length - written);
      written += bytesWritten;
    }
  }

  close(): Promise<{ bytes: number; sha256: string }> {
    this.closed ??= this.handle.close().then(() => ({ bytes: this.bytes, sha256: this.hash.digest('hex') }));
    return this.closed;
  }
}

const JSONL_FLUSH_BYTES = 1 << 20;

async function writeJsonl(
  sink: HashingFile,
  records: AsyncIterable<unknown> | Iterable<unknown>,
  file: string,
) {
  let rows = 0;
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    await sink.write(Buffer.from(pending.join('')));
    pending = [];
    pendingBytes = 0;
  };
  for await (const record of records) {
    rows++;
    const line = JSON.stringify(record);
    if (line === undefined) throw new RowError('not representable as JSON', { file, row: rows });
    pending.push(line, '\n');
    pendingBytes += line.length + 1;
    if (pendingBytes >= JSONL_FLUSH_BYTES) await flush();
  }
  if (pending.length > 0) await flush();
  return rows;
}

async function writeParquet(
  sink: HashingFile,
  records: AsyncIterable<unknown> | Iterable<unknown>,
  options: WriteRowsOptions,
  file: string,
): Promise<number> {
  const maxRows = options.rowGroupRows ?? 10_000;
  const maxBytes = options.rowGroupBytes ?? 64 * 1024 * 1024;
  // ParquetWriter calls flush() after each row group and awaits it before the next one.
  const writer: ByteWriter & { flush?: () => Promise<void> } = new ByteWriter();
  writer.flush = async () => {
    const chunk = new Uint8Array(writer.buffer, 0, writer.index).slice();
    writer.index = 0;
    await sink.write(chunk);
  };
  writer.finish = writer.flush;
  let parquet: ParquetWriter | undefined;
  let columns = options.columns;
  let group: unknown[] = [];
  let groupBytes = 0;
  let rows = 0;

  const writeGroup = async () => {
    columns ??= inferColumns(group);
    if (columns.length === 0) throw new RowError('no columns: the rows are not objects', { file, row: rows });
    parquet ??= new ParquetWriter({ writer, schema: parquetSchema(columns), createdBy: 'gradus' });
    const firstRow = rows - group.length + 1;
    const columnData = columns.map((column) => ({
      name: column.name,
      data: group.map((record, k) => {
        if (typeof record !== 'object' || record === null || Array.isArray(record)) {
          throw new RowError('expected an object', { file, row: firstRow + k });
        }
        try {
          const value = (record as Record<string, unknown>)[column.name] ?? column.missingAs;
          return toParquetValue(value, column.type, column.name);
        } catch (err) {
          if (!(err instanceof ColumnMismatch)) throw err;
          throw new RowError(err.message, { file, row: firstRow + k, field: err.field });
        }
      }),
    }));
    checkNoExtraColumns(group, columns, firstRow, file);
    await parquet.write({ columnData, rowGroupSize: group.length });
    group = [];
    groupBytes = 0;
  };

  for await (const record of records) {
    rows++;
    group.push(record);
    groupBytes += approximateBytes(record);
    if (group.length >= maxRows || groupBytes >= maxBytes) await writeGroup();
  }
  if (group.length > 0 || rows === 0) {
    if (rows === 0 && !columns)
      throw new RowError('no rows and no columns given: cannot make a Parquet schema', { file });
    if (group.length > 0) await writeGroup();
    else
      parquet ??= new ParquetWriter({
        writer,
        schema: parquetSchema(columns as ColumnSpec[]),
        createdBy: 'gradus',
      });
  }
  await (parquet as ParquetWriter).finish();
  return rows;
}

function checkNoExtraColumns(group: unknown[], columns: ColumnSpec[], firstRow: number, file: string): void {
  const known = new Set(columns.map((c) => c.name));
  group.forEach((record, k) => {
    for (const key of Object.keys(record as object)) {
      if (!known.has(key)) {
        throw new RowError(
          'not a column of this file (columns are fixed by the first row group or given explicitly)',
          {
            file,
            row: firstRow + k,
            field: key,
          },
        );
      }
    }
  });
}

/** A cheap size estimate (string lengths plus a little per value) to bound row groups by bytes. */
function approximateBytes(value: unknown): number {
  if (typeof value === 'string') return value.length + 4;
  if (Array.isArray(value)) return value.reduce<number>((sum, v) => sum + approximateBytes(v), 8);
  if (typeof value === 'object' && value !== null) {
    let sum = 8;
    for (const v of Object.values(value)) sum += approximateBytes(v);
    return sum;
  }
  return 8;
}
