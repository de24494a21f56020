import type * as BufferModule from './buffer.ts';
import type * as CloneModule from './clone.ts';
import { makeConsole } from './console.ts';
import { harden, removeUncountedFeatures } from './guards.ts';
import { setInput } from './input.ts';
import { endNormally, fatal, hooks, uncaught } from './lifecycle.ts';
import { pending, runNext } from './loop.ts';
import type * as Modules from './modules.ts';
import { collected, write } from './output.ts';
import type * as ProcessModule from './process.ts';
import {
  CRASHED,
  MEMORY_LIMIT,
  needsAsync,
  OUTPUT_LIMIT,
  type Outcome,
  PENDING,
  SCRIPT_PATH,
  wrapProgram,
} from './protocol.ts';
import { run } from './state.ts';
import { timers } from './timers.ts';

/**
 * The runtime evaluated in every fresh context before the program: Node's globals, then `drive`, the
 * one function the host calls. The host gets a Reference to `drive` and passes only strings and
 * numbers; nothing of the host is reachable from inside.
 */

const g = globalThis as unknown as Record<string, unknown>;
harden(g);

// The larger parts of the runtime are bundled as modules initialised on their first require(), so a
// program pays only for what it touches: `process`, `Buffer` or require('readline') build theirs then.
const loadBuffer = () => require('./buffer.ts') as typeof BufferModule;
const loadModules = () => require('./modules.ts') as typeof Modules;

/** A global built on first access (or replaced by the program), like Node's own lazy globals. */
function lazyGlobal(name: string, load: () => unknown): void {
  const settle = (value: unknown) => {
    Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: true });
    return value;
  };
  Object.defineProperty(g, name, {
    get: () => settle(load()),
    set: settle,
    configurable: true,
    enumerable: true,
  });
}

// Set again when the program starts: the runtime itself is evaluated once, into a snapshot.
let start = Date.now();
Object.assign(g, {
  global: globalThis,
  console: makeConsole(write),
  setTimeout: timers.setTimeout,
  setInterval: timers.setInterval,
  setImmediate: timers.setImmediate,
  clearTimeout: timers.clearTimeout,
  clearInterval: timers.clearInterval,
  clearImmediate: timers.clearImmediate,
  queueMicrotask: timers.queueMicrotask,
  performance: {
    now: () => Date.now() - start,
    get timeOrigin() {
      return start;
    },
    mark: () => undefined,
    measure: () => undefined,
  },
});
lazyGlobal('process', () => (require('./process.ts') as typeof ProcessModule).process);
lazyGlobal('Buffer', () => loadBuffer().Buffer);
lazyGlobal('TextEncoder', () => loadBuffer().TextEncoder);
lazyGlobal('TextDecoder', () => loadBuffer().TextDecoder);
lazyGlobal('structuredClone', () => (require('./clone.ts') as typeof CloneModule).structuredClone);
lazyGlobal('btoa', () => (s: string) => loadBuffer().Buffer.from(String(s), 'latin1').toString('base64'));
lazyGlobal('atob', () => (s: string) => loadBuffer().Buffer.from(String(s), 'base64').toString('latin1'));

function outcome(): Outcome {
  const flags =
    (run.outputLimitHit ? OUTPUT_LIMIT : 0) |
    (run.memoryLimitHit ? MEMORY_LIMIT : 0) |
    (run.crashed ? CRASHED : 0);
  return [collected(1), collected(2), run.exitCode, flags];
}

type Program = (exports: object, req: unknown, module: object, filename: string, dirname: string) => unknown;

// Captured before the program runs: indirect eval compiles the program in the global scope, as a script.
// biome-ignore lint/security/noGlobalEval: compiling the (sandboxed) program is this runtime's job
const globalEval = eval;

/** The program's wrapper function, or the message of its SyntaxError. */
function compile(code: string, isAsync: boolean): Program | string {
  try {
    return globalEval(`${wrapProgram(code, isAsync)}\n//# sourceURL=${SCRIPT_PATH}`) as Program;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    // Top-level await: Node would run the file as a module; an async wrapper runs it the same way.
    if (!isAsync && needsAsync(err.message, code)) return compile(code, true);
    return err.message;
  }
}

function main(
  code: string,
  isAsync: boolean,
  stdin: string,
  maxOutputBytes: number,
  memoryBytes: number,
): unknown {
  removeUncountedFeatures(g);
  start = Date.now();
  const program = compile(code, isAsync);
  if (typeof program === 'string') return program;
  run.maxOutputBytes = maxOutputBytes;
  run.memoryBytes = memoryBytes;
  setInput(stdin);
  const module = {
    exports: {},
    id: '.',
    path: '/sandbox',
    filename: SCRIPT_PATH,
    loaded: false,
    children: [],
    paths: [],
  };
  const requireBuiltin = (id: unknown) => loadModules().requireBuiltin(id);
  const req = Object.assign(requireBuiltin, {
    main: module,
    cache: {},
    resolve: (id: unknown) => {
      requireBuiltin(id);
      return String(id);
    },
  });
  run.mainModule = module;
  try {
    const result = program.call(module.exports, module.exports, req, module, SCRIPT_PATH, '/sandbox');
    if (result instanceof Promise) result.catch(uncaught);
  } catch (err) {
    uncaught(err);
  }
  module.loaded = true;
  return PENDING;
}

/**
 * Runs one macrotask and returns PENDING, so the host calls again once V8 has drained the microtasks the
 * task queued; when no task is left (or the program ended), emits 'exit' and returns the outcome.
 */
function step(): typeof PENDING | Outcome {
  if (!run.ended) {
    let ran = true;
    try {
      ran = runNext();
    } catch (err) {
      uncaught(err);
    }
    if (ran && !run.ended) return PENDING;
  }
  endNormally();
  return outcome();
}

function drive(op: string, ...args: unknown[]): unknown {
  switch (op) {
    case 'main':
      return main(
        args[0] as string,
        args[1] as boolean,
        args[2] as string,
        args[3] as number,
        args[4] as number,
      );
    case 'step':
      return step();
    case 'peek':
      // Called synchronously by the host right after 'main', whose microtasks have run by then: the
      // outcome if the program is done and ending it runs no program code (no task pending, and no
      // process object whose 'exit' listeners or exitCode getter could run), else PENDING.
      if (!run.ended && (pending() || hooks.process !== undefined)) return PENDING;
      endNormally();
      return outcome();
    case 'fatal':
      // The host saw an unhandled rejection end the last task: reported as Node would, exit code 1.
      fatal(args[0] as string);
      return 0;
    default:
      run.ended = true;
      return outcome();
  }
}

// The prelude's completion value (prelude.ts declares this variable around the bundle and returns it):
// an assignment rather than an export, so the bundle builds no exports object in every context.
// biome-ignore lint/style/useConst: declared by the wrapper in prelude.ts, assigned here
declare let __gradusDrive: unknown;
__gradusDrive = drive;
