import { parquetMetadata, parquetReadObjects, toJson } from 'hyparquet';
import {
  checkParquetLimits,
  ParquetLimitError,
  type ParquetLimits,
  parquetLimits,
} from '../curriculum/dataset/parquet-limits.ts';
import { isS3Url, openObject } from '../storage/index.ts';
import { StorageError } from '../storage/types.ts';
import { urlAllowed } from './access.ts';
import { LoadError } from './errors.ts';
import { collect, fetchBounded } from './fetch-source.ts';

export { LoadError };

/** How a source may be read; the CLI gives none of it, the API server all of it. */
export interface SourceOptions {
  /** Allow-list for http(s) and s3 sources and the targets of redirects (see access.ts); absent: any. */
  allowed?: readonly string[];
  /** Largest file read, in bytes (default 2 GiB). */
  maxBytes?: number;
  /** Lower the Parquet limits (the whole file is held, so at most 2,000,000 rows by default). */
  parquetLimits?: Partial<ParquetLimits>;
}

export const DEFAULT_MAX_SOURCE_BYTES = 2 * 1024 ** 3;
const WHOLE_FILE_MAX_ROWS = 2_000_000;

/**
 * The bytes of a file given as a local path, a `file://` URL, an `s3://bucket/key` URL (through storage)
 * or an `http(s)://` URL (fetched), read as a stream and refused once past `maxBytes`.
 */
export async function readSource(source: string, options: SourceOptions = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SOURCE_BYTES;
  const { allowed } = options;
  if (/^https?:\/\//i.test(source)) {
    return fetchBounded(source, { maxBytes, allowed: allowed && ((url) => urlAllowed(url, allowed)) });
  }
  if (allowed && isS3Url(source) && !urlAllowed(source, allowed)) {
    throw new LoadError(`${source}: not an allowed source on this server`);
  }
  try {
    const { storage, key } = openObject(source);
    const info = await storage.head(key);
    if (info === undefined) throw new LoadError(`${source}: no such file`);
    if (info.size > maxBytes) {
      throw new LoadError(
        `${source}: larger than ${maxBytes} bytes, the most this server reads from a source`,
      );
    }
    return await collect(await storage.readStream(key), source, maxBytes);
  } catch (err) {
    if (err instanceof LoadError) throw err;
    if (err instanceof StorageError && err.code === 'NOT_FOUND')
      throw new LoadError(`${source}: no such file`);
    if (err instanceof StorageError && err.code !== 'BACKEND') throw new LoadError(err.message);
    throw err;
  }
}

/** Rows of a JSONL, JSON (an array) or Parquet file, chosen by the name's extension (JSONL otherwise). */
export async function loadRows(
  source: string,
  options: SourceOptions = {},
): Promise<Record<string, unknown>[]> {
  const bytes = await readSource(source, options);
  const name = source.toLowerCase().replace(/[?#].*$/, '');
  if (name.endsWith('.parquet')) {
    return parquetRows(
      source,
      bytes,
      parquetLimits({ maxRows: WHOLE_FILE_MAX_ROWS, ...options.parquetLimits }),
    );
  }
  const text = new TextDecoder().decode(bytes);
  if (name.endsWith('.json')) return jsonArrayRows(source, text);
  return jsonlRows(source, text);
}

function jsonlRows(source: string, text: string): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // The parser's message quotes the text; an API caller must not learn a file's content from it.
      throw new LoadError(`${source} line ${i + 1}: invalid JSON`);
    }
    if (!isRecord(value)) throw new LoadError(`${source} line ${i + 1}: expected a JSON object`);
    rows.push(value);
  }
  return rows;
}

function jsonArrayRows(source: string, text: string): Record<string, unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LoadError(`${source}: invalid JSON`);
  }
  if (!Array.isArray(value)) throw new LoadError(`${source}: expected a JSON array of objects`);
  return value.map((row, i) => {
    if (!isRecord(row)) throw new LoadError(`${source} row ${i + 1}: expected a JSON object`);
    return row;
  });
}

async function parquetRows(
  source: string,
  bytes: Uint8Array,
  limits: ParquetLimits,
): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const metadata = parquetMetadata(file);
    checkParquetLimits(metadata, source, limits);
    const rows = await parquetReadObjects({ file, metadata });
    return rows.map((row) => toJson(row) as Record<string, unknown>);
  } catch (err) {
    if (err instanceof ParquetLimitError) throw new LoadError(err.message);
    throw new LoadError(`${source}: not a readable Parquet file (${(err as Error).message})`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
