/**
 * The runtime's own frames, cut from the stacks of the program's uncaught errors: a report shows where
 * the program failed (`at f (/sandbox/main.js:3:9)`), not the emulated event loop that called it.
 * Imported by the runtime and the host; no side effects. Uses builtins captured before any program runs,
 * which may replace String.prototype's methods.
 */

/** The file name the runtime's code has in stack traces (the snapshot script's name). */
export const RUNTIME_FILENAME = 'node:internal/gradus-runtime';

const { apply } = Reflect;
const { indexOf, slice, charCodeAt } = String.prototype;
const RUNTIME_LOCATION = `${RUNTIME_FILENAME}:`;
const isBlank = (c: number) => c === 32 || c === 9;

/** `stack` without the lines that are frames (`    at ...`) in the runtime's code. One pass. */
export function withoutRuntimeFrames(stack: string): string {
  let out = '';
  let kept = 0;
  let start = 0;
  // The next mention of the runtime's file at or after `start`; searched again only once passed.
  let mention = apply(indexOf, stack, [RUNTIME_LOCATION, 0]) as number;
  while (start < stack.length) {
    const newline = apply(indexOf, stack, ['\n', start]) as number;
    const end = newline < 0 ? stack.length : newline;
    const next = newline < 0 ? stack.length : newline + 1;
    if (mention >= 0 && mention < start) mention = apply(indexOf, stack, [RUNTIME_LOCATION, start]) as number;
    let i = start;
    while (i < end && isBlank(apply(charCodeAt, stack, [i]) as number)) i++;
    const runtimeFrame = mention >= 0 && mention < end && apply(slice, stack, [i, i + 3]) === 'at ';
    if (!runtimeFrame) out += (kept++ === 0 ? '' : '\n') + apply(slice, stack, [start, end]);
    start = next;
  }
  return apply(charCodeAt, stack, [stack.length - 1]) === 10 ? `${out}\n` : out;
}
