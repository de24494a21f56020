import { checkKey, checkPrefix } from './keys.ts';
import { StorageError } from './types.ts';

/** Anything that means to be an S3 URL (any case), so a near miss gets the S3 parser's message. */
export function isS3Url(url: string): boolean {
  return /^s3:/i.test(url);
}

/** Bucket names as S3 and its look-alikes accept them: letters, digits, `.`, `-`, `_`; not `.` or `..`. */
const BUCKET = /^[A-Za-z0-9._-]+$/;

function split(url: string): { bucket: string; rest: string } {
  const quoted = JSON.stringify(url);
  if (!url.startsWith('s3://')) {
    const hint = /^s3:\/\//i.test(url) ? ' (write the scheme in lower case: s3://)' : '';
    throw new StorageError('INVALID_URL', `not an s3://bucket[/key] URL: ${quoted}${hint}`);
  }
  const body = url.slice('s3://'.length);
  const cut = body.indexOf('/');
  const bucket = cut < 0 ? body : body.slice(0, cut);
  if (bucket === '') throw new StorageError('INVALID_URL', `no bucket in ${quoted}: use s3://bucket/key`);
  if (!BUCKET.test(bucket) || bucket === '.' || bucket === '..') {
    throw new StorageError('INVALID_URL', `not a bucket name: ${JSON.stringify(bucket)} in ${quoted}`);
  }
  return { bucket, rest: cut < 0 ? '' : body.slice(cut + 1) };
}

/** `s3://bucket/some/prefix` -> `{bucket, prefix: 'some/prefix'}`; the prefix follows the key rules. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const { bucket, rest } = split(url);
  const prefix = rest.replace(/\/+$/, '');
  if (prefix !== '') checkPrefix(prefix);
  return { bucket, prefix };
}

/** `s3://bucket/some/key.jsonl` -> `{bucket, key: 'some/key.jsonl'}`; the key must name an object. */
export function parseS3ObjectUrl(url: string): { bucket: string; key: string } {
  const { bucket, rest } = split(url);
  if (rest === '' || rest.endsWith('/')) {
    throw new StorageError('INVALID_URL', `no object key in ${JSON.stringify(url)}: use s3://bucket/key`);
  }
  return { bucket, key: checkKey(rest) };
}
