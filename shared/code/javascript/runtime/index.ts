import { Buffer, TextDecoder, TextEncoder } from './buffer.ts';
import { structuredClone } from './clone.ts';
import { makeConsole } from './console.ts';
import { harden } from './guards.ts';
import { runNext } from './loop.ts';
import { require } from './modules.ts';
import { collected, write, writeReport } from './output.ts';
import { emitExit, endNormally, process, uncaught } from './process.ts';
import {
  CRASHED,
  MEMORY_LIMIT,
  OUTPUT_LIMIT,
  type Outcome,
  PENDING,
  SCRIPT_PATH,
  wrapProgram,
} from './protocol.ts';
import { run } from './state.ts';
import { setInput } from './stdin.ts';
import { timers } from './timers.ts';

/**
 * The runtime evaluated in every fresh context before the program: Node's globals, then `drive`, the
 * one function the host calls. The host gets a Reference to `drive` and passes only strings and
 * numbers; nothing of the host is reachable from inside.
 */

const g = globalThis as unknown as Record<string, unknown>;
harden(g);

const start = Date.now();
Object.assign(g, {
  global: globalThis,
  process,
  Buffer,
  console: makeConsole(write),
  ...timers,
  nextTick: undefined,
  TextEncoder,
  TextDecoder,
  structuredClone,
  performance: {
    now: () => Date.now() - start,
    timeOrigin: start,
    mark: () => undefined,
    measure: () => undefined,
  },
  btoa: (s: string) => Buffer.from(String(s), 'latin1').toString('base64'),
  atob: (s: string) => Buffer.from(String(s), 'base64').toString('latin1'),
});
delete g.nextTick;

function outcome(): Outcome {
  const flags =
    (run.outputLimitHit ? OUTPUT_LIMIT : 0) |
    (run.memoryLimitHit ? MEMORY_LIMIT : 0) |
    (run.crashed ? CRASHED : 0);
  return [collected(1), collected(2), run.exitCode, flags];
}

type Program = (
  exports: object,
  req: typeof require,
  module: object,
  filename: string,
  dirname: string,
) => unknown;

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
    if (!isAsync && err.message.includes('await is only valid in async functions'))
      return compile(code, true);
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
  const req = Object.assign((id: unknown) => require(id), {
    main: module,
    cache: {},
    resolve: (id: unknown) => {
      require(id);
      return String(id);
    },
  });
  process.mainModule = module;
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
 * Runs one macrotask and returns 1, so the host calls again once V8 has drained the microtasks the task
 * queued; when no task is left (or the program ended), emits 'exit' and returns the outcome.
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

export function drive(op: string, ...args: unknown[]): unknown {
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
    case 'fatal':
      // The host saw an unhandled rejection end the last task: report it as Node would, exit code 1.
      if (!run.ended) {
        writeReport(args[0] as string);
        run.ended = true;
        run.crashed = true;
        run.exitCode = 1;
        emitExit();
      }
      return 0;
    default:
      run.ended = true;
      return outcome();
  }
}
