import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LOCAL_ROOT, LocalStorage } from './local.ts';
import { S3Storage, type S3StorageOptions } from './s3.ts';
import { isS3Url, parseS3ObjectUrl } from './s3-url.ts';
import { type Storage, StorageError } from './types.ts';

export { checkKey, checkPrefix } from './keys.ts';
export { DEFAULT_LOCAL_ROOT, LocalStorage } from './local.ts';
export { S3Storage, type S3StorageOptions } from './s3.ts';
export { resolveS3Options, type S3ClientFactory, type S3ConnectionOptions } from './s3-client.ts';
export { isS3Url, parseS3ObjectUrl, parseS3Url } from './s3-url.ts';
export * from './types.ts';

export interface OpenStorageOptions {
  s3?: S3StorageOptions;
}

/**
 * Opens storage by URL: `s3://bucket/prefix`, `file:///abs/dir`, or a plain local path. No URL means the
 * default local folder `./.gradus` (or `GRADUS_STORAGE` when set).
 */
export function openStorage(url?: string, options: OpenStorageOptions = {}): Storage {
  const target = url ?? (process.env.GRADUS_STORAGE || DEFAULT_LOCAL_ROOT);
  if (isS3Url(target)) return new S3Storage(target, options.s3);
  if (target.startsWith('file://')) {
    try {
      return new LocalStorage(fileURLToPath(target));
    } catch (err) {
      throw new StorageError('INVALID_URL', `not a usable file:// URL: ${JSON.stringify(target)}`, {
        cause: err,
      });
    }
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]+:\/\//.test(target)) {
    throw new StorageError(
      'INVALID_URL',
      `unsupported storage URL ${JSON.stringify(target)}: use s3://, file:// or a path`,
    );
  }
  if (target === '') throw new StorageError('INVALID_URL', 'empty storage location');
  return new LocalStorage(resolve(target));
}

/**
 * Splits the URL of one object into the storage holding it and its key:
 * `s3://b/runs/x.parquet` -> (storage `s3://b/runs`, key `x.parquet`); a local path likewise by folder.
 */
export function openObject(url: string, options: OpenStorageOptions = {}): { storage: Storage; key: string } {
  if (isS3Url(url)) {
    const { bucket, key } = parseS3ObjectUrl(url);
    const cut = key.lastIndexOf('/');
    const folder = cut < 0 ? `s3://${bucket}` : `s3://${bucket}/${key.slice(0, cut)}`;
    return { storage: openStorage(folder, options), key: key.slice(cut + 1) };
  }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const cut = path.lastIndexOf('/');
  const folder = cut < 0 ? '.' : cut === 0 ? '/' : path.slice(0, cut);
  const key = path.slice(cut + 1);
  if (key === '')
    throw new StorageError('INVALID_URL', `no object name at the end of ${JSON.stringify(url)}`);
  return { storage: openStorage(folder, options), key };
}
