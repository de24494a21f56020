import type { z } from '@hono/zod-openapi';
import { type ErrorBody, type ErrorCode, MAX_ITEMS, type RewardError } from './schema.ts';

export function rewardError(code: ErrorCode, message: string, path?: string): RewardError {
  return path === undefined ? { code, message } : { code, message, path };
}

export function errorBody(code: ErrorCode, message: string, path?: string): ErrorBody {
  return { error: rewardError(code, message, path) };
}

/** Dotted path of a zod issue ("items.3.response"), or undefined at the root. */
export function issuePath(path: readonly PropertyKey[]): string | undefined {
  return path.length === 0 ? undefined : path.map(String).join('.');
}

/**
 * The one error a failed parse is reported as: TOO_MANY_ITEMS when `items` is over MAX_ITEMS
 * (looked for first, since element issues may come before it), else the first issue as VALIDATION_ERROR.
 */
export function validationError(error: z.ZodError): RewardError {
  const tooMany = error.issues.find(
    (issue) => issue.code === 'too_big' && issue.path.length === 1 && issue.path[0] === 'items',
  );
  if (tooMany !== undefined) {
    return rewardError('TOO_MANY_ITEMS', `a request may carry at most ${MAX_ITEMS} items`, 'items');
  }
  const first = error.issues[0];
  if (first === undefined) return rewardError('VALIDATION_ERROR', 'invalid input');
  const path = issuePath(first.path);
  const where = path === undefined ? '' : `${path}: `;
  return rewardError('VALIDATION_ERROR', `${where}${first.message}`, path);
}
