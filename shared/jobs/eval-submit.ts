import { evalJobEnv } from '../eval/prefix.ts';
import { StageManifest } from '../formats/stage-manifest.ts';
import { findJson, StoredJsonError } from '../io/get-json.ts';
import type { Storage } from '../storage/types.ts';
import {
  type CheckpointEvalStatus,
  type CheckpointRef,
  claimEval,
  evalJobName,
  evalKeys,
  evalOptIn,
  readCompleteCheckpoint,
  readEvalStatus,
  writeEvalStatus,
} from './checkpoint-eval.ts';
import { runKeys } from './contract.ts';
import type { JobRunner, JobSpec } from './runner.ts';
import type { StageDefaults } from './submit.ts';

export interface SubmitEvalOptions {
  storage: Storage;
  runner: JobRunner;
  checkpoint: CheckpointRef;
  /** How the job opens the same storage: `s3://bucket[/prefix]` or a local folder. */
  storageUrl: string;
  defaults: StageDefaults;
  /** Added to the job's environment (S3 endpoint, benchmark folder, ...). */
  env?: Record<string, string>;
}

/** Why nothing was submitted, or what was. */
export type SubmitEvalResult =
  | { outcome: 'not-opted-in' | 'no-manifest' | 'invalid-manifest' | 'no-such-stage' | 'incomplete' }
  | {
      outcome: 'submitted' | 'already-claimed';
      jobName: string;
      jobId?: string;
      status: CheckpointEvalStatus;
    };

/** The run manifest, parsed; no data checks (the stages were checked when they were submitted). */
async function readManifest(storage: Storage, runId: string): Promise<StageManifest | 'missing' | 'invalid'> {
  try {
    return (await findJson(storage, runKeys.manifest(runId), StageManifest)) ?? 'missing';
  } catch (err) {
    if (err instanceof StoredJsonError) return 'invalid';
    throw err;
  }
}

function evalJobSpec(options: SubmitEvalOptions, status: CheckpointEvalStatus): JobSpec {
  const ref = options.checkpoint;
  return {
    name: status.job_name,
    // An evaluation waits for nothing: its checkpoint is already complete.
    dependsOn: [],
    // The job reads what to evaluate (benchmarks, preset, checkpoint) from the claim in its prefix.
    env: {
      ...options.env,
      ...evalJobEnv(options.storageUrl, evalKeys.folder(ref.runId, ref.stage, ref.step), status.job_name),
    },
    // One node: the job serves the checkpoint with vLLM on this node's GPUs and evaluates against it.
    resources: {
      nodes: 1,
      gpusPerNode: options.defaults.gpusPerNode,
      vcpus: options.defaults.vcpus,
      memoryMiB: options.defaults.memoryMiB,
    },
    tags: {
      'gradus:run': ref.runId,
      'gradus:stage': String(ref.stage),
      'gradus:eval-step': String(ref.step),
    },
  };
}

/**
 * Submits one evaluation of a checkpoint when the run's manifest opts in (`eval.on_checkpoint`) and the
 * checkpoint is complete. Claimed with a conditional write of `evals/<step>/status.json`, so duplicate
 * events submit nothing new. A failed submission gives the claim back for a redelivered event.
 */
export async function submitCheckpointEval(options: SubmitEvalOptions): Promise<SubmitEvalResult> {
  const { storage, runner, checkpoint: ref } = options;
  const manifest = await readManifest(storage, ref.runId);
  if (manifest === 'missing') return { outcome: 'no-manifest' };
  if (manifest === 'invalid') return { outcome: 'invalid-manifest' };
  const optIn = evalOptIn(manifest);
  if (optIn === undefined) return { outcome: 'not-opted-in' };
  if (manifest.stages[ref.stage - 1] === undefined) return { outcome: 'no-such-stage' };
  const complete = await readCompleteCheckpoint(storage, ref);
  if (complete === undefined) return { outcome: 'incomplete' };
  if (optIn.benchmarks.some((b) => b.includes(','))) {
    throw new Error(`${runKeys.manifest(ref.runId)}: eval.benchmarks entries may not contain ","`);
  }

  const name = evalJobName(ref);
  const now = new Date().toISOString();
  const fresh: CheckpointEvalStatus = {
    version: 1,
    run_id: ref.runId,
    stage: ref.stage,
    step: ref.step,
    state: 'queued',
    runner: runner.kind,
    job_name: name,
    checkpoint: complete.prefix,
    benchmarks: optIn.benchmarks,
    preset: optIn.preset ?? 'paper',
    attempts: 0,
    claimed_at: now,
    updated_at: now,
  };
  // Read first: on servers that ignore If-None-Match (s3rver) this is what settles a redelivery.
  const seen = await readEvalStatus(storage, ref);
  if (seen !== undefined || !(await claimEval(storage, fresh))) {
    const status = seen ?? (await readEvalStatus(storage, ref));
    if (status === undefined) throw new Error(`${evalKeys.status(ref.runId, ref.stage, ref.step)} vanished`);
    return { outcome: 'already-claimed', jobName: name, jobId: status.job_id, status };
  }
  let job: Awaited<ReturnType<JobRunner['submit']>>;
  try {
    job = await runner.submit(evalJobSpec(options, fresh));
  } catch (err) {
    await storage.delete(evalKeys.status(ref.runId, ref.stage, ref.step));
    throw err;
  }
  const submittedAt = new Date().toISOString();
  const status: CheckpointEvalStatus = {
    ...fresh,
    job_id: job.id,
    log_url: job.logUrl,
    submitted_at: submittedAt,
    updated_at: submittedAt,
  };
  await writeEvalStatus(storage, status);
  return { outcome: 'submitted', jobName: name, jobId: job.id, status };
}
