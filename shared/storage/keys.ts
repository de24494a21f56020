import { StorageError } from './types.ts';

/** Temporary files of in-progress local writes start with this; they are never listed or addressable. */
export const TEMP_PREFIX = '.gradus-tmp-';

/**
 * Checks an object key: relative, `/`-separated, no empty, `.` or `..` segments, no backslashes or NULs.
 * The same rules hold on local disk and S3, so a run copied between them keeps its keys.
 */
export function checkKey(key: string): string {
  const problem = keyProblem(key, false);
  if (problem)
    throw new StorageError('INVALID_KEY', `invalid storage key ${JSON.stringify(key)}: ${problem}`);
  return key;
}

/** Like `checkKey`, but also allows `''` (everything) and a trailing `/` (a folder). */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  const problem = keyProblem(prefix, true);
  if (problem) {
    throw new StorageError('INVALID_KEY', `invalid storage prefix ${JSON.stringify(prefix)}: ${problem}`);
  }
  return prefix;
}

function keyProblem(key: string, isPrefix: boolean): string | undefined {
  if (typeof key !== 'string' || key === '') return 'empty';
  if (key.startsWith('/')) return 'absolute paths are not allowed';
  if (/^[A-Za-z]:/.test(key)) return 'absolute paths are not allowed';
  if (key.includes('\\')) return 'use "/" as the separator, not "\\"';
  if (key.includes('\0')) return 'contains a NUL character';
  const segments = key.split('/');
  if (isPrefix && segments.at(-1) === '') segments.pop();
  for (const segment of segments) {
    if (segment === '') return 'empty path segment ("//" or a trailing "/")';
    if (segment === '.' || segment === '..') return `"${segment}" segments are not allowed`;
    if (segment.startsWith(TEMP_PREFIX)) return `names starting with "${TEMP_PREFIX}" are reserved`;
  }
  return undefined;
}

/** Joins a storage root prefix (possibly empty) and a key with one `/`. */
export function joinKey(root: string, key: string): string {
  if (root === '') return key;
  return root.endsWith('/') ? `${root}${key}` : `${root}/${key}`;
}
