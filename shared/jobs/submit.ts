import type { RunError, StageStatus } from '../formats/run-contract.ts';
import type { Stage, StageManifest } from '../formats/stage-manifest.ts';
import type { Storage } from '../storage/types.ts';
import {
  claimStage,
  readRunManifest,
  readStageStatus,
  runKeys,
  writeRunError,
  writeStageStatus,
} from './contract.ts';
import { type JobRunner, type JobSpec, jobName } from './runner.ts';

export interface StageDefaults {
  gpusPerNode: number;
  vcpus?: number;
  memoryMiB?: number;
}

export interface SubmitRunOptions {
  storage: Storage;
  runner: JobRunner;
  runId: string;
  /** The key whose arrival started this (for error.json). */
  sourceKey: string;
  /** How a job opens the same storage: `s3://bucket[/prefix]` or a local folder. */
  storageUrl: string;
  defaults: StageDefaults;
  /** Added to every job's environment (reward URL, S3 endpoint, ...). */
  env?: Record<string, string>;
  /**
   * `never` (the trigger): a stage claimed before is left alone, so duplicate events submit nothing.
   * `unfinished` (a local re-run): stages that did not succeed are submitted again and resume.
   */
  resubmit: 'never' | 'unfinished';
  /** How long to wait for a concurrent claimant to record its job id. */
  claimWaitMs?: number;
}

export interface StageOutcome {
  stage: number;
  jobName: string;
  jobId?: string;
  /** True when this call submitted the job; false when it was already there (or already succeeded). */
  submitted: boolean;
  state: StageStatus['state'];
}

export type SubmitRunResult =
  | { outcome: 'rejected'; error: RunError }
  | { outcome: 'submitted'; manifest: StageManifest; stages: StageOutcome[] };

/** A stage is claimed but its job id has not appeared: retry later (the event source redelivers). */
export class ClaimPendingError extends Error {
  override readonly name = 'ClaimPendingError';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function jobSpec(options: SubmitRunOptions, stage: Stage, dependsOn: string | undefined): JobSpec {
  const name = jobName(options.runId, stage.index);
  return {
    name,
    dependsOn: dependsOn === undefined ? [] : [dependsOn],
    env: {
      ...options.env,
      GRADUS_STORAGE_URL: options.storageUrl,
      GRADUS_RUN_ID: options.runId,
      GRADUS_STAGE: String(stage.index),
      GRADUS_JOB_NAME: name,
    },
    resources: {
      nodes: stage.resources?.nodes ?? 1,
      gpusPerNode: stage.resources?.gpus_per_node ?? options.defaults.gpusPerNode,
      vcpus: options.defaults.vcpus,
      memoryMiB: options.defaults.memoryMiB,
    },
    tags: {
      'gradus:run': options.runId,
      'gradus:stage': String(stage.index),
      'gradus:stage-name': stage.name,
    },
  };
}

async function submitClaimed(
  options: SubmitRunOptions,
  stage: Stage,
  status: StageStatus,
  dependsOn: string | undefined,
): Promise<StageStatus> {
  let job: Awaited<ReturnType<JobRunner['submit']>>;
  try {
    job = await options.runner.submit(jobSpec(options, stage, dependsOn));
  } catch (err) {
    // Give the claim back so a redelivered event can try again.
    if (status.job_ids.length === 0) await options.storage.delete(runKeys.status(options.runId, stage.index));
    throw err;
  }
  const now = new Date().toISOString();
  const next: StageStatus = {
    ...status,
    state: 'queued',
    job_id: job.id,
    job_ids: [...status.job_ids, job.id],
    log_url: job.logUrl,
    submitted_at: now,
    updated_at: now,
    reason: undefined,
    finished_at: undefined,
  };
  await writeStageStatus(options.storage, next);
  return next;
}

/** Reads the claimant's status until it carries a job id, then falls back to a lookup by name. */
async function existingJob(options: SubmitRunOptions, stage: number, name: string): Promise<StageStatus> {
  const deadline = Date.now() + (options.claimWaitMs ?? 5000);
  for (;;) {
    const status = await readStageStatus(options.storage, options.runId, stage);
    if (status === undefined)
      throw new ClaimPendingError(`stage ${stage} lost its claim while being submitted`);
    if (status.job_id !== undefined || status.state !== 'queued') return status;
    if (Date.now() >= deadline) {
      const found = await options.runner.findByName?.(name);
      if (found === undefined) throw new ClaimPendingError(`stage ${stage} is claimed but has no job id yet`);
      const adopted = { ...status, job_id: found.id, job_ids: [found.id], log_url: found.logUrl };
      await writeStageStatus(options.storage, adopted);
      return adopted;
    }
    await sleep(200);
  }
}

/**
 * Validates the run's manifest, then claims and submits each stage once, stage k+1 depending on
 * stage k. An invalid manifest writes `error.json` and submits nothing.
 */
export async function submitRun(options: SubmitRunOptions): Promise<SubmitRunResult> {
  const { storage, runId, runner } = options;
  const read = await readRunManifest(storage, runId);
  if (!read.ok) {
    const error = await writeRunError(storage, runId, {
      code: read.code,
      message: read.message,
      issues: read.issues,
      source_key: options.sourceKey,
    });
    return { outcome: 'rejected', error };
  }
  const stages: StageOutcome[] = [];
  let previous: StageStatus | undefined;
  for (const stage of read.manifest.stages) {
    const name = jobName(runId, stage.index);
    const now = new Date().toISOString();
    const fresh: StageStatus = {
      version: 1,
      run_id: runId,
      stage: stage.index,
      state: 'queued',
      runner: runner.kind,
      job_name: name,
      job_ids: [],
      attempts: 0,
      claimed_at: now,
      updated_at: now,
    };
    // A finished previous stage needs no dependency (and a local runner would not know its old job id).
    const dependsOn = previous?.state === 'succeeded' ? undefined : previous?.job_id;
    let status: StageStatus;
    let submitted = false;
    // Reading first settles a redelivered event with one GET (the only guard on servers that ignore
    // If-None-Match, such as s3rver); the conditional write settles a race between two deliveries.
    const seen = await readStageStatus(storage, runId, stage.index);
    if (seen === undefined && (await claimStage(storage, fresh))) {
      status = await submitClaimed(options, stage, fresh, dependsOn);
      submitted = true;
    } else {
      status = await existingJob(options, stage.index, name);
      if (options.resubmit === 'unfinished' && status.state !== 'succeeded') {
        status = await submitClaimed(options, stage, status, dependsOn);
        submitted = true;
      }
    }
    stages.push({ stage: stage.index, jobName: name, jobId: status.job_id, submitted, state: status.state });
    previous = status;
  }
  return { outcome: 'submitted', manifest: read.manifest, stages };
}
