import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RolloutRow } from '../../formats/rollout-row.ts';
import { parseRow } from '../../io/parse-row.ts';
import { readRows } from '../../io/rows.ts';

/** The identity of a sample: which model answered which problem, which sample of it. */
export function sampleKey(model: string, problemId: string, sample: number): string {
  return `${model}\u0000${problemId}\u0000${sample}`;
}

/**
 * Cuts a torn last line (a write interrupted by a kill) off the file, so appends start on a fresh line.
 * Returns how many bytes were dropped.
 */
export async function dropTornTail(path: string): Promise<number> {
  const size = (await stat(path)).size;
  if (size === 0) return 0;
  const handle = await open(path, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const lastNewline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (lastNewline >= 0) {
        const keep = start + lastNewline + 1;
        if (keep < size) await truncate(path, keep);
        return size - keep;
      }
      end = start;
    }
  } finally {
    await handle.close();
  }
  await truncate(path, 0);
  return size;
}

/**
 * Streams the rows of a journal (or rollouts JSONL) file; a line that is not a rollout row is a RowError
 * naming the file, line and field.
 */
export async function* readRolloutRows(path: string): AsyncGenerator<RolloutRow> {
  const reader = readRows(path, { format: 'jsonl' });
  for await (const { value, row } of reader.records)
    yield parseRow(RolloutRow, value, { file: reader.file, row });
}

export interface Journal {
  /** Keys (sampleKey) of the samples already finished, from earlier runs and this one. */
  readonly done: Set<string>;
  /** Appends one finished sample and hands it to the OS before returning, so a kill cannot lose it. */
  append(row: RolloutRow): void;
  close(): void;
}

export interface JournalOptions {
  /** fsync after every line (survives power loss, not only a kill; slower). Default false. */
  fsync?: boolean;
}

/** Opens (or creates) a journal, dropping a torn last line and collecting what is already done. */
export async function openJournal(path: string, options: JournalOptions = {}): Promise<Journal> {
  await mkdir(dirname(path), { recursive: true });
  const fd = openSync(path, 'a');
  closeSync(fd);
  await dropTornTail(path);
  const done = new Set<string>();
  for await (const row of readRolloutRows(path)) done.add(sampleKey(row.model, row.problem_id, row.sample));
  const out = openSync(path, 'a');
  let closed = false;
  return {
    done,
    append(row) {
      if (closed) throw new Error(`${path}: append after close`);
      writeSync(out, `${JSON.stringify(row)}\n`);
      if (options.fsync) fsyncSync(out);
      done.add(sampleKey(row.model, row.problem_id, row.sample));
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(out);
    },
  };
}
