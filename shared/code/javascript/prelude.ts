import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type ivm from 'isolated-vm';

/**
 * The runtime (runtime/*.ts) bundled into one classic script whose completion value is its `drive`
 * function. Bundled once per process with esbuild; V8's code cache from the first isolate that compiles
 * it lets later isolates skip parsing.
 */

export const PRELUDE_FILENAME = 'node:internal/gradus-runtime';

let source: Promise<string> | undefined;
let cachedData: ivm.ExternalCopy<ArrayBuffer> | undefined;

export function preludeSource(): Promise<string> {
  source ??= build({
    entryPoints: [fileURLToPath(new URL('./runtime/index.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2024',
    logLevel: 'silent',
  }).then((result) => {
    const code = result.outputFiles[0]?.text;
    if (code === undefined) throw new Error('esbuild produced no runtime bundle');
    // runtime/index.ts assigns `drive` to __gradusDrive; 'use strict' first keeps the whole bundle strict.
    return `(function () {\n'use strict';\nlet __gradusDrive;\n${code}\nreturn __gradusDrive;\n})()`;
  });
  return source;
}

/** Compiles the prelude in `isolate`, reusing (or producing) the process-wide code cache. */
export async function compilePrelude(isolate: ivm.Isolate): Promise<ivm.Script> {
  const code = await preludeSource();
  const options = {
    filename: PRELUDE_FILENAME,
    ...(cachedData ? { cachedData } : { produceCachedData: true }),
  };
  const script = (await isolate.compileScript(code, options)) as ivm.Script & ivm.CachedDataResult;
  if (cachedData === undefined && script.cachedData !== undefined) cachedData = script.cachedData;
  return script;
}
