import { z } from '@hono/zod-openapi';

/** A key as quoted in messages: a key may be any JSON string, so a long one is cut. */
export function quoteKey(key: string): string {
  return key.length > 64 ? `'${key.slice(0, 64)}…'` : `'${key}'`;
}

/**
 * A wire object that refuses keys it does not know. The message names the first unknown key only (a body
 * may carry a million) and lists the known ones: "unknown key 'foo' (math options are: timeoutMs, ...)".
 */
export function strictObject<S extends z.core.$ZodLooseShape>(
  shape: S,
  known: string,
  hint = '',
): z.ZodObject<S, z.core.$strict> {
  const list = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key ${quoteKey(issue.keys[0] ?? '')} (${known}: ${list}${hint})`
        : undefined,
  });
}
