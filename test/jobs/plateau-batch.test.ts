import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchClient,
  CancelJobCommand,
  SubmitJobCommand,
  type SubmitJobCommandInput,
  TerminateJobCommand,
} from '@aws-sdk/client-batch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStageTrigger } from '../../functions/stage-trigger/handler.ts';
import { BatchJobRunner } from '../../shared/jobs/batch.ts';
import { checkpointOfManifestKey } from '../../shared/jobs/checkpoint-eval.ts';
import {
  completeCheckpoints,
  latestCompleteCheckpoint,
  readStageStatus,
  runKeys,
} from '../../shared/jobs/contract.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { collectOutput, root } from '../helpers/cli-child.ts';
import { writeManifest, writeRunData } from './run-fixture.ts';
import { EVAL_BLOCK, finishStandInEval, METRIC, plateauAfterStep3 } from './stand-in-evals.ts';

const batch = mockClient(BatchClient);
const trainer = `"${process.execPath}" "${join(root, 'examples/stand-in-trainer.mjs')}"`;
const stageMain = join(root, 'functions/cli/stage-main.ts');
const TOTAL_STEPS = 200;

let dir: string;
let storage: LocalStorage;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-plateau-batch-'));
  storage = new LocalStorage(join(dir, 'bucket'));
  // The trigger logs a line per event (for CloudWatch).
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  batch.reset();
  batch.on(SubmitJobCommand).callsFake((input: SubmitJobCommandInput) => ({ jobId: `id-${input.jobName}` }));
});

const runner = new BatchJobRunner({
  jobQueue: 'q-ondemand',
  spotJobQueue: 'q-spot',
  jobDefinition: 'def-single:1',
  region: 'eu-west-1',
  client: new BatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
});
// The bucket is a local folder: jobs open it by path instead of s3://.
const trigger = createStageTrigger({
  storageFor: () => storage,
  storageUrlFor: () => join(dir, 'bucket'),
  runner,
  defaults: { gpusPerNode: 1 },
});

/** EventBridge's "Object Created" event for a key of the bucket. */
const created = (key: string) => ({
  source: 'aws.s3',
  'detail-type': 'Object Created',
  detail: { bucket: { name: 'bucket' }, object: { key } },
});

const submissions = () => batch.commandCalls(SubmitJobCommand).map((c) => c.args[0].input);

/** The environment Batch gives a submitted job's container. */
function containerEnv(input: SubmitJobCommandInput): Record<string, string> {
  return Object.fromEntries(
    (input.containerOverrides?.environment ?? []).map(({ name, value }) => [name as string, value as string]),
  );
}

/**
 * What the container runs for a stage job (entrypoint.sh: `gradus stage exec`), with the job's
 * environment. While it runs, every checkpoint manifest it writes is delivered to the trigger as S3
 * would, and each evaluation job the trigger submits finishes with a stand-in score.
 */
async function runStageJob(input: SubmitJobCommandInput, jobId: string) {
  const env = containerEnv(input);
  const child = spawn(process.execPath, [stageMain, 'stage', 'exec'], {
    cwd: root,
    env: {
      ...process.env,
      ...env,
      AWS_BATCH_JOB_ID: jobId,
      GRADUS_TRAINER_COMMAND: trainer,
      GRADUS_WORK_DIR: join(dir, 'work', jobId),
      GRADUS_CHECKPOINT_POLL_MS: '50',
      STANDIN_STEP_MS: '100',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(child);
  let running = true;
  const exited = output.closed.finally(() => {
    running = false;
  });
  const delivered = new Set<string>();
  const deliver = async () => {
    for await (const obj of storage.list(
      runKeys.checkpoints(env.GRADUS_RUN_ID ?? '', Number(env.GRADUS_STAGE)),
    )) {
      const ref = checkpointOfManifestKey(obj.key);
      if (ref === undefined || delivered.has(obj.key)) continue;
      delivered.add(obj.key);
      const [outcome] = await trigger(created(obj.key));
      const result = outcome?.result;
      if (result?.outcome === 'checkpoint' && result.evaluation.outcome === 'submitted') {
        await finishStandInEval(storage, ref, plateauAfterStep3(ref.step));
      }
    }
  };
  while (running) {
    await deliver();
    await new Promise((r) => setTimeout(r, 50));
  }
  await deliver();
  return exited;
}

describe('a stage ended by its plateau rule on the Batch path (mocked Batch)', { timeout: 120_000 }, () => {
  it('stage 1 ends itself (no TerminateJob), succeeds, and stage 2 starts from its best checkpoint', async () => {
    const runId = 'bp';
    const manifest = await writeRunData(storage, runId, [
      {
        total_steps: TOTAL_STEPS,
        until: { plateau: { metric: METRIC, min_delta: 0.05, patience: 2, mode: 'max' } },
        checkpoint: 'best',
      },
      { total_steps: 2 },
    ]);
    await writeManifest(storage, runId, { ...manifest, eval: EVAL_BLOCK });

    await trigger(created(runKeys.manifest(runId)));
    const [s1Job, s2Job] = submissions();
    expect(s1Job).toMatchObject({ jobName: 'gradus-bp-s1', jobQueue: 'q-spot' });
    expect(s2Job).toMatchObject({ jobName: 'gradus-bp-s2', dependsOn: [{ jobId: 'id-gradus-bp-s1' }] });

    const first = await runStageJob(s1Job as SubmitJobCommandInput, 'id-gradus-bp-s1');
    expect(first.stderr).toMatch(
      /\[gradus stage 1\] plateau: aime24\/pass@1 did not improve .*; stopping the trainer/,
    );
    // Exit 0: Batch marks the job SUCCEEDED and releases stage 2, which depends on it.
    expect(first.code).toBe(0);
    expect(batch).not.toHaveReceivedCommand(TerminateJobCommand);
    expect(batch).not.toHaveReceivedCommand(CancelJobCommand);

    const sealed = (await completeCheckpoints(storage, runId, 1)).map((c) => c.step);
    const best = sealed.find((s) => s >= 3) as number;
    expect(sealed.at(-1)).toBeLessThan(TOTAL_STEPS);
    const evalJobs = submissions().filter((s) => s.jobName?.includes('-eval-'));
    expect(evalJobs.map((s) => s.jobName)).toEqual(sealed.map((step) => `gradus-bp-s1-eval-${step}`));
    expect(await readStageStatus(storage, runId, 1)).toMatchObject({
      state: 'succeeded',
      runner: 'batch',
      job_id: 'id-gradus-bp-s1',
      ended_by: 'plateau',
      final_checkpoint: runKeys.checkpoint(runId, 1, best),
    });

    const second = await runStageJob(s2Job as SubmitJobCommandInput, 'id-gradus-bp-s2');
    expect(second.code).toBe(0);
    expect(await readStageStatus(storage, runId, 2)).toMatchObject({
      state: 'succeeded',
      job_id: 'id-gradus-bp-s2',
      init_checkpoint: runKeys.checkpoint(runId, 1, best),
    });
    const s2Final = await latestCompleteCheckpoint(storage, runId, 2);
    expect(JSON.parse((await storage.getText(`${s2Final?.prefix}state.json`)) ?? 'null')).toMatchObject({
      init: `base:stand-in/base > stage 1 step ${best}`,
    });
  });

  it('refuses a run whose plateau rule reads a benchmark it does not evaluate, submitting nothing', async () => {
    const runId = 'bp-bad';
    const manifest = await writeRunData(storage, runId, [
      { until: { plateau: { metric: 'aime25/avg', min_delta: 0, patience: 2, mode: 'max' } } },
    ]);
    await writeManifest(storage, runId, { ...manifest, eval: EVAL_BLOCK });
    const [outcome] = await trigger(created(runKeys.manifest(runId)));
    expect(outcome?.result).toMatchObject({
      outcome: 'rejected',
      error: {
        code: 'INVALID_MANIFEST',
        message:
          'runs/bp-bad/manifest.json: stages.0.settings.until.plateau.metric: benchmark "aime25" is not evaluated; eval.benchmarks are "aime24"',
      },
    });
    expect(batch).not.toHaveReceivedCommand(SubmitJobCommand);
  });
});
