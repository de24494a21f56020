import type { z } from 'zod';
import { firstIssue } from './issue.ts';
import { type RecordPlace, RowError } from './row-error.ts';

/** A row validated by `schema`; a RowError names the file, the row and the first wrong field. */
export function parseRow<S extends z.ZodType>(schema: S, value: unknown, place: RecordPlace): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { field, message } = firstIssue(parsed.error);
  throw new RowError(message, { ...place, field });
}
