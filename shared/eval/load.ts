import { RowError } from '../io/row-error.ts';
import { type RowLimits, readRows } from '../io/rows.ts';
import { isS3Url } from '../storage/index.ts';
import { urlAllowed } from './access.ts';
import { LoadError } from './errors.ts';

export { LoadError };

/** How a source may be read; the CLI gives none of it, the API server all of it. */
export interface SourceOptions {
  /** Allow-list for http(s) and s3 sources and the targets of redirects (see access.ts); absent: any. */
  allowed?: readonly string[];
  /** Largest file read, in bytes (default 2 GiB). */
  maxBytes?: number;
  /** Lower the row limits (every row is held, so at most 2,000,000 rows by default). */
  limits?: Partial<RowLimits>;
}

export const DEFAULT_MAX_SOURCE_BYTES = 2 * 1024 ** 3;
const WHOLE_FILE_MAX_ROWS = 2_000_000;
/** An http(s) source is downloaded within this time, redirects and body included. */
const SOURCE_TIMEOUT_MS = 120_000;

/**
 * Every row of a JSONL, JSON (an array) or Parquet file (by the name's extension, JSONL otherwise) from a
 * local path, `file://`, `s3://` or `http(s)://`, read through the one row reader (shared/io/rows.ts).
 * Each row must be an object; any failure is a LoadError naming the file and row.
 */
export async function loadRows(
  source: string,
  options: SourceOptions = {},
): Promise<Record<string, unknown>[]> {
  const { allowed } = options;
  if (allowed && isS3Url(source) && !urlAllowed(source, allowed)) {
    throw new LoadError(`${source}: not an allowed source on this server`);
  }
  const reader = readRows(source, {
    allowed: allowed && ((url) => urlAllowed(url, allowed)),
    timeoutMs: SOURCE_TIMEOUT_MS,
    limits: {
      maxBytes: options.maxBytes ?? DEFAULT_MAX_SOURCE_BYTES,
      maxRows: WHOLE_FILE_MAX_ROWS,
      ...options.limits,
    },
  });
  const rows: Record<string, unknown>[] = [];
  try {
    for await (const { value, row } of reader.records) {
      if (!isRecord(value)) throw new LoadError(`${reader.file} row ${row}: expected a JSON object`);
      rows.push(value);
    }
  } catch (err) {
    if (err instanceof RowError) throw new LoadError(err.message);
    throw err;
  }
  return rows;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
