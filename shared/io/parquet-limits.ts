import type { FileMetaData } from 'hyparquet';

/**
 * What a Parquet read may decode, judged from the file's footer before any page is decoded: run-length
 * encoding lets a few bytes claim millions of rows, and a row group is decoded whole.
 */
export interface ParquetLimits {
  /** Rows in one row group (default 1,000,000). */
  maxGroupRows: number;
  /** Estimated decoded size of one row group in bytes (default 1 GiB); see `decodedBytes`. */
  maxGroupBytes: number;
  /** Rows in the whole file (default 100,000,000). */
  maxRows: number;
}

export const DEFAULT_PARQUET_LIMITS: ParquetLimits = {
  maxGroupRows: 1_000_000,
  maxGroupBytes: 1024 ** 3,
  maxRows: 100_000_000,
};

/** Bytes a decoded value costs at least in memory (a slot in an array, a field of a row object). */
const BYTES_PER_VALUE = 16;

/** A file whose footer asks for more than the limits allow; the message names the file and row group. */
export class ParquetLimitError extends Error {
  /** The message without the file name, for errors that add it themselves. */
  readonly detail: string;
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'ParquetLimitError';
    this.detail = detail;
  }
}

/**
 * An upper estimate of what decoding row group `index` holds in memory: its uncompressed bytes (what
 * the footer says, the larger of the group's and its columns' totals) plus a slot per value.
 */
export function decodedBytes(metadata: FileMetaData, index: number): number {
  const group = metadata.row_groups[index];
  if (group === undefined) return 0;
  let columnBytes = 0;
  let values = 0;
  for (const column of group.columns) {
    const meta = column.meta_data;
    columnBytes += Number(meta?.total_uncompressed_size ?? 0);
    values += Math.max(Number(meta?.num_values ?? 0), Number(group.num_rows));
  }
  return Math.max(columnBytes, Number(group.total_byte_size)) + values * BYTES_PER_VALUE;
}

/** Throws a ParquetLimitError when the footer of `file` (a name for messages) asks for too much. */
export function checkParquetLimits(metadata: FileMetaData, file: string, limits: ParquetLimits): void {
  const total = Number(metadata.num_rows);
  let rows = 0;
  for (const [i, group] of metadata.row_groups.entries()) {
    const n = Number(group.num_rows);
    const where = `row group ${i + 1} of ${metadata.row_groups.length}`;
    if (!(n >= 0) || n > limits.maxGroupRows) {
      throw new ParquetLimitError(
        file,
        `${where} claims ${group.num_rows} rows; the limit is ${limits.maxGroupRows} per row group ` +
          '(write the file with smaller row groups)',
      );
    }
    const bytes = decodedBytes(metadata, i);
    if (!(bytes >= 0) || bytes > limits.maxGroupBytes) {
      throw new ParquetLimitError(
        file,
        `${where} would decode to about ${size(bytes)}; the limit is ${size(limits.maxGroupBytes)} ` +
          'per row group (write the file with smaller row groups)',
      );
    }
    rows += n;
  }
  if (Math.max(rows, total) > limits.maxRows || !(total >= 0)) {
    throw new ParquetLimitError(
      file,
      `${Math.max(rows, total)} rows; the limit is ${limits.maxRows} rows per file`,
    );
  }
}

const size = (bytes: number) =>
  bytes < 1024 ** 2 ? `${bytes} bytes` : `${Math.ceil(bytes / 1024 ** 2)} MiB`;
