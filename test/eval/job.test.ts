import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStoredEval } from '../../shared/eval/job.ts';
import { EvalPlan } from '../../shared/eval/plan.ts';
import { evalFiles, evalPrefix } from '../../shared/eval/prefix.ts';
import { withoutKey } from '../../shared/eval/service.ts';
import { createScorer } from '../../shared/reward/compose.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { needData } from '../helpers/data.ts';
import { BENCHMARK_DIR, readRawProblems, responder } from './fixture.ts';
import { startSourceServer } from './source-server.ts';
import { startStandIn } from './stand-in-server.ts';

let dir: string;
let standIn: Awaited<ReturnType<typeof startStandIn>>;
let src: Awaited<ReturnType<typeof startSourceServer>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-eval-job-'));
  standIn = await startStandIn({ respond: responder(readRawProblems('aime24')) });
  src = await startSourceServer();
});
afterAll(async () => {
  await Promise.all([standIn?.close(), src?.close()]);
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
/** Stores a plan as POST /v1/eval does (without its key) and runs it as the eval job would. */
async function runAsJob(plan: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const storage = new LocalStorage(join(dir, `store-${++n}`));
  const id = `ev-job-test-${n}`;
  const files = evalFiles(evalPrefix(id));
  await storage.put(files.plan, JSON.stringify(withoutKey(EvalPlan.parse(plan))));
  const now = new Date().toISOString();
  const queued = { id, state: 'queued', mode: 'job', created_at: now, updated_at: now, progress: [] };
  await storage.put(files.status, JSON.stringify(queued));
  const { state } = await runStoredEval(storage, evalPrefix(id), createScorer(), BENCHMARK_DIR, env);
  const status = JSON.parse((await storage.getText(files.status)) as string);
  return { state, status };
}

const model = () => ({ baseUrl: standIn.url, model: 'stand-in-model', apiKey: 'sk-caller' });

const BENCHMARKS = needData('eval jobs over AIME24', 'benchmarks');

describe.skipIf(!BENCHMARKS.has())('an eval job (gradus eval job) runs a stored plan', () => {
  it('takes the endpoint key from GRADUS_EVAL_API_KEY, since the stored plan has none', async () => {
    const { state } = await runAsJob(
      { benchmarks: [{ name: 'aime24' }], model: model(), k: 1, limit: 2 },
      { GRADUS_EVAL_API_KEY: 'sk-from-env' },
    );
    expect(state).toBe('succeeded');
    const keys = new Set(standIn.requests.map((r) => r.authorization));
    expect(keys).toEqual(new Set(['Bearer sk-from-env']));
  });

  it('applies the access policy handed on in its environment, as the server would', async () => {
    const source = `${src.url}/public/aime24.jsonl`;
    const plan = { benchmarks: [{ name: 'aime24', source }], model: model(), k: 1, limit: 2 };
    const refused = await runAsJob(plan, {});
    expect(refused.state).toBe('failed');
    expect(refused.status.error).toMatch(/aime24\.jsonl: not an allowed source on this server/);
    const allowed = await runAsJob(plan, { GRADUS_EVAL_ALLOWED_SOURCES: `${src.url}/public/` });
    expect(allowed.state).toBe('succeeded');
  });
});
