// Bundles the stage trigger Lambda (functions/stage-trigger/handler.ts) into dist/stage-trigger/, which
// serverless.yml packages as that function's own artifact. Pure JavaScript: no native files to ship.
//
//   node scripts/build-stage-trigger.ts
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const STAGE_TRIGGER_OUT_DIR = join(root, 'dist', 'stage-trigger');

export async function buildStageTrigger(): Promise<void> {
  await rm(STAGE_TRIGGER_OUT_DIR, { recursive: true, force: true });
  await build({
    entryPoints: { handler: join(root, 'functions/stage-trigger/handler.ts') },
    outdir: STAGE_TRIGGER_OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    // CommonJS dependencies bundled into an ES module still call require() for Node's builtins.
    banner: {
      js: "import { createRequire as __gradusRequire } from 'node:module';\nconst require = __gradusRequire(import.meta.url);",
    },
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (import.meta.main) {
  await buildStageTrigger();
  console.log(`stage trigger bundled into ${STAGE_TRIGGER_OUT_DIR}`);
}
