import { isS3Url, type OpenStorageOptions, openObject } from '../storage/index.ts';
import { LocalStorage } from '../storage/local.ts';
import type { Storage } from '../storage/types.ts';

/**
 * Where a rows file is: a local path, an `s3://` or `file://` URL, an `http(s)://` URL (read only),
 * or an object in an already opened storage.
 */
export type RowsLocation = string | { storage: Storage; key: string };

export type ResolvedLocation =
  | { kind: 'local'; path: string; label: string }
  | { kind: 'storage'; storage: Storage; key: string; label: string }
  | { kind: 'http'; url: string; label: string };

/** The one place a location becomes a local file, a storage object or an http(s) URL. */
export function resolveLocation(location: RowsLocation, options: OpenStorageOptions = {}): ResolvedLocation {
  if (typeof location !== 'string') {
    const { storage, key } = location;
    if (storage instanceof LocalStorage) return { kind: 'local', path: storage.pathOf(key), label: key };
    return { kind: 'storage', storage, key, label: `${storage.url}/${key}` };
  }
  if (isHttpUrl(location)) return { kind: 'http', url: location, label: location };
  if (isS3Url(location)) {
    const { storage, key } = openObject(location, options);
    return { kind: 'storage', storage, key, label: location };
  }
  if (location.startsWith('file://')) {
    const { storage, key } = openObject(location, options);
    return { kind: 'local', path: (storage as LocalStorage).pathOf(key), label: location };
  }
  return { kind: 'local', path: location, label: location };
}

export function isHttpUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** `json` (a JSON array of rows) is read only; written files are JSONL or Parquet. */
export type RowFormat = 'jsonl' | 'json' | 'parquet';

/**
 * `.parquet` (any case) is Parquet, `.json` a JSON array, everything else (`.jsonl`, `.ndjson`, ...)
 * JSONL. A query or fragment of a URL is ignored.
 */
export function formatOf(location: RowsLocation): RowFormat {
  const name = (typeof location === 'string' ? location.replace(/[?#].*$/, '') : location.key).toLowerCase();
  if (name.endsWith('.parquet')) return 'parquet';
  return name.endsWith('.json') ? 'json' : 'jsonl';
}
