import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRECOMPILED_PROGRAMS, PRECOMPILED_SOURCES } from './precompiled.ts';

/**
 * The files an interpreter is built from: Pyodide's two scripts rewritten to run as classic scripts in a
 * bare isolate, its binary files, and our own in-isolate code (`isolate/`). Read once per process.
 */
export interface PythonAssets {
  pyodideVersion: string;
  /** Pyodide's loader (pyodide.mjs), rewritten to set `globalThis.loadPyodide`. */
  loader: string;
  /** Emscripten's module factory (pyodide.asm.mjs), rewritten to set `globalThis._createPyodideModule`. */
  asm: string;
  /** Polyfills evaluated first in every isolate (isolate/prelude.js). */
  prelude: string;
  /** The host-facing functions of an interpreter (isolate/runner.js). */
  runner: string;
  /** Python code run once before the memory snapshot is taken (isolate/runner.py, then the precompiling). */
  pythonSetup: string;
  /** Files the loader reads through the d8-style `readbuffer`, by their path inside the isolate. */
  files: Record<string, Uint8Array>;
  /** Hash of everything that goes into a memory snapshot: names cached snapshots. */
  key: string;
}

/** Path prefix of Pyodide's files inside the isolate (never a host path). */
const PYODIDE_URL = '/pyodide/';

const here = dirname(fileURLToPath(import.meta.url));

/** Directory of the installed `pyodide` package. */
function pyodideDir(): string {
  return dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));
}

/** Replaces `anchor` (once, or every occurrence); throws when Pyodide's code no longer contains it (e.g. after an upgrade). */
function patch(source: string, file: string, anchor: string, replacement: string, all = false): string {
  if (!source.includes(anchor)) {
    throw new Error(`pyodide ${file}: patch anchor not found: ${anchor.slice(0, 80)}`);
  }
  return all ? source.replaceAll(anchor, () => replacement) : source.replace(anchor, () => replacement);
}

/**
 * pyodide.mjs is an ES module; the isolate runs it as a classic script (strict, as a module is) that
 * defines `loadPyodide`.
 */
function rewriteLoader(source: string): string {
  let out = patch(
    source,
    'pyodide.mjs',
    'export{dt as loadPyodide,U as version};',
    'globalThis.loadPyodide=dt;',
  );
  out = out.replace(/\/\/# sourceMappingURL=.*$/m, '');
  return `(function(){'use strict';${out}\n})();`;
}

/**
 * Evaluated in the scope of Pyodide's module factory, ahead of it: the gate between Python and JavaScript,
 * the wasm heap cap and the random source, all held in this closure (never read from a global a program
 * could change). `__gradusGate` is taken and deleted by runner.js before any program runs; nothing can
 * unlock the gate once `lock()` was called.
 */
const GATE = `
const __gradusState = { locked: false, tainted: false, heapMax: 4294901760 };
const __gradusRefusal = new Error('JavaScript is not reachable from the sandbox');
const __gradusRefuse = () => {
  __gradusState.tainted = true;
  throw __gradusRefusal;
};
const __gradusRandomFill = globalThis.crypto.getRandomValues.bind(globalThis.crypto);
Object.defineProperty(globalThis, '__gradusGate', {
  configurable: true,
  value: Object.freeze({
    lock() { __gradusState.locked = true; },
    locked: () => __gradusState.locked,
    tainted: () => __gradusState.tainted,
    refusal: __gradusRefusal,
    setHeapMax(bytes) { __gradusState.heapMax = bytes || 4294901760; },
  }),
});
`;

/**
 * After `lock()`, these JavaScript functions refuse to run (and mark the interpreter tainted): every JS
 * value that becomes a Python object goes through one of them.
 */
const GATED = [
  // Every new JsProxy: js2python of a JS object, JsException(...)'s result, Pyodide's own handling of a
  // JS error caught in an EM_JS function (runner.js replaces that handling after the lock).
  'function JsProxy_compute_typeflags(obj,is_py_json){try{',
  // JsException(name, message): builds a JS Error from Python.
  'function JsException_new_helper(name_ptr,message_ptr,stack_ptr){try{',
];

/**
 * pyodide.asm.mjs: no `import.meta`, a strict classic script defining a global factory instead of an
 * export, and the gate (GATE) ahead of the factory: after `lock()` no JS value can become a Python object
 * (a JsProxy), so a program cannot reach the isolate's JavaScript; the wasm heap cap, checked at every
 * growth (malloc fails beyond it, Python raises MemoryError); random bytes from the prelude's seeded
 * `crypto.getRandomValues`, captured when the script runs (the d8 path would want `os.system`).
 */
function rewriteAsm(source: string): string {
  const file = 'pyodide.asm.mjs';
  let out = patch(source, file, 'import.meta.url', JSON.stringify(`${PYODIDE_URL}pyodide.asm.mjs`), true);
  out = patch(out, file, 'export default _createPyodideModule;', '');
  out = patch(out, file, 'var getHeapMax=()=>4294901760;', 'var getHeapMax=()=>__gradusState.heapMax;');
  out = patch(out, file, 'var initRandomFill=()=>{', 'var initRandomFill=()=>{return __gradusRandomFill;');
  for (const anchor of GATED)
    out = patch(out, file, anchor, `${anchor}if(__gradusState.locked)__gradusRefuse();`);
  return `(function(){'use strict';${GATE}${out}\nglobalThis._createPyodideModule=_createPyodideModule;})();`;
}

/**
 * The Python call that compiles the programs and sources of precompiled.ts into the snapshot (runner.py,
 * `_gradus_precompile`). A JSON string is a valid Python string literal with the same value (JSON's
 * escapes are a subset of Python's).
 */
function precompileCall(): string {
  const programs = PRECOMPILED_PROGRAMS.map((p) => JSON.stringify(p)).join(', ');
  const sources = PRECOMPILED_SOURCES.map(
    ([name, text]) => `(${JSON.stringify(name)}, ${JSON.stringify(text)})`,
  );
  return `_gradus_precompile([${programs}], [${sources.join(', ')}])`;
}

let cached: PythonAssets | undefined;

/** Reads and rewrites everything once per process. */
export function loadAssets(): PythonAssets {
  if (cached) return cached;
  const dir = pyodideDir();
  const text = (path: string) => readFileSync(path, 'utf8');
  const pyodideVersion = JSON.parse(text(join(dir, 'package.json'))).version as string;
  const loader = rewriteLoader(text(join(dir, 'pyodide.mjs')));
  const asm = rewriteAsm(text(join(dir, 'pyodide.asm.mjs')));
  const prelude = text(join(here, 'isolate', 'prelude.js'));
  const runner = text(join(here, 'isolate', 'runner.js'));
  const pythonSetup = `${text(join(here, 'isolate', 'runner.py'))}\n${precompileCall()}\n`;
  const files: Record<string, Uint8Array> = {};
  for (const name of ['pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json']) {
    files[PYODIDE_URL + name] = readFileSync(join(dir, name));
  }
  // The wasm binary, the stdlib and the Python setup decide the snapshot's contents; the JS sources are
  // hashed too so that any change to how we boot invalidates old snapshots.
  const hash = createHash('sha256');
  for (const part of [pyodideVersion, loader, asm, prelude, runner, pythonSetup])
    hash.update(part).update('\0');
  for (const bytes of Object.values(files)) hash.update(bytes);
  const key = `${pyodideVersion}-${hash.digest('hex').slice(0, 16)}`;
  cached = { pyodideVersion, loader, asm, prelude, runner, pythonSetup, files, key };
  return cached;
}
