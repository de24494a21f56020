/**
 * The public data sets a test file needs (scripts/data-dir.ts finds them). When one is missing, the file
 * prints one line naming it and how to get it, and skips what needs it (`describe.skipIf(!data.has(...))`).
 */
import { findData, missingDataLine } from '../../scripts/data-dir.ts';

export interface NeededData {
  /** Whether every named data set (or the one given) was found. */
  has(rel?: string): boolean;
}

export function needData(suite: string, ...rels: string[]): NeededData {
  const missing = rels.filter((rel) => findData(rel) === undefined);
  if (missing.length > 0) console.warn(`skipped ${suite}: ${missingDataLine(missing)}`);
  return { has: (rel) => (rel === undefined ? missing.length === 0 : !missing.includes(rel)) };
}
