import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchClient, ListJobsCommand, SubmitJobCommand } from '@aws-sdk/client-batch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStageTrigger, type StageTriggerDeps } from '../../functions/stage-trigger/handler.ts';
import type { StageManifest } from '../../shared/formats/stage-manifest.ts';
import { BatchJobRunner } from '../../shared/jobs/batch.ts';
import { sealCheckpoint } from '../../shared/jobs/checkpoint.ts';
import { evalKeys, readEvalStatus } from '../../shared/jobs/checkpoint-eval.ts';
import { runKeys } from '../../shared/jobs/contract.ts';
import { LocalJobRunner } from '../../shared/jobs/local.ts';
import type { Storage } from '../../shared/storage/types.ts';
import { BENCHMARK_DIR, readRawProblems } from '../eval/fixture.ts';
import { needData } from '../helpers/data.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3rver.ts';
import { writeManifest, writeRunData } from '../jobs/run-fixture.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const batch = mockClient(BatchClient);
let s3: LocalS3;
let work: string;
let jobCounter = 0;
let pending: Promise<unknown>[] = [];
let delivered: unknown[] = [];

const runner = new BatchJobRunner({
  jobQueue: 'arn:aws:batch:us-east-1:123456789012:job-queue/gradus',
  spotJobQueue: 'arn:aws:batch:us-east-1:123456789012:job-queue/gradus-spot',
  jobDefinition: 'arn:aws:batch:us-east-1:123456789012:job-definition/gradus-stage:3',
  region: 'us-east-1',
  client: new BatchClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
});

const baseDeps = (storageFor: StageTriggerDeps['storageFor']): StageTriggerDeps => ({
  storageFor,
  runner,
  defaults: { gpusPerNode: 1, vcpus: 8, memoryMiB: 30000 },
  jobEnv: { GRADUS_URL: 'https://reward.example/v1/reward' },
  evalJobEnv: { GRADUS_BENCHMARKS: '/opt/benchmarks' },
});
let trigger: ReturnType<typeof createStageTrigger>;

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 50));
  while (pending.length > 0) {
    const batchOf = pending;
    pending = [];
    await Promise.all(batchOf);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const evalSubmissions = () =>
  batch
    .commandCalls(SubmitJobCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.jobName?.includes('-eval-'));

/** A run with an optional eval block; its manifest upload submits the stages (not under test here). */
async function startRun(storage: Storage, runId: string, evalBlock?: StageManifest['eval']) {
  const manifest = await writeRunData(storage, runId);
  await writeManifest(storage, runId, evalBlock ? { ...manifest, eval: evalBlock } : manifest);
  await settle();
}

/** A local checkpoint folder with a "model" file and, inside `hf/`, the stand-in model's answers. */
async function checkpointDir(name: string, answers: { problem: string; response: string }[] = []) {
  const dir = join(work, name);
  await mkdir(join(dir, 'hf'), { recursive: true });
  await writeFile(join(dir, 'model.safetensors'), `weights of ${name}`);
  await writeFile(join(dir, 'hf', 'answers.json'), JSON.stringify(answers));
  return dir;
}

const evalOptIn = {
  on_checkpoint: true,
  benchmarks: ['aime24', 'math500=benchmarks/m500.jsonl'],
  preset: 'greedy',
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gradus-eval-trigger-'));
  s3 = await startLocalS3('gradus-stages');
  trigger = createStageTrigger(baseDeps((bucket) => s3.storage('', { bucket } as never)));
  s3.server.on('event', (event: unknown) => {
    delivered.push(event);
    pending.push(trigger(event));
  });
});
afterAll(async () => {
  await s3?.stop();
  await rm(work, { recursive: true, force: true });
});
beforeEach(() => {
  batch.reset();
  batch
    .on(SubmitJobCommand)
    .callsFake((input: { jobName: string }) => ({ jobId: `job-${++jobCounter}`, jobName: input.jobName }));
  batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
  pending = [];
  delivered = [];
});

describe('checkpoint evaluation on s3rver events', () => {
  it('a complete checkpoint of an opted-in run submits one eval job; its files alone submit nothing', async () => {
    const storage = s3.storage('');
    await startRun(storage, 'run-ev', evalOptIn);
    const stageJobs = batch.commandCalls(SubmitJobCommand).length;
    expect(stageJobs).toBe(2);

    // The checkpoint's files land first: no manifest, no evaluation.
    await storage.put(`${runKeys.checkpoint('run-ev', 1, 2)}model.safetensors`, 'weights of ckpt-a');
    await settle();
    expect(evalSubmissions()).toHaveLength(0);

    await sealCheckpoint({
      storage,
      runId: 'run-ev',
      stage: 1,
      step: 2,
      localDir: await checkpointDir('ckpt-a'),
      hfModelPath: 'hf',
    });
    await settle();
    const submissions = evalSubmissions();
    expect(submissions).toHaveLength(1);
    const input = submissions[0];
    expect(input).toMatchObject({
      jobName: 'gradus-run-ev-s1-eval-2',
      jobQueue: 'arn:aws:batch:us-east-1:123456789012:job-queue/gradus-spot',
      jobDefinition: 'arn:aws:batch:us-east-1:123456789012:job-definition/gradus-stage:3',
      dependsOn: [],
      tags: { 'gradus:run': 'run-ev', 'gradus:stage': '1', 'gradus:eval-step': '2' },
      containerOverrides: {
        resourceRequirements: [
          { type: 'GPU', value: '1' },
          { type: 'VCPU', value: '8' },
          { type: 'MEMORY', value: '30000' },
        ],
      },
    });
    const env = Object.fromEntries(
      (input?.containerOverrides?.environment ?? []).map((e) => [e.name, e.value]),
    );
    expect(env).toEqual({
      GRADUS_URL: 'https://reward.example/v1/reward',
      GRADUS_BENCHMARKS: '/opt/benchmarks',
      GRADUS_JOB_KIND: 'eval',
      GRADUS_JOB_NAME: 'gradus-run-ev-s1-eval-2',
      GRADUS_STORAGE_URL: 's3://gradus-stages',
      // The one eval job: what to evaluate (benchmarks, preset, checkpoint) is in the claim at this prefix.
      GRADUS_EVAL_PREFIX: 'runs/run-ev/stages/1/evals/2/',
    });
    const jobId = `job-${jobCounter}`;
    expect(await readEvalStatus(storage, { runId: 'run-ev', stage: 1, step: 2 })).toMatchObject({
      state: 'queued',
      runner: 'batch',
      job_name: 'gradus-run-ev-s1-eval-2',
      job_id: jobId,
      checkpoint: 'runs/run-ev/stages/1/checkpoints/2/',
      benchmarks: ['aime24', 'math500=benchmarks/m500.jsonl'],
      preset: 'greedy',
    });

    // The same event again, and a re-upload of the checkpoint manifest: nothing new.
    const event = delivered.find((e) => JSON.stringify(e).includes('checkpoints/2/checkpoint.json'));
    expect(event).toBeDefined();
    const again = await trigger(event);
    expect(again[0]?.result).toMatchObject({
      outcome: 'checkpoint',
      evaluation: { outcome: 'already-claimed', jobId },
    });
    const manifestKey = runKeys.checkpointManifest('run-ev', 1, 2);
    await storage.put(manifestKey, (await storage.getText(manifestKey)) ?? '');
    await settle();
    expect(evalSubmissions()).toHaveLength(1);
    expect(batch.commandCalls(SubmitJobCommand)).toHaveLength(stageJobs + 1);
  });

  it('without eval.on_checkpoint a checkpoint submits nothing', async () => {
    const storage = s3.storage('');
    await startRun(storage, 'run-noeval');
    await startRun(storage, 'run-off', { ...evalOptIn, on_checkpoint: false });
    batch.resetHistory();
    for (const runId of ['run-noeval', 'run-off']) {
      await sealCheckpoint({
        storage,
        runId,
        stage: 1,
        step: 1,
        localDir: await checkpointDir(`ckpt-${runId}`),
      });
    }
    await settle();
    expect(batch).not.toHaveReceivedCommand(SubmitJobCommand);
    const outcomes = (await Promise.all(delivered.map((e) => trigger(e)))).flat();
    const evaluations = outcomes.map((o) => o.result).filter((r) => r.outcome === 'checkpoint');
    expect(evaluations.map((r) => r.evaluation.outcome)).toEqual(['not-opted-in', 'not-opted-in']);
    expect(await storage.head(evalKeys.status('run-noeval', 1, 1))).toBeUndefined();
    expect(await storage.head(evalKeys.status('run-off', 1, 1))).toBeUndefined();
  });

  it('a checkpoint manifest whose files are not all there is incomplete and submits nothing', async () => {
    const storage = s3.storage('');
    await startRun(storage, 'run-half', evalOptIn);
    batch.resetHistory();
    const manifest = {
      version: 1,
      run_id: 'run-half',
      stage: 2,
      step: 5,
      created_at: '2026-01-01T00:00:00.000Z',
      files: [{ path: 'model.safetensors', bytes: 10, sha256: 'a'.repeat(64) }],
    };
    await storage.put(runKeys.checkpointManifest('run-half', 2, 5), JSON.stringify(manifest));
    await settle();
    expect(batch).not.toHaveReceivedCommand(SubmitJobCommand);
    const [outcome] = await trigger(delivered.at(-1));
    expect(outcome?.result).toMatchObject({ outcome: 'checkpoint', stage: 2, step: 5 });
    expect(outcome?.result).toMatchObject({ evaluation: { outcome: 'incomplete' } });
  });

  it('a failed SubmitJob gives the claim back, so a redelivered event submits the evaluation', async () => {
    const storage = s3.storage('');
    await startRun(storage, 'run-evretry', evalOptIn);
    batch.reset();
    batch.on(SubmitJobCommand).rejectsOnce(new Error('throttled')).resolves({ jobId: 'job-ev-retried' });
    await sealCheckpoint({
      storage,
      runId: 'run-evretry',
      stage: 1,
      step: 3,
      localDir: await checkpointDir('ckpt-r'),
    });
    const event = delivered.find((e) => JSON.stringify(e).includes('checkpoints/3/checkpoint.json'));
    await expect(Promise.all(pending)).rejects.toThrow('throttled');
    pending = [];
    expect(await storage.head(evalKeys.status('run-evretry', 1, 3))).toBeUndefined();
    await trigger(event);
    expect(await readEvalStatus(storage, { runId: 'run-evretry', stage: 1, step: 3 })).toMatchObject({
      job_id: 'job-ev-retried',
    });
    expect(batch).toHaveReceivedCommandTimes(SubmitJobCommand, 2);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const BENCHMARKS = needData('the end-to-end checkpoint evaluation of AIME24', 'benchmarks');

describe.skipIf(!BENCHMARKS.has())('checkpoint evaluation end to end with the local job runner', () => {
  it('the trigger submits `gradus eval job`, which serves the checkpoint and writes results under evals/<step>/', async () => {
    const { LocalStorage } = await import('../../shared/storage/local.ts');
    const dir = join(work, 'local-store');
    const storage = new LocalStorage(dir);
    const problems = readRawProblems('aime24').slice(0, 3);
    // The stand-in model gets problems 1 and 3 right and problem 2 wrong.
    const answers = problems.map((p, i) => ({
      problem: p.problem,
      response: `The answer is \\boxed{${i === 1 ? Number(p.answer) + 1 : p.answer}}.`,
    }));
    const manifest = await writeRunData(storage, 'run-local');
    await writeManifest(storage, 'run-local', {
      ...manifest,
      eval: { on_checkpoint: true, benchmarks: ['aime24'], preset: 'greedy' },
    });
    await sealCheckpoint({
      storage,
      runId: 'run-local',
      stage: 1,
      step: 4,
      localDir: await checkpointDir('ckpt-local', answers),
      hfModelPath: 'hf',
    });
    const local = new LocalJobRunner({
      command: [process.execPath, join(root, 'functions/cli/gradus.ts'), 'eval', 'job'],
      logDir: join(work, 'logs'),
      cwd: root,
    });
    const localTrigger = createStageTrigger({
      storageFor: () => storage,
      storageUrlFor: () => dir,
      runner: local,
      defaults: { gpusPerNode: 0 },
      evalJobEnv: {
        GRADUS_EVAL_SERVER_COMMAND: `exec "${process.execPath}" "${join(root, 'test/jobs/fixtures/stand-in-vllm.mjs')}"`,
        GRADUS_EVAL_PORT: String(await freePort()),
        GRADUS_EVAL_LIMIT: '3',
        GRADUS_BENCHMARKS: BENCHMARK_DIR,
        GRADUS_WORK_DIR: join(work, 'job-work'),
      },
    });
    const event = {
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'local' }, object: { key: runKeys.checkpointManifest('run-local', 1, 4) } },
    };
    const [outcome] = await localTrigger(event);
    const result = outcome?.result;
    if (result?.outcome !== 'checkpoint' || result.evaluation.outcome !== 'submitted') {
      throw new Error(`expected a submitted evaluation, got ${JSON.stringify(result)}`);
    }
    const jobId = result.evaluation.jobId as string;
    const again = await localTrigger(event);
    expect(again[0]?.result).toMatchObject({ evaluation: { outcome: 'already-claimed', jobId } });

    const finished = await local.wait(jobId);
    expect(finished, `log: ${finished.logUrl}`).toMatchObject({ state: 'succeeded' });
    const ref = { runId: 'run-local', stage: 1, step: 4 };
    const status = await readEvalStatus(storage, ref);
    expect(status).toMatchObject({ state: 'succeeded', attempts: 1, job_id: jobId, runner: 'local' });
    const results = JSON.parse((await storage.getText(evalKeys.results('run-local', 1, 4))) ?? '{}');
    expect(results.label).toBe('run-local stage 1 step 4');
    const aime = results.benchmarks[0];
    expect(aime.benchmark).toBe('aime24');
    expect(aime.samples).toHaveLength(3);
    expect(aime.metrics.avg).toBeCloseTo(2 / 3, 10);
    expect(status?.summary?.[0]).toMatchObject({ benchmark: 'aime24', k: 1 });
    expect(await storage.head(evalKeys.html('run-local', 1, 4))).toBeDefined();
    expect(await storage.head(evalKeys.markdown('run-local', 1, 4))).toBeDefined();
  }, 60_000);
});

describe('the EventBridge rule in serverless.yml', () => {
  /** EventBridge's wildcard matcher: `*` matches any run of characters, "/" included. */
  const wildcardMatches = (pattern: string, key: string) =>
    new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`).test(key);
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it('passes run manifests and checkpoint manifests to the trigger, not checkpoint files or status writes', async () => {
    const { parse } = await import('yaml');
    const { readFile } = await import('node:fs/promises');
    const config = parse(await readFile(join(root, 'serverless.yml'), 'utf8'), { logLevel: 'error' });
    const rule = config.functions.stageTrigger.events.find((e: Record<string, unknown>) => e.eventBridge);
    const keyFilters: { wildcard: string }[] = rule.eventBridge.pattern.detail.object.key;
    const passes = (key: string) => keyFilters.some((f) => wildcardMatches(f.wildcard, key));
    expect(passes(runKeys.manifest('run-1'))).toBe(true);
    expect(passes(runKeys.checkpointManifest('run-1', 2, 150))).toBe(true);
    expect(passes(`${runKeys.checkpoint('run-1', 2, 150)}actor/model.safetensors`)).toBe(false);
    expect(passes(runKeys.status('run-1', 1))).toBe(false);
    expect(passes(evalKeys.status('run-1', 1, 150))).toBe(false);
    expect(passes(evalKeys.results('run-1', 1, 150))).toBe(false);
  });
});

describe('checkpoint evaluation claims on local disk (O_EXCL)', () => {
  it('three deliveries of one checkpoint event handled at once submit one eval job', async () => {
    const { LocalStorage } = await import('../../shared/storage/local.ts');
    const dir = join(work, 'concurrent');
    const storage = new LocalStorage(dir);
    const manifest = await writeRunData(storage, 'run-cc');
    await writeManifest(storage, 'run-cc', { ...manifest, eval: evalOptIn });
    await sealCheckpoint({
      storage,
      runId: 'run-cc',
      stage: 2,
      step: 7,
      localDir: await checkpointDir('ckpt-cc'),
    });
    const localTrigger = createStageTrigger(baseDeps(() => new LocalStorage(dir)));
    const event = {
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: {
        bucket: { name: 'gradus-stages' },
        object: { key: runKeys.checkpointManifest('run-cc', 2, 7) },
      },
    };
    const results = (
      await Promise.all([localTrigger(event), localTrigger(event), localTrigger(event)])
    ).flat();
    expect(batch).toHaveReceivedCommandTimes(SubmitJobCommand, 1);
    expect(batch).toHaveReceivedCommandWith(SubmitJobCommand, { jobName: 'gradus-run-cc-s2-eval-7' });
    const outcomes = results.map((r) =>
      r.result.outcome === 'checkpoint' ? r.result.evaluation.outcome : '',
    );
    expect(outcomes.sort()).toEqual(['already-claimed', 'already-claimed', 'submitted']);
  });

  it('a checkpoint of a run without a manifest submits nothing', async () => {
    const { LocalStorage } = await import('../../shared/storage/local.ts');
    const dir = join(work, 'orphan');
    const storage = new LocalStorage(dir);
    await sealCheckpoint({
      storage,
      runId: 'run-orphan',
      stage: 1,
      step: 1,
      localDir: await checkpointDir('ckpt-o'),
    });
    const localTrigger = createStageTrigger(baseDeps(() => storage));
    const [outcome] = await localTrigger({
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'b' }, object: { key: runKeys.checkpointManifest('run-orphan', 1, 1) } },
        },
      ],
    });
    expect(outcome?.result).toMatchObject({ outcome: 'checkpoint', evaluation: { outcome: 'no-manifest' } });
    expect(batch).not.toHaveReceivedCommand(SubmitJobCommand);
  });
});
