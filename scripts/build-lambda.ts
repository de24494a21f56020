// Builds the Lambda artifact's contents in dist/lambda: the handler bundled by esbuild, and beside it the
// files the code sandboxes read at run time (isolated-vm, Pyodide, esbuild for JS/TS programs), which
// cannot be bundled. isolated-vm's native module is compiled from source for Amazon Linux 2023
// (scripts/lambda/isolated-vm-source.ts; cached in .cache/isolated-vm/), not the npm prebuild. `serverless.yml`
// packages this folder as it is.
//
//   npm run build:lambda                      # x86_64 (the default architecture in serverless.yml)
//   LAMBDA_ARCH=arm64 npm run build:lambda    # on an arm64 machine, with @esbuild/linux-arm64 installed
import { chmod, copyFile, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { makeSnapshot, pythonSnapshot } from '../shared/code/python/index.ts';
import { LAMBDA_NODE_ABI, type LambdaArch, lambdaArch, NODE_ARCH } from './lambda/arch.ts';
import { isolatedVmFromSource } from './lambda/isolated-vm-source.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const LAMBDA_OUT_DIR = join(root, 'dist', 'lambda');

/**
 * How the Lambda handler and the npm package (scripts/build-package.ts) are bundled: ES modules for Node 24,
 * `.mjs` entries and chunks in one folder (split, so a dynamic import stays a chunk of its own).
 */
export const NODE_ESM_BUNDLE = {
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  metafile: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // CommonJS dependencies bundled into an ES module still call require() for Node's builtins.
  banner: {
    js: "import { createRequire as __gradusRequire } from 'node:module';\nconst require = __gradusRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** Where the Pyodide snapshot lies in dist/lambda (the name lambda.ts looks for). */
export const SNAPSHOT_DIR = 'pyodide-snapshot';

/** Packages kept out of the bundle; each is shipped as files under dist/lambda/node_modules. */
export const EXTERNAL_PACKAGES = ['isolated-vm', 'pyodide', 'esbuild'];

/**
 * Where the artifact's node_modules holds the from-source isolated-vm binary: node-gyp-build looks in
 * build/Release before prebuilds/, and the artifact ships no prebuild.
 */
export const ISOLATED_VM_BINARY = 'isolated-vm/build/Release/isolated_vm.node';

/** Every file copied from node_modules into the artifact, relative to node_modules (the native ones per architecture). */
export function shippedModuleFiles(arch: LambdaArch): string[] {
  const nodeArch = NODE_ARCH[arch];
  return [
    // isolated-vm's JavaScript; its binary is ISOLATED_VM_BINARY, built from source.
    'isolated-vm/package.json',
    'isolated-vm/isolated-vm.js',
    'isolated-vm/LICENSE',
    'node-gyp-build/package.json',
    'node-gyp-build/index.js',
    'node-gyp-build/node-gyp-build.js',
    'node-gyp-build/LICENSE',
    // What shared/code/python/assets.ts reads (the ES module loaders, the wasm binary, the stdlib).
    'pyodide/package.json',
    'pyodide/pyodide.mjs',
    'pyodide/pyodide.asm.mjs',
    'pyodide/pyodide.asm.wasm',
    'pyodide/python_stdlib.zip',
    'pyodide/pyodide-lock.json',
    // esbuild strips TypeScript and bundles the JavaScript sandbox's runtime on the host.
    'esbuild/package.json',
    'esbuild/lib/main.js',
    'esbuild/LICENSE.md',
    `@esbuild/linux-${nodeArch}/package.json`,
    `@esbuild/linux-${nodeArch}/bin/esbuild`,
  ];
}

/**
 * Source files read at run time relative to their module's `import.meta.url`, which in the bundle is a
 * file directly in dist/lambda (the entries and every chunk lie there): the Python isolate's code, the
 * JavaScript sandbox's runtime, the Python test harness.
 */
export const RUNTIME_SOURCE_DIRS: ReadonlyArray<readonly [from: string, to: string]> = [
  ['shared/code/python/isolate', 'isolate'],
  ['shared/code/javascript/runtime', 'runtime'],
  ['shared/code/harness/python', 'python'],
];

export interface BuildReport {
  outDir: string;
  arch: LambdaArch;
  files: number;
  bytes: number;
  /** Seconds spent compiling isolated-vm; 0 when the cache had it. */
  compileSeconds: number;
}

export async function buildLambda(arch: LambdaArch = lambdaArch()): Promise<BuildReport> {
  await rm(LAMBDA_OUT_DIR, { recursive: true, force: true });
  const { metafile } = await build({
    entryPoints: {
      lambda: join(root, 'functions/reward/lambda.ts'),
      // The math worker pool's thread entry (GRADUS_SCORER=pool); lambda.ts points the pool at it.
      'reward-worker': join(root, 'shared/reward/threads/worker.ts'),
    },
    outdir: LAMBDA_OUT_DIR,
    // lambda.ts imports the sandboxes dynamically so that a native module failing to load is an error it
    // can catch; splitting keeps that import (and isolated-vm's) in a chunk of its own.
    ...NODE_ESM_BUNDLE,
    external: EXTERNAL_PACKAGES,
  });
  const bundle = Object.keys(metafile.outputs).map((path) => relative(LAMBDA_OUT_DIR, resolve(path)));
  const loadedFirst = staticImports(metafile, 'lambda.mjs');
  if (loadedFirst.has('isolated-vm')) {
    throw new Error(
      'build-lambda: isolated-vm is imported statically by the handler; import the sandboxes dynamically',
    );
  }
  for (const [from, to] of RUNTIME_SOURCE_DIRS) {
    for (const name of await readdir(join(root, from))) {
      await copyInto(join(root, from, name), join(LAMBDA_OUT_DIR, to, name));
    }
  }
  for (const file of shippedModuleFiles(arch)) {
    const source = join(root, 'node_modules', file);
    if (!(await stat(source).catch(() => undefined))) {
      throw new Error(`build-lambda: node_modules/${file} is missing (is the ${arch} package installed?)`);
    }
    await copyInto(source, join(LAMBDA_OUT_DIR, 'node_modules', file));
  }
  await chmod(join(LAMBDA_OUT_DIR, 'node_modules', `@esbuild/linux-${NODE_ARCH[arch]}/bin/esbuild`), 0o755);
  const native = await isolatedVmFromSource(arch, LAMBDA_NODE_ABI);
  await copyInto(native.path, join(LAMBDA_OUT_DIR, 'node_modules', ISOLATED_VM_BINARY));
  const snapshot = await shipPythonSnapshot();
  // Written last: what the artifact check reads to know what this build holds.
  const info: BuildInfo = {
    arch,
    nodeAbi: LAMBDA_NODE_ABI,
    isolatedVm: native.key,
    snapshot,
    bundle: bundle.sort(),
  };
  await writeFile(join(LAMBDA_OUT_DIR, 'build.json'), `${JSON.stringify(info)}\n`);
  const sizes = await listFiles(LAMBDA_OUT_DIR);
  return {
    outDir: relative(root, LAMBDA_OUT_DIR),
    arch,
    files: sizes.length,
    bytes: sizes.reduce((sum, f) => sum + f.bytes, 0),
    compileSeconds: native.compileSeconds,
  };
}

/** dist/lambda/build.json. */
export interface BuildInfo {
  arch: LambdaArch;
  nodeAbi: number;
  /** The cache key of the from-source isolated-vm binary (scripts/lambda/isolated-vm-source.ts). */
  isolatedVm: string;
  /** File name of the shipped Pyodide snapshot, under pyodide-snapshot/. */
  snapshot: string;
  /** What esbuild wrote: the two entries and the chunks they share or import dynamically. */
  bundle: string[];
}

/** Everything an output loads before its code runs: its static imports, transitively (not `import()`). */
function staticImports(metafile: Metafile, output: string): Set<string> {
  const byName = new Map(
    Object.entries(metafile.outputs).map(([path, out]) => [relative(LAMBDA_OUT_DIR, resolve(path)), out]),
  );
  const seen = new Set<string>();
  const visit = (name: string) => {
    for (const imported of byName.get(name)?.imports ?? []) {
      if (imported.kind !== 'import-statement') continue;
      const next = imported.external ? imported.path : relative(LAMBDA_OUT_DIR, resolve(imported.path));
      if (seen.has(next)) continue;
      seen.add(next);
      if (!imported.external) visit(next);
    }
  };
  visit(output);
  return seen;
}

/**
 * Ships the Pyodide memory snapshot (~30 MB, ~6 MB zipped): a cold Lambda would otherwise boot Pyodide
 * cold and make one before its first code item (seconds). lambda.ts copies it into /tmp, where the
 * sandboxes look for it; its name carries the hash of everything it was made from, so a stale one is
 * ignored there, never used.
 */
async function shipPythonSnapshot(): Promise<string> {
  const snapshot = await pythonSnapshot();
  const name = `pyodide-${snapshot.key}.snapshot`;
  const target = join(LAMBDA_OUT_DIR, SNAPSHOT_DIR, name);
  await mkdir(dirname(target), { recursive: true });
  if (
    snapshot.path &&
    basename(snapshot.path) === name &&
    (await stat(snapshot.path).catch(() => undefined))
  ) {
    await copyFile(snapshot.path, target);
  } else {
    await writeFile(target, await makeSnapshot());
  }
  return name;
}

async function copyInto(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, to);
}

export async function listFiles(dir: string, base = dir): Promise<{ path: string; bytes: number }[]> {
  const out: { path: string; bytes: number }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path, base)));
    else out.push({ path: relative(base, path), bytes: (await stat(path)).size });
  }
  return out;
}

if (import.meta.main) {
  const report = await buildLambda();
  const mb = (report.bytes / 2 ** 20).toFixed(1);
  const native =
    report.compileSeconds > 0 ? `isolated-vm compiled in ${report.compileSeconds} s` : 'isolated-vm cached';
  console.log(
    `build-lambda: ${report.outDir} (${report.arch}): ${report.files} files, ${mb} MiB (${native})`,
  );
}
