import { Buffer, StringDecoder, TextDecoder, TextEncoder } from './buffer.ts';
import { eventsModule } from './events.ts';
import { format } from './format.ts';
import { fsModule } from './fs.ts';
import { inspect } from './inspect.ts';
import { write } from './output.ts';
import type * as ProcessModule from './process.ts';
import { SCRIPT_PATH } from './protocol.ts';
import { readlineModule } from './readline.ts';
import { run } from './state.ts';
import { timers } from './timers.ts';

/**
 * require(): the pure built-in modules a stdin program uses, built on first use. Everything else
 * (child_process, net, http, worker_threads, vm, relative paths, ...) fails like a missing module.
 */

function deepEqual(a: unknown, b: unknown, strict: boolean): boolean {
  // biome-ignore lint/suspicious/noDoubleEquals: assert.deepEqual compares loosely, like Node's
  if (strict ? Object.is(a, b) : a == b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Map && b instanceof Map) {
    return a.size === b.size && [...a].every(([k, v]) => b.has(k) && deepEqual(v, b.get(k), strict));
  }
  if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((v) => b.has(v));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as never)[k], (b as never)[k], strict));
}

class AssertionError extends Error {
  readonly code = 'ERR_ASSERTION';
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

function assertModule(): object {
  const fail = (message: unknown, fallback: string): never => {
    if (message instanceof Error) throw message;
    throw new AssertionError(message === undefined ? fallback : String(message));
  };
  const ok = (value: unknown, message?: unknown) => {
    if (!value) fail(message, 'The expression evaluated to a falsy value');
  };
  const compare = (pass: boolean, a: unknown, b: unknown, op: string, message?: unknown) => {
    if (!pass)
      fail(message, `Expected values to be ${op}:\n\n${inspect(a)}\n\nshould equal\n\n${inspect(b)}`);
  };
  const assert = Object.assign(ok, {
    ok,
    AssertionError,
    fail: (message?: unknown) => fail(message, 'Failed'),
    // biome-ignore lint/suspicious/noDoubleEquals: assert.equal is loose equality by definition
    equal: (a: unknown, b: unknown, m?: unknown) => compare(a == b, a, b, 'loosely equal', m),
    // biome-ignore lint/suspicious/noDoubleEquals: assert.notEqual is loose inequality by definition
    notEqual: (a: unknown, b: unknown, m?: unknown) => compare(a != b, a, b, 'not loosely equal', m),
    strictEqual: (a: unknown, b: unknown, m?: unknown) => compare(Object.is(a, b), a, b, 'strictly equal', m),
    notStrictEqual: (a: unknown, b: unknown, m?: unknown) =>
      compare(!Object.is(a, b), a, b, 'not strictly equal', m),
    deepEqual: (a: unknown, b: unknown, m?: unknown) =>
      compare(deepEqual(a, b, false), a, b, 'loosely deep-equal', m),
    deepStrictEqual: (a: unknown, b: unknown, m?: unknown) =>
      compare(deepEqual(a, b, true), a, b, 'strictly deep-equal', m),
    notDeepStrictEqual: (a: unknown, b: unknown, m?: unknown) =>
      compare(!deepEqual(a, b, true), a, b, 'not strictly deep-equal', m),
    throws: (fn: () => unknown, ...rest: unknown[]) => {
      try {
        fn();
      } catch {
        return;
      }
      fail(
        rest.find((r) => typeof r === 'string'),
        'Missing expected exception.',
      );
    },
  });
  return Object.assign(assert, { strict: assert });
}

function utilModule(): object {
  return {
    inspect,
    format,
    formatWithOptions: (_options: unknown, ...args: unknown[]) => format(...args),
    isDeepStrictEqual: (a: unknown, b: unknown) => deepEqual(a, b, true),
    inherits: (ctor: { prototype: object }, superCtor: { prototype: object }) => {
      Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
      Object.setPrototypeOf(ctor, superCtor);
    },
    promisify:
      (fn: (...args: unknown[]) => void) =>
      (...args: unknown[]) =>
        new Promise((resolve, reject) =>
          fn(...args, (err: unknown, value: unknown) => (err ? reject(err) : resolve(value))),
        ),
    deprecate: <T>(fn: T) => fn,
    debuglog: () => () => undefined,
    isArray: Array.isArray,
    types: {
      isPromise: (v: unknown) => v instanceof Promise,
      isDate: (v: unknown) => v instanceof Date,
      isRegExp: (v: unknown) => v instanceof RegExp,
      isMap: (v: unknown) => v instanceof Map,
      isSet: (v: unknown) => v instanceof Set,
    },
    TextEncoder,
    TextDecoder,
  };
}

function osModule(): object {
  const constant =
    <T>(value: T) =>
    () =>
      value;
  return {
    EOL: '\n',
    platform: constant('linux'),
    type: constant('Linux'),
    arch: constant('x64'),
    release: constant(''),
    hostname: constant('sandbox'),
    homedir: constant('/home/user'),
    tmpdir: constant('/tmp'),
    endianness: constant('LE'),
    cpus: constant([]),
    availableParallelism: constant(1),
    totalmem: () => run.memoryBytes,
    freemem: () => run.memoryBytes,
    uptime: constant(0),
  };
}

const factories: Record<string, () => unknown> = {
  fs: () => fsModule(write, () => processObject().stdin),
  readline: () => readlineModule(false),
  'readline/promises': () => readlineModule(true),
  events: eventsModule,
  util: utilModule,
  os: osModule,
  assert: assertModule,
  'assert/strict': assertModule,
  buffer: () => ({ Buffer }),
  string_decoder: () => ({ StringDecoder }),
  timers: () => ({ ...timers }),
  'timers/promises': () => ({
    setTimeout: (ms?: number, value?: unknown) => new Promise((r) => timers.setTimeout(r, ms, value)),
    setImmediate: (value?: unknown) => new Promise((r) => timers.setImmediate(r, value)),
  }),
  perf_hooks: () => ({ performance: (globalThis as { performance?: unknown }).performance }),
  process: () => processObject(),
  console: () => (globalThis as { console?: unknown }).console,
};
factories['fs/promises'] = () => (requireBuiltin('node:fs') as { promises: unknown }).promises;

/** The process object, built on first use (so a program that never touches it skips building it). */
function processObject(): typeof ProcessModule.process {
  return (require('./process.ts') as typeof ProcessModule).process;
}

const cache = new Map<string, unknown>();

export function requireBuiltin(id: unknown): unknown {
  if (typeof id !== 'string') throw new TypeError('The "id" argument must be of type string');
  const name = id.startsWith('node:') ? id.slice(5) : id;
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const factory = Object.hasOwn(factories, name) ? factories[name] : undefined;
  if (factory === undefined) {
    const err = new Error(`Cannot find module '${id}'\nRequire stack:\n- ${SCRIPT_PATH}`);
    Object.assign(err, { code: 'MODULE_NOT_FOUND', requireStack: [SCRIPT_PATH] });
    throw err;
  }
  const module = factory();
  cache.set(name, module);
  return module;
}
