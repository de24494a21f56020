/**
 * The committed verdict snapshots of `npm run check:verdicts`: one JSON array per line,
 * `[key, status, correct, extracted]`, keyed by data file and item, in the order the items are scored,
 * so a change is one changed line in a diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** One item's verdict as snapshotted: never the response, only what a change in grading would move. */
export interface VerdictLine {
  key: string;
  status: string;
  correct: boolean;
  /** Math: the answer taken from the response. Code: tests passed / tests run. */
  extracted: string | null;
}

export const SNAPSHOT_DIR = new URL('../../test/fixtures/verdicts/', import.meta.url);

export const snapshotFile = (part: 'math' | 'code') => new URL(`${part}.jsonl`, SNAPSHOT_DIR);

export function readSnapshot(file: URL): VerdictLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [key, status, correct, extracted] = JSON.parse(line) as [string, string, boolean, string | null];
      return { key, status, correct, extracted };
    });
}

export function writeSnapshot(file: URL, lines: VerdictLine[]): void {
  const text = lines.map((l) => JSON.stringify([l.key, l.status, l.correct, l.extracted]));
  writeFileSync(file, `${text.join('\n')}\n`);
}

const show = (l: VerdictLine | undefined) =>
  l === undefined ? '(absent)' : `${l.status} ${l.correct} ${JSON.stringify(l.extracted)}`;

/** Every item whose verdict differs from the snapshot, or that is new or gone: `key: old → new`. */
export function drift(snapshot: VerdictLine[], current: VerdictLine[]): string[] {
  const before = new Map(snapshot.map((l) => [l.key, l]));
  const now = new Map(current.map((l) => [l.key, l]));
  const changes: string[] = [];
  for (const l of current) {
    const old = before.get(l.key);
    if (old && old.status === l.status && old.correct === l.correct && old.extracted === l.extracted)
      continue;
    changes.push(`${l.key}: ${show(old)} → ${show(l)}`);
  }
  for (const l of snapshot) if (!now.has(l.key)) changes.push(`${l.key}: ${show(l)} → ${show(undefined)}`);
  return changes;
}
