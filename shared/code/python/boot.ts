import ivm from 'isolated-vm';
import { loadAssets, type PythonAssets } from './assets.ts';

/** In-sandbox home directory (Emscripten's in-memory filesystem, never a host path). */
export const SANDBOX_HOME = '/home/user';
/** Directories a program may write to; emptied after every run. Everything else is read-only. */
export const SANDBOX_SCRATCH = ['/tmp', SANDBOX_HOME];

export interface BootOptions {
  /** JS heap limit of the isolate in MiB (isolated-vm's memoryLimit; wasm memory is not counted). */
  jsHeapMb: number;
  /** Memory snapshot to restore; without one Pyodide boots cold (~2 s). */
  snapshot?: ivm.ExternalCopy<ArrayBuffer>;
  /** Boot cold with snapshotting enabled and run the Python setup (isolate/runner.py). */
  makeSnapshot?: boolean;
}

export interface BootedIsolate {
  isolate: ivm.Isolate;
  context: ivm.Context;
}

/** Per-process caches: V8 code cache of each script, and the files as reusable external copies. */
const codeCache = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();
let fileCopies: [string, ivm.ExternalCopy<ArrayBuffer>][] | undefined;

function externalFiles(assets: PythonAssets): [string, ivm.ExternalCopy<ArrayBuffer>][] {
  fileCopies ??= Object.entries(assets.files).map(([path, bytes]) => {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return [path, new ivm.ExternalCopy(buffer, { transferOut: true })];
  });
  return fileCopies;
}

async function runScript(isolate: ivm.Isolate, context: ivm.Context, name: string, code: string) {
  const cachedData = codeCache.get(name);
  const script: ivm.Script & ivm.CachedDataResult = await isolate.compileScript(code, {
    filename: name,
    ...(cachedData ? { cachedData } : { produceCachedData: true }),
  });
  if (!cachedData && script.cachedData) codeCache.set(name, script.cachedData);
  await script.run(context);
  script.release();
}

/**
 * A bare isolate (no Node APIs, no host references) with Pyodide loaded: polyfills, our runner, the
 * files copied in, then `loadPyodide`, cold or from a memory snapshot. The caller owns the isolate.
 */
export async function bootIsolate(options: BootOptions): Promise<BootedIsolate> {
  const assets = loadAssets();
  const isolate = new ivm.Isolate({ memoryLimit: options.jsHeapMb });
  let context: ivm.Context | undefined;
  try {
    context = await isolate.createContext();
    await runScript(isolate, context, 'prelude.js', assets.prelude);
    await runScript(isolate, context, 'runner.js', assets.runner);
    for (const [path, copy] of externalFiles(assets)) {
      await context.evalClosure('__files[$0] = $1;', [path, copy.copyInto()]);
    }
    await runScript(isolate, context, 'pyodide.mjs', assets.loader);
    await runScript(isolate, context, 'pyodide.asm.mjs', assets.asm);
    const boot = {
      home: SANDBOX_HOME,
      makeSnapshot: options.makeSnapshot === true,
      pythonSetup: options.makeSnapshot ? assets.pythonSetup : undefined,
    };
    await context.evalClosure(
      'return __gradus.boot({ ...JSON.parse($0), snapshot: $1 });',
      [JSON.stringify(boot), options.snapshot?.copyInto()],
      { result: { promise: true }, timeout: 120_000 },
    );
    return { isolate, context };
  } catch (err) {
    const log = context ? await readLog(context) : '';
    isolate.dispose();
    throw new Error(`booting Pyodide failed: ${(err as Error).message}${log ? `\n${log}` : ''}`);
  }
}

/** The tail of the isolate's console log (prelude.js), for error messages. */
async function readLog(context: ivm.Context): Promise<string> {
  try {
    return await context.eval('__log.slice(-20).join("\\n")', { timeout: 1000 });
  } catch {
    return '';
  }
}
