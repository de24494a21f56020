import { inspect } from './inspect.ts';
import { writeReport } from './output.ts';
import { withoutRuntimeFrames } from './stack.ts';
import { EXIT, isExit, run } from './state.ts';

/**
 * How a run ends: process.exit, the event loop running dry, or an uncaught error, with the 'exit' and
 * 'uncaughtException' events of the process object when the program has built it (process.ts).
 */

interface ProcessEvents {
  exitCode: unknown;
  emit(event: string, ...args: unknown[]): boolean;
  listenerCount(event: string): number;
}

/** Set by process.ts when the program first touches `process`. */
export const hooks: { process?: ProcessEvents } = {};

let exitEmitted = false;

/** Emits 'exit' once, with the final code; output written by the listeners is kept. */
function emitExit(): void {
  if (exitEmitted || !hooks.process) return;
  exitEmitted = true;
  const wasEnded = run.ended;
  run.ended = false;
  try {
    hooks.process.emit('exit', run.exitCode);
  } catch (err) {
    if (!isExit(err)) report(err);
  }
  run.ended = wasEnded || run.ended;
}

function exitCodeOf(code: unknown): number {
  const n = Number(code ?? 0);
  return Number.isInteger(n) ? n & 0xff : 1;
}

export function exit(code: unknown): never {
  if (!run.ended) {
    run.exitCode = exitCodeOf(code);
    emitExit();
    run.ended = true;
  }
  throw EXIT;
}

/** The event loop ran dry: the program ends with process.exitCode, as Node does. */
export function endNormally(): void {
  if (run.ended) return;
  run.exitCode = exitCodeOf(hooks.process?.exitCode);
  emitExit();
  run.ended = true;
}

function report(err: unknown): void {
  // The isolate's allocator refused an ArrayBuffer: that is the memory limit, not a program bug.
  if (err instanceof RangeError && err.message === 'Array buffer allocation failed')
    run.memoryLimitHit = true;
  const text =
    err instanceof Error && typeof err.stack === 'string'
      ? withoutRuntimeFrames(err.stack)
      : `Uncaught ${inspect(err)}`;
  writeReport(`${text}\n`);
  run.ended = true;
  run.crashed = true;
  run.exitCode = 1;
}

/** An unhandled rejection the host saw end a task: reported as Node does, exit code 1. */
export function fatal(text: string): void {
  if (run.ended) return;
  writeReport(text);
  run.ended = true;
  run.crashed = true;
  run.exitCode = 1;
  emitExit();
}

/**
 * An exception escaped the program (main script or a callback): the 'uncaughtException' listeners
 * get it, or the run ends with it printed to stderr and exit code 1, as Node does.
 */
export function uncaught(err: unknown): void {
  if (isExit(err) || run.ended) return;
  if (hooks.process && hooks.process.listenerCount('uncaughtException') > 0) {
    try {
      hooks.process.emit('uncaughtException', err, 'uncaughtException');
      return;
    } catch (again) {
      if (isExit(again)) return;
      err = again;
    }
  }
  report(err);
  emitExit();
}
