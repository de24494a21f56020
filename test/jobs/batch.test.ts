import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchClient, DescribeJobsCommand, ListJobsCommand, SubmitJobCommand } from '@aws-sdk/client-batch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BatchJobRunner, cloudWatchLogUrl, submitJobInput } from '../../shared/jobs/batch.ts';
import { claimStage, readStageStatus } from '../../shared/jobs/contract.ts';
import type { JobSpec } from '../../shared/jobs/runner.ts';
import { formatRunStatus, runStatus } from '../../shared/jobs/status.ts';
import { ClaimPendingError, submitRun } from '../../shared/jobs/submit.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { writeManifest, writeRunData } from './run-fixture.ts';

const batch = mockClient(BatchClient);
const config = {
  jobQueue: 'q-ondemand',
  spotJobQueue: 'q-spot',
  jobDefinition: 'def-single:1',
  multiNodeJobDefinition: 'def-mnp:1',
  region: 'eu-west-1',
  client: new BatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
};
const spec = (nodes: number): JobSpec => ({
  name: 'gradus-r-s1',
  dependsOn: ['j0'],
  env: { A: '1' },
  resources: { nodes, gpusPerNode: 8, memoryMiB: 1000 },
});

beforeEach(() => batch.reset());

describe('Batch job runner', () => {
  it('puts single-node stages on the Spot queue and multi-node ones on on-demand capacity', () => {
    expect(submitJobInput(config, spec(1))).toMatchObject({
      jobQueue: 'q-spot',
      jobDefinition: 'def-single:1',
    });
    expect(submitJobInput(config, spec(4))).toMatchObject({
      jobQueue: 'q-ondemand',
      jobDefinition: 'def-mnp:1',
      dependsOn: [{ jobId: 'j0' }],
      nodeOverrides: { numNodes: 4 },
    });
    expect(submitJobInput({ ...config, spotJobQueue: undefined }, spec(1)).jobQueue).toBe('q-ondemand');
  });

  it('refuses a multi-node stage when no multi-node job definition is configured', () => {
    expect(() => submitJobInput({ ...config, multiNodeJobDefinition: undefined }, spec(2))).toThrow(
      'job gradus-r-s1 asks for 2 nodes but no multi-node job definition is configured',
    );
  });

  it('describes a job with its CloudWatch log link once it has a log stream', async () => {
    batch.on(DescribeJobsCommand).resolves({
      jobs: [
        {
          jobId: 'j1',
          jobName: 'gradus-r-s1',
          jobQueue: 'q',
          jobDefinition: 'd',
          startedAt: 1,
          status: 'RUNNABLE',
          container: { logStreamName: 'gradus-dev-stage/default/abc123' },
        },
      ],
    });
    const info = await new BatchJobRunner(config).describe('j1');
    expect(info).toMatchObject({ id: 'j1', state: 'pending' });
    expect(info?.logUrl).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Fbatch$252Fjob/log-events/gradus-dev-stage$252Fdefault$252Fabc123',
    );
    expect(cloudWatchLogUrl('us-east-1', 'g', 's')).toContain('log-group/g/log-events/s');
  });

  it('finds the newest live job of a name on either queue', async () => {
    batch
      .on(ListJobsCommand, { jobQueue: 'q-ondemand' })
      .resolves({ jobSummaryList: [{ jobId: 'old-failed', jobName: 'n', status: 'FAILED', createdAt: 9 }] })
      .on(ListJobsCommand, { jobQueue: 'q-spot' })
      .resolves({
        jobSummaryList: [
          { jobId: 'a', jobName: 'n', status: 'SUCCEEDED', createdAt: 1 },
          { jobId: 'b', jobName: 'n', status: 'RUNNING', createdAt: 5 },
        ],
      });
    expect(await new BatchJobRunner(config).findByName('n')).toMatchObject({ id: 'b' });
    expect(batch).toHaveReceivedCommandWith(ListJobsCommand, {
      filters: [{ name: 'JOB_NAME', values: ['n'] }],
    });
  });
});

describe('a claim whose submission was not recorded', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gradus-claim-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function claimedWithoutJob(runId: string) {
    const storage = new LocalStorage(dir);
    await writeManifest(storage, runId, await writeRunData(storage, runId, [{}]));
    const now = new Date().toISOString();
    await claimStage(storage, {
      version: 1,
      run_id: runId,
      stage: 1,
      state: 'queued',
      runner: 'batch',
      job_name: `gradus-${runId}-s1`,
      job_ids: [],
      attempts: 0,
      claimed_at: now,
      updated_at: now,
    });
    return storage;
  }
  const options = (storage: LocalStorage, runId: string) => ({
    storage,
    runner: new BatchJobRunner(config),
    runId,
    sourceKey: `runs/${runId}/manifest.json`,
    storageUrl: 's3://b',
    defaults: { gpusPerNode: 1 },
    resubmit: 'never' as const,
    claimWaitMs: 0,
  });

  it("adopts the job Batch has under the stage's name instead of submitting again", async () => {
    const storage = await claimedWithoutJob('lost');
    batch.on(ListJobsCommand).resolves({
      jobSummaryList: [{ jobId: 'found-1', jobName: 'gradus-lost-s1', status: 'RUNNABLE', createdAt: 1 }],
    });
    const result = await submitRun(options(storage, 'lost'));
    expect(result).toMatchObject({ outcome: 'submitted', stages: [{ jobId: 'found-1', submitted: false }] });
    expect(batch).not.toHaveReceivedCommand(SubmitJobCommand);
    expect(await readStageStatus(storage, 'lost', 1)).toMatchObject({ job_id: 'found-1' });
  });

  it('asks for a retry when Batch has no such job yet', async () => {
    const storage = await claimedWithoutJob('pending');
    batch.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    await expect(submitRun(options(storage, 'pending'))).rejects.toBeInstanceOf(ClaimPendingError);
    expect(batch).not.toHaveReceivedCommand(SubmitJobCommand);
  });
});

describe('gradus stage status --live', () => {
  it("adds Batch's view of each job and its CloudWatch link", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gradus-status-'));
    try {
      const storage = new LocalStorage(dir);
      await writeManifest(storage, 'live', await writeRunData(storage, 'live'));
      batch.on(SubmitJobCommand).resolves({ jobId: 'j-s1' });
      const runner = new BatchJobRunner(config);
      await submitRun({
        storage,
        runner,
        runId: 'live',
        sourceKey: 'runs/live/manifest.json',
        storageUrl: 's3://b',
        defaults: { gpusPerNode: 1 },
        resubmit: 'never',
      });
      batch.on(DescribeJobsCommand).resolves({
        jobs: [
          {
            jobId: 'j-s1',
            jobName: 'gradus-live-s1',
            jobQueue: 'q',
            jobDefinition: 'd',
            startedAt: 1,
            status: 'RUNNING',
            container: { logStreamName: 's/default/t' },
          },
        ],
      });
      const status = await runStatus(storage, 'live', runner);
      expect(status.rows[0]).toMatchObject({ state: 'queued', jobState: 'running', jobIds: ['j-s1'] });
      expect(status.rows[0]?.log).toContain('log-events/s$252Fdefault$252Ft');
      expect(formatRunStatus(status)).toContain('stage 1 stage1: queued (job: running), attempts 0');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
