// Builds what the npm package runs, in dist/package: the `gradus` command and the modules it starts as
// threads or processes, bundled by esbuild (dependencies stay imports: npm installs them with the
// package; Node will not strip TypeScript types under node_modules, so the sources cannot ship as they
// are), and beside them the files read at run time relative to their module. `npm pack` runs it (prepack).
//
//   npm run build:package
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import pkg from '../package.json' with { type: 'json' };
import { NODE_ESM_BUNDLE, RUNTIME_SOURCE_DIRS } from './build-lambda.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGE_OUT_DIR = join(root, 'dist', 'package');

/** Output name -> source. The names are those `siblingEntry` (shared/code/entry-url.ts) looks for. */
const ENTRIES = {
  gradus: 'functions/cli/main.ts',
  'stage-main': 'functions/cli/stage-main.ts',
  worker: 'shared/reward/threads/worker.ts',
  child: 'shared/code/sandbox-process/child.ts',
};

/** Files read relative to their module (import.meta.url), copied where the bundle's modules lie. */
const RUN_TIME_DIRS: ReadonlyArray<readonly [from: string, to: string]> = [
  ...RUNTIME_SOURCE_DIRS,
  ['shared/curriculum/presets', '.'],
];

export async function buildPackage(): Promise<string[]> {
  await rm(PACKAGE_OUT_DIR, { recursive: true, force: true });
  const { metafile } = await build({
    entryPoints: Object.fromEntries(
      Object.entries(ENTRIES).map(([name, source]) => [name, join(root, source)]),
    ),
    outdir: PACKAGE_OUT_DIR,
    ...NODE_ESM_BUNDLE,
    external: Object.keys(pkg.dependencies),
    // In a bundle, import.meta.main is true for every module inlined into the entry that runs: the entries
    // above call their module's main themselves, so the modules' own guards must stay off.
    define: { 'import.meta.main': 'false' },
  });
  for (const [from, to] of RUN_TIME_DIRS) {
    for (const name of await readdir(join(root, from))) {
      if (to === '.' && !name.endsWith('.yaml')) continue;
      await mkdir(join(PACKAGE_OUT_DIR, to), { recursive: true });
      await copyFile(join(root, from, name), join(PACKAGE_OUT_DIR, to, name));
    }
  }
  return Object.keys(metafile.outputs);
}

if (import.meta.main) {
  const outputs = await buildPackage();
  console.error(`build-package: ${outputs.length} files in dist/package`);
}
