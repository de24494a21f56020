/** The error of the wire: one code, a message, and where in the body. A leaf, so task routing can name it. */
import { z } from '@hono/zod-openapi';

export const ErrorCode = z.enum([
  'INVALID_JSON',
  'INVALID_ENCODING',
  'VALIDATION_ERROR',
  'UNKNOWN_TASK',
  'TOO_MANY_ITEMS',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'BUSY',
  'UNAVAILABLE',
  'INTERNAL_ERROR',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const RewardError = z
  .object({
    code: ErrorCode,
    message: z.string(),
    path: z.string().optional().openapi({ description: 'Where in the body, e.g. "items.3.response".' }),
  })
  .openapi('RewardError');
export type RewardError = z.infer<typeof RewardError>;

export const ErrorBody = z.object({ error: RewardError }).openapi('ErrorBody');
export type ErrorBody = z.infer<typeof ErrorBody>;
