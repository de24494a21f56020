import { parquetReadObjects, toJson } from 'hyparquet';
import { openObject } from '../storage/index.ts';

import { LoadError } from './errors.ts';

export { LoadError };

/**
 * The bytes of a file given as a local path, a `file://` URL, an `s3://bucket/key` URL (through storage)
 * or an `http(s)://` URL (fetched).
 */
export async function readSource(source: string): Promise<Uint8Array> {
  if (/^https?:\/\//i.test(source)) {
    let res: Response;
    try {
      res = await fetch(source, { redirect: 'follow', signal: AbortSignal.timeout(120_000) });
    } catch (err) {
      throw new LoadError(`${source}: could not fetch (${(err as Error).message})`);
    }
    if (!res.ok) throw new LoadError(`${source}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  const { storage, key } = openObject(source);
  const bytes = await storage.get(key);
  if (bytes === undefined) throw new LoadError(`${source}: no such file`);
  return bytes;
}

/** Rows of a JSONL, JSON (an array) or Parquet file, chosen by the name's extension (JSONL otherwise). */
export async function loadRows(source: string): Promise<Record<string, unknown>[]> {
  const bytes = await readSource(source);
  const name = source.toLowerCase().replace(/[?#].*$/, '');
  if (name.endsWith('.parquet')) return parquetRows(source, bytes);
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

async function parquetRows(source: string, bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const rows = await parquetReadObjects({ file });
    return rows.map((row) => toJson(row) as Record<string, unknown>);
  } catch (err) {
    throw new LoadError(`${source}: not a readable Parquet file (${(err as Error).message})`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
