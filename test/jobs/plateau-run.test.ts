import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageView } from '../../functions/cli/stage-view.ts';
import type { StageSettings } from '../../shared/formats/stage-manifest.ts';
import { sealCheckpoint } from '../../shared/jobs/checkpoint.ts';
import {
  completeCheckpoints,
  initCheckpoint,
  latestCompleteCheckpoint,
  readRunManifest,
  readStageStatus,
  runKeys,
  writeStageStatus,
} from '../../shared/jobs/contract.ts';
import { runStagesLocally } from '../../shared/jobs/local-run.ts';
import type { StageEvent } from '../../shared/jobs/stage-events.ts';
import { executeStage } from '../../shared/jobs/stage-exec.ts';
import { formatRunStatus, runStatus } from '../../shared/jobs/status.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { writeManifest, writeRunData } from './run-fixture.ts';
import { EVAL_BLOCK, finishStandInEval, METRIC, plateauAfterStep3 } from './stand-in-evals.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const trainer = `"${process.execPath}" "${join(root, 'examples/stand-in-trainer.mjs')}"`;
/** Far more steps than the rule lets stage 1 run: reaching them means the rule did not stop it. */
const TOTAL_STEPS = 200;
const plateau: StageSettings['until'] = {
  plateau: { metric: METRIC, min_delta: 0.05, patience: 2, mode: 'max' },
};

let dir: string;
let storage: LocalStorage;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-plateau-'));
  storage = new LocalStorage(join(dir, 'store'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A two-stage run: stage 1 with the plateau rule and the given hand-off, stage 2 without a rule. */
async function newRun(runId: string, checkpoint: StageSettings['checkpoint']) {
  const manifest = await writeRunData(storage, runId, [
    { total_steps: TOTAL_STEPS, until: plateau, checkpoint },
    { total_steps: 2 },
  ]);
  await writeManifest(storage, runId, { ...manifest, eval: EVAL_BLOCK });
}

async function stateOf(prefix: string) {
  return JSON.parse((await storage.getText(`${prefix}state.json`)) ?? 'null');
}

/** The step `checkpoint: best` must hand on: the first sealed step of the plateau (a poll may skip steps). */
async function bestStep(runId: string): Promise<number> {
  const steps = (await completeCheckpoints(storage, runId, 1)).map((c) => c.step);
  const best = steps.find((s) => s >= 3);
  if (best === undefined) throw new Error(`stage 1 sealed no step >= 3 (${steps.join(', ')})`);
  return best;
}

// Each run starts Node processes (one per stage, the stand-in trainer): slow on a busy machine.
describe('a stage ended by its plateau rule (stand-in trainer, stand-in evaluations)', {
  timeout: 120_000,
}, () => {
  it('local runner: stage 1 stops on the plateau and stage 2 starts from its best checkpoint', async () => {
    await newRun('lp', 'best');
    const events: StageEvent[] = [];
    const evaluations: Promise<void>[] = [];
    const result = await runStagesLocally({
      storage,
      runId: 'lp',
      trainerCommand: trainer,
      workDir: join(dir, 'work', 'lp'),
      gradusCommand: [process.execPath, join(root, 'functions/cli/stage-main.ts')],
      env: { GRADUS_CHECKPOINT_POLL_MS: '50', STANDIN_STEP_MS: '100' },
      onEvent: (event) => {
        events.push(event);
        // Each sealed checkpoint of stage 1 is evaluated (here: scored from a table) as it lands.
        if (event.type === 'checkpoint' && event.stage === 1) {
          const ref = { runId: 'lp', stage: 1, step: event.step };
          evaluations.push(finishStandInEval(storage, ref, plateauAfterStep3(event.step)));
        }
      },
    });
    await Promise.all(evaluations);
    expect(result.ok).toBe(true);

    const best = await bestStep('lp');
    const s1 = await readStageStatus(storage, 'lp', 1);
    expect(s1).toMatchObject({
      state: 'succeeded',
      ended_by: 'plateau',
      final_checkpoint: runKeys.checkpoint('lp', 1, best),
      reason: expect.stringMatching(
        new RegExp(
          `^plateau: aime24/pass@1 did not improve by 0\\.05 or more on its best \\(0\\.3 at step ${best}\\) in the last 2 evaluation\\(s\\) \\(step \\d+, \\d+\\); handing on step ${best} \\(best\\)$`,
        ),
      ),
    });
    const latest = (await latestCompleteCheckpoint(storage, 'lp', 1))?.step as number;
    expect(latest).toBeGreaterThan(best);
    expect(latest).toBeLessThan(TOTAL_STEPS);

    const s2 = await readStageStatus(storage, 'lp', 2);
    expect(s2).toMatchObject({ state: 'succeeded', init_checkpoint: runKeys.checkpoint('lp', 1, best) });
    // A stage without a rule ends as before: nothing recorded about its end.
    expect(s2?.ended_by).toBeUndefined();
    expect(s2?.final_checkpoint).toBeUndefined();
    const s2Final = await latestCompleteCheckpoint(storage, 'lp', 2);
    expect(await stateOf(s2Final?.prefix as string)).toMatchObject({
      stage: 2,
      step: 2,
      init: `base:stand-in/base > stage 1 step ${best}`,
    });

    expect(events.find((e) => e.type === 'finished' && e.stage === 1)).toMatchObject({
      state: 'succeeded',
      finalCheckpoint: best,
      latestCheckpoint: latest,
      reason: s1?.reason,
    });
    // What `gradus stage run` prints when the stage ends.
    let printed = '';
    const stream = {
      isTTY: false,
      write: (text: string) => {
        printed += text;
        return true;
      },
    };
    const view = stageView(stream as unknown as NodeJS.WriteStream);
    view(events.find((e) => e.type === 'finished' && e.stage === 1) as StageEvent);
    expect(printed).toBe(
      `stage 1: succeeded (${s1?.reason}), log ${s1?.log_url}; latest checkpoint: step ${latest}\n`,
    );
    const status = formatRunStatus(await runStatus(storage, 'lp'));
    expect(status).toContain(`    handed on:  step ${best} (${runKeys.checkpoint('lp', 1, best)})\n`);
  });

  /** Runs stage 1 of a run in process, evaluating each checkpoint it seals with `score`. */
  async function stageOne(runId: string, score: (step: number) => number | undefined) {
    const evaluations: Promise<void>[] = [];
    const result = await executeStage({
      storage,
      runId,
      stage: 1,
      workDir: join(dir, 'work', runId, 'stage-1'),
      trainerCommand: trainer,
      runner: 'local',
      env: { STANDIN_STEP_MS: '100' },
      pollMs: 50,
      log: () => {},
      onEvent: (event) => {
        if (event.type !== 'checkpoint') return;
        evaluations.push(
          finishStandInEval(storage, { runId, stage: 1, step: event.step }, score(event.step)),
        );
      },
    });
    await Promise.all(evaluations);
    return result;
  }

  it('checkpoint: last hands on the newest checkpoint sealed when the trainer stopped', async () => {
    await newRun('last', 'last');
    const result = await stageOne('last', plateauAfterStep3);
    const latest = await latestCompleteCheckpoint(storage, 'last', 1);
    expect(latest?.step).toBeLessThan(TOTAL_STEPS);
    expect(result).toMatchObject({
      state: 'succeeded',
      endedBy: 'plateau',
      finalCheckpoint: latest?.prefix,
      reason: expect.stringMatching(new RegExp(`; handing on step ${latest?.step} \\(last\\)$`)),
    });
    expect(await readStageStatus(storage, 'last', 1)).toMatchObject({
      ended_by: 'plateau',
      final_checkpoint: latest?.prefix,
    });
  });

  it('an evaluation without the metric fails the stage and stops the trainer, handing nothing on', async () => {
    await newRun('nometric', 'best');
    const result = await stageOne('nometric', (step) => (step < 2 ? 0.1 : undefined));
    const first = (await completeCheckpoints(storage, 'nometric', 1)).find((c) => c.step >= 2)?.step;
    expect(result).toMatchObject({
      state: 'failed',
      reason: `plateau rule: the evaluation of step ${first} has no aime24/pass@1`,
    });
    expect(result.endedBy).toBeUndefined();
    expect((await latestCompleteCheckpoint(storage, 'nometric', 1))?.step).toBeLessThan(TOTAL_STEPS);
    const status = await readStageStatus(storage, 'nometric', 1);
    expect(status).toMatchObject({ state: 'failed' });
    expect(status?.final_checkpoint).toBeUndefined();
  });

  it('stage 2 starts from the checkpoint stage 1 names, and never from another when that one is not complete', async () => {
    await newRun('named', 'best');
    for (const step of [2, 4]) {
      const local = join(dir, 'named-ckpt', String(step));
      await mkdir(local, { recursive: true });
      await writeFile(join(local, 'model.bin'), `step ${step}`);
      await sealCheckpoint({ storage, runId: 'named', stage: 1, step, localDir: local });
    }
    const read = await readRunManifest(storage, 'named');
    if (!read.ok) throw new Error(read.message);
    const now = new Date().toISOString();
    const ended = async (final_checkpoint?: string) => {
      await writeStageStatus(storage, {
        version: 1,
        run_id: 'named',
        stage: 1,
        state: 'succeeded',
        runner: 'local',
        job_name: 'gradus-named-s1',
        job_ids: [],
        attempts: 1,
        claimed_at: now,
        updated_at: now,
        ...(final_checkpoint ? { ended_by: 'plateau' as const, final_checkpoint } : {}),
      });
      const init = await initCheckpoint(storage, 'named', read.manifest, 2);
      return init?.kind === 'checkpoint' ? init.checkpoint.prefix : init;
    };
    expect(await ended()).toBe(runKeys.checkpoint('named', 1, 4));
    expect(await ended(runKeys.checkpoint('named', 1, 2))).toBe(runKeys.checkpoint('named', 1, 2));
    expect(await ended(runKeys.checkpoint('named', 1, 3))).toBeUndefined();
  });
});
