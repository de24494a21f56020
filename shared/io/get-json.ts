import type { z } from 'zod';
import type { Storage } from '../storage/types.ts';
import { zodIssues } from './issue.ts';

export type StoredJsonErrorCode = 'NOT_FOUND' | 'INVALID_JSON' | 'INVALID_SHAPE';

/** One problem with the object: a dotted field path (`(root)` for the whole value) and what is wrong. */
export interface JsonIssue {
  path: string;
  message: string;
}

/**
 * A JSON object on storage that is missing, not JSON, or not of the expected shape. The message names the
 * key and, for a wrong shape, the first issue's field (`path`); `issues` lists them all.
 */
export class StoredJsonError extends Error {
  readonly code: StoredJsonErrorCode;
  readonly key: string;
  readonly path: string | undefined;
  readonly issues: readonly JsonIssue[];
  constructor(code: StoredJsonErrorCode, key: string, message: string, issues: readonly JsonIssue[] = []) {
    super(message);
    this.name = 'StoredJsonError';
    this.code = code;
    this.key = key;
    this.path = issues[0]?.path;
    this.issues = issues;
  }
}

/**
 * The object at `key`, parsed and validated by `schema`. Every failure is a StoredJsonError: NOT_FOUND,
 * INVALID_JSON or INVALID_SHAPE. Errors of the storage itself (unreachable, denied) pass through as they are.
 */
export async function getJson<S extends z.ZodType>(
  storage: Storage,
  key: string,
  schema: S,
): Promise<z.output<S>> {
  const found = await findJson(storage, key, schema);
  if (found === undefined) throw new StoredJsonError('NOT_FOUND', key, `${key} not found`);
  return found;
}

/** As getJson, but a key that does not exist is `undefined` rather than an error. */
export async function findJson<S extends z.ZodType>(
  storage: Storage,
  key: string,
  schema: S,
): Promise<z.output<S> | undefined> {
  const text = await storage.getText(key);
  if (text === undefined) return undefined;
  return parseStoredJson(key, text, schema);
}

/** Parses and validates text read from `key` (for callers that read the text themselves). */
export function parseStoredJson<S extends z.ZodType>(key: string, text: string, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const message = `${key} is not JSON (${(err as Error).message})`;
    throw new StoredJsonError('INVALID_JSON', key, message, [{ path: '(root)', message }]);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error);
  const first = issues[0] as JsonIssue;
  throw new StoredJsonError('INVALID_SHAPE', key, `${key}: ${first.path}: ${first.message}`, issues);
}
