// AWS Lambda entry. The only module that imports hono/aws-lambda (to be moved to @hono/aws-lambda for Hono 5).
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handle } from 'hono/aws-lambda';
import { HTTPException } from 'hono/http-exception';
import type { SandboxRunner } from '../../shared/code/runner.ts';
import { createPool } from '../../shared/reward/pool.ts';
import { RoutingScorer } from '../../shared/reward/routing.ts';
import { errorMessage, inlineScorer } from '../../shared/reward/score.ts';
import { createCodeScorer, type HostScorer } from '../../shared/reward/scorers/code-host.ts';
import { createApp } from './app.ts';

// Math is scored inline by default: no worker start-up on a cold start, but no hard per-item kill either
// (the verifier's own budget checks still apply). GRADUS_SCORER=pool uses worker threads instead; in the
// bundle (scripts/build-lambda.ts) their entry is reward-worker.mjs beside this file.
const bundledWorker = new URL('./reward-worker.mjs', import.meta.url);
const math =
  process.env.GRADUS_SCORER === 'pool'
    ? createPool({ workerUrl: existsSync(bundledWorker) ? bundledWorker : undefined })
    : inlineScorer();

// The bundle ships the Pyodide memory snapshot made at build time (scripts/build-lambda.ts). Copied into
// /tmp, where the Python sandbox looks for it (shared/code/python/snapshot.ts), it spares a cold start
// making one (several seconds).
const shippedSnapshots = fileURLToPath(new URL('./pyodide-snapshot/', import.meta.url));
if (existsSync(shippedSnapshots)) {
  const cache = join(tmpdir(), 'gradus-pyodide');
  mkdirSync(cache, { recursive: true });
  for (const name of readdirSync(shippedSnapshots)) {
    if (existsSync(join(cache, name))) continue;
    const temp = join(cache, `${name}.${process.pid}.tmp`);
    copyFileSync(join(shippedSnapshots, name), temp);
    renameSync(temp, join(cache, name));
  }
}

// Code runs in the same isolated-vm sandboxes as on Node, one warm sandbox per language (an instance serves
// one request at a time). They are imported dynamically (a separate chunk in the bundle): if the native
// module cannot load on this runtime (e.g. an older libstdc++), math still works and code items get a 501
// with the reason, instead of every request failing.
const sandboxes = await import('../../shared/code/sandboxes.ts').then(
  // In this process: the bundle ships no entry for shared/code/sandbox-process/child.ts.
  ({ createNodeSandboxRunner }) =>
    createNodeSandboxRunner({ sandboxesPerLanguage: 1, containment: 'in-process' }),
  (err: unknown) => {
    console.error('gradus: the code sandboxes could not be loaded; code items will be answered 501', err);
    return `the code sandboxes could not be loaded on this Lambda: ${errorMessage(err)}`;
  },
);
const runner: SandboxRunner | undefined = typeof sandboxes === 'string' ? undefined : sandboxes;
const scoreCode: HostScorer = runner
  ? createCodeScorer(runner.run)
  : async () => {
      throw new HTTPException(501, { message: sandboxes as string });
    };
const scorer = new RoutingScorer(math, { code: scoreCode }, { onClose: async () => runner?.close() });

export const handler = handle(createApp({ scorer, runner }));

/** Disposes the sandboxes and workers, so that a process that loaded the handler (a test) can exit cleanly. */
export const close = (): Promise<void> => scorer.close();
