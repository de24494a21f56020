import type { z } from '@hono/zod-openapi';
import { describeIssue } from './issues.ts';
import { type ErrorBody, type ErrorCode, ErrorCode as ErrorCodes, type RewardError } from './schema.ts';

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
 * The one error a failed parse is reported as: TOO_MANY_ITEMS when `items` is over its maximum (looked for
 * first, since element issues may come before it), else the first issue, as VALIDATION_ERROR or the code
 * a refinement gave it, its message prefixed by its path. Pass the parsed value as `input` so a missing
 * field reads "required".
 */
export function validationError(error: z.ZodError, input?: unknown): RewardError {
  const tooMany = error.issues.find(
    (issue) => issue.code === 'too_big' && issue.path.length === 1 && issue.path[0] === 'items',
  );
  if (tooMany?.code === 'too_big') {
    return rewardError('TOO_MANY_ITEMS', `a request may carry at most ${tooMany.maximum} items`, 'items');
  }
  const first = error.issues[0];
  if (first === undefined) return rewardError('VALIDATION_ERROR', 'invalid input');
  const text = describeIssue(first, input);
  const path = issuePath(text.path);
  const code = ErrorCodes.safeParse(text.code).data ?? 'VALIDATION_ERROR';
  return rewardError(code, `${path === undefined ? '' : `${path}: `}${text.message}`, path);
}
