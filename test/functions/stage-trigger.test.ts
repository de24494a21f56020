import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchClient, ListJobsCommand, SubmitJobCommand } from '@aws-sdk/client-batch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStageTrigger, type StageTriggerDeps } from '../../functions/stage-trigger/handler.ts';
import { RunError } from '../../shared/formats/run-contract.ts';
import { BatchJobRunner } from '../../shared/jobs/batch.ts';
import { readStageStatus, runKeys } from '../../shared/jobs/contract.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3rver.ts';
import { writeManifest, writeRunData } from '../jobs/run-fixture.ts';

const batch = mockClient(BatchClient);
let s3: LocalS3;
let jobCounter = 0;
/** Every trigger invocation s3rver's events caused, so tests can wait for them. */
let pending: Promise<unknown>[] = [];
let delivered: unknown[] = [];

const runner = new BatchJobRunner({
  jobQueue: 'arn:aws:batch:us-east-1:123456789012:job-queue/gradus',
  jobDefinition: 'arn:aws:batch:us-east-1:123456789012:job-definition/gradus-stage:3',
  multiNodeJobDefinition: 'arn:aws:batch:us-east-1:123456789012:job-definition/gradus-stage-mnp:2',
  region: 'us-east-1',
  client: new BatchClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
});

function deps(storageFor: StageTriggerDeps['storageFor']): StageTriggerDeps {
  return {
    storageFor,
    runner,
    defaults: { gpusPerNode: 1, vcpus: 8, memoryMiB: 30000 },
    jobEnv: { GRADUS_URL: 'https://reward.example/v1/reward' },
  };
}

let trigger: ReturnType<typeof createStageTrigger>;

/** Waits until every trigger call the uploads so far caused has settled. */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 50));
  while (pending.length > 0) {
    const batchOf = pending;
    pending = [];
    await Promise.all(batchOf);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  s3 = await startLocalS3('gradus-stages');
  trigger = createStageTrigger(deps((bucket) => s3.storage('', { bucket } as never)));
  s3.server.on('event', (event: unknown) => {
    delivered.push(event);
    pending.push(trigger(event));
  });
});
afterAll(async () => {
  await s3?.stop();
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

describe('stage trigger on s3rver events', () => {
  it('uploading a manifest submits one Batch job per stage, stage 2 depending on stage 1', async () => {
    const storage = s3.storage('');
    const manifest = await writeRunData(storage, 'run-a', [{}, { nodes: 2, gpus_per_node: 8 }]);
    await settle();
    expect(batch).not.toHaveReceivedCommand(SubmitJobCommand); // data files alone start nothing
    await writeManifest(storage, 'run-a', manifest);
    await settle();

    expect(batch).toHaveReceivedCommandTimes(SubmitJobCommand, 2);
    const [first, second] = batch.commandCalls(SubmitJobCommand).map((c) => c.args[0].input);
    expect(first).toMatchObject({
      jobName: 'gradus-run-a-s1',
      jobQueue: 'arn:aws:batch:us-east-1:123456789012:job-queue/gradus',
      jobDefinition: 'arn:aws:batch:us-east-1:123456789012:job-definition/gradus-stage:3',
      dependsOn: [],
      propagateTags: true,
      tags: { 'gradus:run': 'run-a', 'gradus:stage': '1', 'gradus:stage-name': 'stage1' },
      containerOverrides: {
        resourceRequirements: [
          { type: 'GPU', value: '1' },
          { type: 'VCPU', value: '8' },
          { type: 'MEMORY', value: '30000' },
        ],
      },
    });
    expect(first?.containerOverrides?.environment).toEqual(
      expect.arrayContaining([
        { name: 'GRADUS_STORAGE_URL', value: 's3://gradus-stages' },
        { name: 'GRADUS_RUN_ID', value: 'run-a' },
        { name: 'GRADUS_STAGE', value: '1' },
        { name: 'GRADUS_JOB_NAME', value: 'gradus-run-a-s1' },
        { name: 'GRADUS_URL', value: 'https://reward.example/v1/reward' },
      ]),
    );
    const firstId = `job-${jobCounter - 1}`;
    expect(second).toMatchObject({
      jobName: 'gradus-run-a-s2',
      jobDefinition: 'arn:aws:batch:us-east-1:123456789012:job-definition/gradus-stage-mnp:2',
      dependsOn: [{ jobId: firstId }],
      nodeOverrides: {
        numNodes: 2,
        nodePropertyOverrides: [
          {
            targetNodes: '0:',
            containerOverrides: {
              resourceRequirements: expect.arrayContaining([{ type: 'GPU', value: '8' }]),
            },
          },
        ],
      },
    });
    expect(second?.containerOverrides).toBeUndefined();
    expect(second?.nodeOverrides?.nodePropertyOverrides?.[0]?.containerOverrides?.environment).toEqual(
      expect.arrayContaining([{ name: 'GRADUS_STAGE', value: '2' }]),
    );

    const status1 = await readStageStatus(storage, 'run-a', 1);
    const status2 = await readStageStatus(storage, 'run-a', 2);
    expect(status1).toMatchObject({ state: 'queued', runner: 'batch', job_id: firstId, job_ids: [firstId] });
    expect(status2).toMatchObject({
      state: 'queued',
      job_id: `job-${jobCounter}`,
      job_name: 'gradus-run-a-s2',
    });
    expect(status2?.log_url).toContain(`#jobs/detail/job-${jobCounter}`);
  });

  it('the same event delivered twice, and a second upload of the manifest, submit nothing new', async () => {
    const storage = s3.storage('');
    await writeManifest(storage, 'run-b', await writeRunData(storage, 'run-b'));
    await settle();
    expect(batch).toHaveReceivedCommandTimes(SubmitJobCommand, 2);
    const manifestEvent = delivered.find((e) => JSON.stringify(e).includes('runs/run-b/manifest.json'));
    expect(manifestEvent).toBeDefined();

    const again = await trigger(manifestEvent);
    expect(again[0]?.result).toMatchObject({
      outcome: 'submitted',
      stages: [{ submitted: false }, { submitted: false }],
    });
    await writeManifest(storage, 'run-b', await writeRunData(storage, 'run-b'));
    await settle();
    expect(batch).toHaveReceivedCommandTimes(SubmitJobCommand, 2);
  });

  it('an invalid manifest writes error.json naming the problem and submits nothing', async () => {
    const storage = s3.storage('');
    const manifest = await writeRunData(storage, 'run-bad');
    const broken = {
      ...manifest,
      stages: manifest.stages.map((s) => ({ ...s, settings: { ...s.settings, max_response_length: -5 } })),
    };
    await writeManifest(storage, 'run-bad', broken);
    await settle();
    expect(batch).not.toHaveReceivedCommand(SubmitJobCommand);
    const error = RunError.parse(JSON.parse((await storage.getText(runKeys.error('run-bad'))) ?? 'null'));
    expect(error).toMatchObject({ code: 'INVALID_MANIFEST', source_key: 'runs/run-bad/manifest.json' });
    expect(error.issues[0]?.path).toBe('stages.0.settings.max_response_length');
    expect(await storage.head(runKeys.status('run-bad', 1))).toBeUndefined();
  });

  it('a manifest naming a data file that is not there is rejected before anything is submitted', async () => {
    const storage = s3.storage('');
    const manifest = await writeRunData(storage, 'run-nodata');
    await storage.delete(runKeys.data('run-nodata', 'stages/2/data/train.jsonl'));
    await writeManifest(storage, 'run-nodata', manifest);
    await settle();
    expect(batch).not.toHaveReceivedCommand(SubmitJobCommand);
    const error = JSON.parse((await storage.getText(runKeys.error('run-nodata'))) ?? '{}');
    expect(error).toMatchObject({ code: 'MISSING_DATA', issues: [{ path: 'stages.1.data.0.path' }] });
  });

  it('a manifest that is not JSON is rejected with the parse error', async () => {
    const storage = s3.storage('');
    await storage.put(runKeys.manifest('run-garbled'), '{"version": 1,');
    await settle();
    expect(batch).not.toHaveReceivedCommand(SubmitJobCommand);
    const error = JSON.parse((await storage.getText(runKeys.error('run-garbled'))) ?? '{}');
    expect(error.message).toMatch(/runs\/run-garbled\/manifest\.json is not JSON/);
  });

  it('a failed SubmitJob gives the claim back, so a redelivered event submits the stage', async () => {
    const storage = s3.storage('');
    await writeManifest(storage, 'run-retry', await writeRunData(storage, 'run-retry'));
    await settle(); // the upload's own event submits; this test redelivers by hand below
    batch.reset();
    batch.on(SubmitJobCommand).rejectsOnce(new Error('throttled')).resolves({ jobId: 'job-retried' });
    await storage.delete(runKeys.status('run-retry', 1));
    await storage.delete(runKeys.status('run-retry', 2));
    const event = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'gradus-stages' }, object: { key: 'runs/run-retry/manifest.json' } },
        },
      ],
    };
    await expect(trigger(event)).rejects.toThrow('throttled');
    expect(await storage.head(runKeys.status('run-retry', 1))).toBeUndefined();
    await expect(trigger(event)).resolves.toMatchObject([{ result: { outcome: 'submitted' } }]);
    expect(batch).toHaveReceivedCommandTimes(SubmitJobCommand, 3);
    expect(await readStageStatus(storage, 'run-retry', 1)).toMatchObject({
      state: 'queued',
      job_id: 'job-retried',
    });
  });
});

describe('stage trigger claims on local disk (O_EXCL)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gradus-trigger-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('two events for one run handled at once submit each stage exactly once', async () => {
    const storage = new LocalStorage(dir);
    await writeManifest(storage, 'run-c', await writeRunData(storage, 'run-c'));
    const localTrigger = createStageTrigger(deps(() => new LocalStorage(dir)));
    const bridge = {
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'gradus-stages' }, object: { key: 'runs/run-c/manifest.json' } },
    };
    const results = await Promise.all([localTrigger(bridge), localTrigger(bridge), localTrigger(bridge)]);
    expect(batch).toHaveReceivedCommandTimes(SubmitJobCommand, 2);
    const submittedPerStage = [1, 2].map(
      (k) =>
        results.filter((r) => r[0]?.result.outcome === 'submitted' && r[0].result.stages[k - 1]?.submitted)
          .length,
    );
    expect(submittedPerStage).toEqual([1, 1]);
    const ids = results.map((r) =>
      r[0]?.result.outcome === 'submitted' ? r[0].result.stages.map((s) => s.jobId) : [],
    );
    expect(new Set(ids.map((x) => x.join()))).toHaveProperty('size', 1); // everyone agrees on the job ids
  });
});
