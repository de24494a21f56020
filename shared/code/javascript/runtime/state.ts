/**
 * State of the one run a context serves, shared by the runtime modules inside the isolate. A context
 * never serves a second run, so nothing here is ever reset.
 */
export const run = {
  /** The program has ended: process.exit, an uncaught error or a limit. Later writes are dropped. */
  ended: false,
  exitCode: 0,
  /** The program ended because of an uncaught error (not process.exit). */
  crashed: false,
  outputLimitHit: false,
  memoryLimitHit: false,
  /** Most bytes of stdout plus stderr kept. */
  maxOutputBytes: 1 << 20,
  /** Memory limit of the isolate in bytes; the guards derive their thresholds from it. */
  memoryBytes: 256 * 1024 * 1024,
  /** The program's `module` object (require.main, process.mainModule). */
  mainModule: undefined as unknown,
};

/**
 * Thrown to unwind the program's stack once it has ended (process.exit, a limit). It is no Error, so a
 * program that catches it learns nothing, and whatever it prints afterwards is dropped.
 */
export const EXIT: object = Object.freeze(Object.create(null));

export function isExit(value: unknown): boolean {
  return value === EXIT;
}

/** Ends the run because a memory guard tripped; see guards.ts. */
export function memoryLimit(): never {
  run.memoryLimitHit = true;
  run.ended = true;
  run.exitCode = 1;
  throw EXIT;
}
