import { utf8Decode, utf8Encode } from './utf8.ts';

/**
 * Standard input: the run's whole input, read once by whichever API gets there first, as from a pipe.
 * fs.readFileSync(0) takes what is left; fs.readSync(0, ...) takes bytes; process.stdin (and
 * readline on top of it) delivers what is left as one 'data' chunk after the main script, then 'end'.
 */
let text = '';
let bytes: Uint8Array | null = null;
/** Bytes consumed so far; while 0, the original string is still whole. */
let position = 0;
let done = false;

export function setInput(input: string): void {
  text = input;
}

export function exhausted(): boolean {
  return done;
}

function allBytes(): Uint8Array {
  bytes ??= utf8Encode(text);
  return bytes;
}

/** The rest of the input as text, consuming it. */
export function takeText(): string {
  if (done) return '';
  done = true;
  if (position === 0) return text;
  const b = allBytes();
  const rest = utf8Decode(b, position, b.length);
  position = b.length;
  return rest;
}

/** The rest of the input as bytes, consuming it. */
export function takeBytes(): Uint8Array {
  if (done) return new Uint8Array(0);
  done = true;
  const b = allBytes();
  const rest = b.subarray(position);
  position = b.length;
  return rest;
}

/** fs.readSync(0, buffer, offset, length): copies up to `length` bytes; 0 at the end of input. */
export function readInto(target: Uint8Array, offset: number, length: number): number {
  if (done) return 0;
  const b = allBytes();
  const n = Math.max(0, Math.min(length, target.length - offset, b.length - position));
  target.set(b.subarray(position, position + n), offset);
  position += n;
  if (position >= b.length) done = true;
  return n;
}
