/**
 * What the host and the runtime exchange (imported by both sides; no side effects here). The host
 * calls the runtime's `drive(op, ...)` with strings and numbers only:
 * drive('main', code, isAsync, stdin, maxOutputBytes, memoryBytes) compiles and runs the program (or
 * returns the SyntaxError's message), then drive('peek') synchronously (the Outcome when the program
 * already ended) and drive('step') until it returns the Outcome;
 * drive('fatal', report) after an unhandled rejection; drive('finish') for the outcome so far.
 */

/** The final state copied to the host: [stdout, stderr, exitCode, flags]. */
export type Outcome = [string, string, number, number];

export const OUTPUT_LIMIT = 1;
export const MEMORY_LIMIT = 2;
/** The program ended on an uncaught error or an unhandled rejection. */
export const CRASHED = 4;

/** drive('step') while more tasks are pending. */
export const PENDING = 1;

/** Where the program "lives", for stack traces, __filename and process.argv[1]. */
export const SCRIPT_PATH = '/sandbox/main.js';

/**
 * Node's CommonJS wrapper around the program, on the program's first line so line numbers in stack
 * traces match the source (columns on line 1 are shifted by WRAPPER_HEAD.length).
 */
export function wrapProgram(code: string, isAsync: boolean): string {
  return `(${isAsync ? 'async ' : ''}${WRAPPER_HEAD}${code}\n})`;
}
export const WRAPPER_HEAD = 'function (exports, require, module, __filename, __dirname) {';

/**
 * Whether V8's SyntaxError comes from a top-level await (`await x` or `for await`), which an async
 * wrapper accepts.
 */
export function needsAsync(message: string, code: string): boolean {
  return (
    message.includes('await is only valid in async functions') ||
    (message === 'Unexpected reserved word' && /\bawait\b/.test(code))
  );
}
