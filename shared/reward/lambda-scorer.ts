/**
 * The scorer of the AWS Lambda handler. Math is scored inline by default (no worker start-up on a cold
 * start; the verifier's own budget checks still apply); GRADUS_SCORER=pool gives it worker threads, whose
 * entry in the bundle is reward-worker.mjs beside the handler. Code runs in the same sandboxes as on Node,
 * in this process (the bundle ships no sandbox child entry), one warm sandbox per language (an instance
 * serves one request at a time). The sandboxes are imported dynamically: if the native module cannot load
 * on this runtime, math still works and code items are answered UNAVAILABLE with the reason.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxRunner } from '../code/runner.ts';
import { createScorer, type Scorer } from './compose.ts';
import { errorMessage } from './score.ts';
import { createPool } from './threads/pool.ts';

/** `bundleDir`: the folder of the handler's bundle (its pool worker entry and Pyodide snapshot lie there). */
export async function createLambdaScorer(bundleDir: URL, env = process.env): Promise<Scorer> {
  const bundledWorker = new URL('./reward-worker.mjs', bundleDir);
  const mathThreads =
    env.GRADUS_SCORER === 'pool'
      ? createPool({ workerUrl: existsSync(bundledWorker) ? bundledWorker : undefined })
      : undefined;
  installShippedSnapshots(fileURLToPath(new URL('./pyodide-snapshot/', bundleDir)));
  const sandboxes = await import('../code/sandboxes.ts').then(
    ({ createNodeSandboxRunner }): SandboxRunner =>
      createNodeSandboxRunner({ sandboxesPerLanguage: 1, containment: 'in-process' }),
    (err: unknown) => {
      console.error('gradus: the code sandboxes could not be loaded; code items will be answered 501', err);
      return { unavailable: `the code sandboxes could not be loaded on this Lambda: ${errorMessage(err)}` };
    },
  );
  return createScorer({ mathThreads, sandboxes });
}

/**
 * The bundle ships the Pyodide memory snapshot made at build time (scripts/build-lambda.ts). Copied into
 * /tmp, where the Python sandbox looks for it (shared/code/python/snapshot.ts), it spares a cold start
 * making one (several seconds).
 */
function installShippedSnapshots(shipped: string): void {
  if (!existsSync(shipped)) return;
  const cache = join(tmpdir(), 'gradus-pyodide');
  mkdirSync(cache, { recursive: true });
  for (const name of readdirSync(shipped)) {
    if (existsSync(join(cache, name))) continue;
    const temp = join(cache, `${name}.${process.pid}.tmp`);
    copyFileSync(join(shipped, name), temp);
    renameSync(temp, join(cache, name));
  }
}
