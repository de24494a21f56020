import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlateauRule } from '../../shared/curriculum/stage-end.ts';
import { evalKeys, writeEvalStatus } from '../../shared/jobs/checkpoint-eval.ts';
import { runKeys } from '../../shared/jobs/contract.ts';
import { plateauWatch } from '../../shared/jobs/plateau-watch.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { finishStandInEval } from './stand-in-evals.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-watch-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Local storage that counts reads of evaluation statuses and can fail the next ones. */
class CountingStorage extends LocalStorage {
  evalReads = 0;
  failNext = 0;
  override async getText(key: string): Promise<string | undefined> {
    if (key.includes('/evals/')) {
      this.evalReads++;
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error('storage unreachable');
      }
    }
    return super.getText(key);
  }
}

const rule = PlateauRule.parse({ metric: 'aime24/pass@1', patience: 2 });

async function setup(runId: string, steps: number[]) {
  const storage = new CountingStorage(join(dir, runId));
  // The watch lists checkpoint manifests; whether the checkpoint is complete matters only for the hand-off.
  for (const step of steps) await storage.put(runKeys.checkpointManifest(runId, 1, step), '{}');
  return { storage, watch: plateauWatch({ storage, runId, stage: 1, rule, handOff: 'best' }) };
}

function queued(runId: string, step: number) {
  const now = new Date().toISOString();
  return {
    version: 1 as const,
    run_id: runId,
    stage: 1,
    step,
    state: 'queued' as const,
    runner: 'batch' as const,
    job_name: `gradus-${runId}-s1-eval-${step}`,
    checkpoint: runKeys.checkpoint(runId, 1, step),
    benchmarks: ['aime24'],
    preset: 'paper',
    attempts: 0,
    claimed_at: now,
    updated_at: now,
  };
}

describe('plateauWatch', () => {
  it('reads queued and running evaluations as pending and stops once the plateau is there', async () => {
    const { storage, watch } = await setup('w1', [10, 20, 30]);
    await writeEvalStatus(storage, queued('w1', 10));
    expect(await watch.check()).toMatchObject({ action: 'continue', evaluated: [] });
    await finishStandInEval(storage, { runId: 'w1', stage: 1, step: 10 }, 0.5);
    await writeEvalStatus(storage, { ...queued('w1', 20), state: 'running' });
    expect(await watch.check()).toMatchObject({ action: 'continue', evaluated: [10] });
    await finishStandInEval(storage, { runId: 'w1', stage: 1, step: 20 }, 0.5);
    await finishStandInEval(storage, { runId: 'w1', stage: 1, step: 30 }, 0.4);
    expect(await watch.check()).toMatchObject({
      action: 'stop',
      best: { step: 10, value: 0.5 },
      handOff: 10,
      last: 30,
    });
  });

  it('reads a finished evaluation once, and nothing past the first unfinished one', async () => {
    const { storage, watch } = await setup('w2', [1, 2, 3, 4]);
    await finishStandInEval(storage, { runId: 'w2', stage: 1, step: 1 }, 0.1);
    await finishStandInEval(storage, { runId: 'w2', stage: 1, step: 3 }, 0.3);
    storage.evalReads = 0;
    await watch.check();
    expect(storage.evalReads).toBe(2); // step 1 (finished), step 2 (not there yet); not 3 or 4
    await watch.check();
    expect(storage.evalReads).toBe(3); // only step 2 again
  });

  it('a failed read is tried again at the next check; a status that does not parse is a failed evaluation', async () => {
    const { storage, watch } = await setup('w3', [1, 2]);
    await finishStandInEval(storage, { runId: 'w3', stage: 1, step: 1 }, 0.1);
    storage.failNext = 1;
    await expect(watch.check()).rejects.toThrow('storage unreachable');
    expect(await watch.check()).toMatchObject({ action: 'continue', evaluated: [1] });
    await storage.put(evalKeys.status('w3', 1, 2), '{"state": "succeeded"');
    expect(await watch.check()).toEqual({
      action: 'error',
      step: 2,
      reason:
        'the evaluation of step 2 failed: runs/w3/stages/1/evals/2/status.json is not an evaluation status',
    });
  });

  it("a failed evaluation job is an error with the job's reason", async () => {
    const { storage, watch } = await setup('w4', [5]);
    await writeEvalStatus(storage, { ...queued('w4', 5), state: 'failed', reason: 'vLLM did not start' });
    expect(await watch.check()).toMatchObject({
      action: 'error',
      reason: 'the evaluation of step 5 failed: vLLM did not start',
    });
  });
});
