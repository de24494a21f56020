// Bundles the stage trigger Lambda (functions/stage-trigger/handler.ts) into dist/stage-trigger/, which
// serverless.yml packages as that function's own artifact. Pure JavaScript: no native files to ship.
//
//   node scripts/build-stage-trigger.ts
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { NODE_ESM_BUNDLE } from './build-lambda.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const STAGE_TRIGGER_OUT_DIR = join(root, 'dist', 'stage-trigger');

export async function buildStageTrigger(): Promise<void> {
  await rm(STAGE_TRIGGER_OUT_DIR, { recursive: true, force: true });
  await build({
    ...NODE_ESM_BUNDLE,
    // One file: the trigger has no entry point that loads lazily.
    splitting: false,
    metafile: false,
    entryPoints: { handler: join(root, 'functions/stage-trigger/handler.ts') },
    outdir: STAGE_TRIGGER_OUT_DIR,
  });
}

if (import.meta.main) {
  await buildStageTrigger();
  console.log(`stage trigger bundled into ${STAGE_TRIGGER_OUT_DIR}`);
}
