import { EXIT, run } from './state.ts';
import { utf8Length, utf8Prefix } from './utf8.ts';

/**
 * stdout and stderr, collected inside the isolate and copied out once the run ends. The byte cap is
 * enforced here, on every write: the write that crosses it keeps what fits, ends the run and unwinds.
 */
const chunks = { 1: [] as string[], 2: [] as string[] };
let usedBytes = 0;
// Captured before the program runs, which may replace Array.prototype.push or join.
const { apply } = Reflect;
const { push, join } = Array.prototype;

export function write(fd: 1 | 2, text: string): void {
  if (run.ended || text.length === 0) return;
  const room = run.maxOutputBytes - usedBytes;
  const bytes = utf8Length(text, room + 1);
  if (bytes > room) {
    apply(push, chunks[fd], [utf8Prefix(text, room)]);
    usedBytes = run.maxOutputBytes;
    run.outputLimitHit = true;
    run.ended = true;
    run.exitCode = 1;
    throw EXIT;
  }
  apply(push, chunks[fd], [text]);
  usedBytes += bytes;
}

/** Appends `text` to stderr even after the program ended (the runtime's own crash report). */
export function writeReport(text: string): void {
  const room = run.maxOutputBytes - usedBytes;
  if (room <= 0) return;
  const kept = utf8Prefix(text, room);
  apply(push, chunks[2], [kept]);
  usedBytes += utf8Length(kept);
}

export function collected(fd: 1 | 2): string {
  const all = apply(join, chunks[fd], ['']) as string;
  chunks[fd] = [all];
  return all;
}
