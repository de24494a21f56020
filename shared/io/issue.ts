import type { z } from 'zod';

/** Every issue of a failed parse (at least one): its field as a dotted path (`(root)` for the value itself). */
export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  const issues = error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(root)',
    message: i.message,
  }));
  return issues.length > 0 ? issues : [{ path: '(root)', message: 'invalid' }];
}

/** The first issue's field (undefined for the value itself) and message, for errors that name one field. */
export function firstIssue(error: z.ZodError): { field: string | undefined; message: string } {
  const issue = error.issues[0];
  return { field: issue?.path.map(String).join('.') || undefined, message: issue?.message ?? 'invalid' };
}
