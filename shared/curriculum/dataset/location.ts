import { isS3Url, type OpenStorageOptions, openObject } from '../../storage/index.ts';
import { LocalStorage } from '../../storage/local.ts';
import type { Storage } from '../../storage/types.ts';

/**
 * Where a dataset file is: a local path, an `s3://` or `file://` URL, an `http(s)://` URL (read only),
 * or an object in an already opened storage.
 */
export type DatasetLocation = string | { storage: Storage; key: string };

export type ResolvedLocation =
  | { kind: 'local'; path: string; label: string }
  | { kind: 'storage'; storage: Storage; key: string; label: string }
  | { kind: 'http'; url: string; label: string };

export function resolveLocation(
  location: DatasetLocation,
  options: OpenStorageOptions = {},
): ResolvedLocation {
  if (typeof location !== 'string') {
    const { storage, key } = location;
    if (storage instanceof LocalStorage) return { kind: 'local', path: storage.pathOf(key), label: key };
    return { kind: 'storage', storage, key, label: `${storage.url}/${key}` };
  }
  if (/^https?:\/\//i.test(location)) return { kind: 'http', url: location, label: location };
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

export type DatasetFormat = 'jsonl' | 'parquet';

/** `.parquet` (any case) is Parquet; everything else (`.jsonl`, `.json`, `.ndjson`, ...) is JSONL. */
export function formatOf(location: DatasetLocation): DatasetFormat {
  const name = typeof location === 'string' ? location.replace(/[?#].*$/, '') : location.key;
  return name.toLowerCase().endsWith('.parquet') ? 'parquet' : 'jsonl';
}
