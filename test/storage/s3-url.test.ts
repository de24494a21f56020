import { describe, expect, it } from 'vitest';
import { openObject, parseS3ObjectUrl, parseS3Url, StorageError } from '../../shared/storage/index.ts';

/** The StorageError a call throws (its code says "the caller's URL", which routes answer with a 4xx). */
function storageError(call: () => unknown): StorageError {
  try {
    call();
  } catch (err) {
    if (err instanceof StorageError) return err;
    throw new Error(`expected a StorageError, got ${String(err)}`);
  }
  throw new Error('expected a StorageError, got none');
}

describe('one s3:// URL parser', () => {
  it('splits object URLs into bucket and key', () => {
    expect(parseS3ObjectUrl('s3://b/data/aime24.jsonl')).toEqual({ bucket: 'b', key: 'data/aime24.jsonl' });
    expect(parseS3ObjectUrl('s3://my-bucket.x_1/k')).toEqual({ bucket: 'my-bucket.x_1', key: 'k' });
  });

  it.each([
    ['S3://b/x.jsonl', /lower case: s3:\/\//],
    ['s3:b/x.jsonl', /not an s3:\/\/bucket/],
    ['s3:///x.jsonl', /no bucket/],
    ['s3://', /no bucket/],
    ['s3://b', /no object key/],
    ['s3://b/', /no object key/],
    ['s3://b/dir/', /no object key/],
    ['s3://b/../x', /"\.\." segments/],
    ['s3://b/a/./x', /"\." segments/],
    ['s3://b/a//x', /empty path segment/],
    ['s3://../x', /not a bucket name/],
    ['s3://b?x/y', /not a bucket name/],
    ['s3://b/a\\x', /separator/],
  ])('%s is refused with a clear INVALID_URL or INVALID_KEY error', (url, message) => {
    const err = storageError(() => parseS3ObjectUrl(url));
    expect(['INVALID_URL', 'INVALID_KEY']).toContain(err.code);
    expect(err.message).toMatch(message);
  });

  it('openObject uses the same parser: a bad s3:// URL is a StorageError, never a local path', () => {
    expect(storageError(() => openObject('S3://b/x.jsonl')).code).toBe('INVALID_URL');
    expect(storageError(() => openObject('s3://b/../x')).code).toBe('INVALID_KEY');
    expect(storageError(() => openObject('s3:///x')).code).toBe('INVALID_URL');
    const { storage, key } = openObject('s3://b/runs/x.parquet', { s3: { region: 'us-east-1' } });
    expect([storage.url, key]).toEqual(['s3://b/runs', 'x.parquet']);
  });

  it('prefix URLs follow the same rules', () => {
    expect(parseS3Url('s3://b/runs/x/')).toEqual({ bucket: 'b', prefix: 'runs/x' });
    expect(storageError(() => parseS3Url('S3://b/runs')).message).toMatch(/lower case/);
    expect(storageError(() => parseS3Url('s3://b/runs/../x')).code).toBe('INVALID_KEY');
  });
});
