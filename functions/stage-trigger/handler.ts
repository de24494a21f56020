// Lambda entry: an S3 object-created event for `runs/<run-id>/manifest.json` submits that run's stages;
// one for a checkpoint manifest (`runs/<run-id>/stages/<k>/checkpoints/<step>/checkpoint.json`) submits an
// evaluation of that checkpoint when the run's manifest opts in (`eval.on_checkpoint`).
import { BatchJobRunner } from '../../shared/jobs/batch.ts';
import { checkpointOfManifestKey } from '../../shared/jobs/checkpoint-eval.ts';
import { runIdOfManifestKey } from '../../shared/jobs/contract.ts';
import { type SubmitEvalResult, submitCheckpointEval } from '../../shared/jobs/eval-submit.ts';
import { createdObjects } from '../../shared/jobs/events.ts';
import type { JobRunner } from '../../shared/jobs/runner.ts';
import { type StageDefaults, type SubmitRunResult, submitRun } from '../../shared/jobs/submit.ts';
import { openStorage } from '../../shared/storage/index.ts';
import type { Storage } from '../../shared/storage/types.ts';

export interface StageTriggerDeps {
  /** The storage at the root of a bucket. */
  storageFor(bucket: string): Storage;
  /** How jobs open that storage (default `s3://<bucket>`; a local folder with the local runner). */
  storageUrlFor?(bucket: string): string;
  runner: JobRunner;
  defaults: StageDefaults;
  /** Passed to every job (reward service URL, base model, ...). */
  jobEnv?: Record<string, string>;
  /** Passed to checkpoint evaluation jobs only (benchmark folder, ...). */
  evalJobEnv?: Record<string, string>;
}

/** A checkpoint event's outcome: an evaluation submitted, or why not. */
export type CheckpointEvalOutcome = {
  outcome: 'checkpoint';
  stage: number;
  step: number;
  evaluation: SubmitEvalResult;
};

export type TriggerOutcome = { key: string; runId: string; result: SubmitRunResult | CheckpointEvalOutcome };

export function createStageTrigger(deps: StageTriggerDeps) {
  return async (event: unknown): Promise<TriggerOutcome[]> => {
    const outcomes: TriggerOutcome[] = [];
    for (const { bucket, key } of createdObjects(event)) {
      const checkpoint = checkpointOfManifestKey(key);
      if (checkpoint !== undefined) {
        const evaluation = await submitCheckpointEval({
          storage: deps.storageFor(bucket),
          runner: deps.runner,
          checkpoint,
          storageUrl: deps.storageUrlFor?.(bucket) ?? `s3://${bucket}`,
          defaults: deps.defaults,
          env: { ...deps.jobEnv, ...deps.evalJobEnv },
        });
        console.log(JSON.stringify({ key, runId: checkpoint.runId, evaluation: evaluation.outcome }));
        const { runId, stage, step } = checkpoint;
        outcomes.push({ key, runId, result: { outcome: 'checkpoint', stage, step, evaluation } });
        continue;
      }
      const runId = runIdOfManifestKey(key);
      if (runId === undefined) continue; // checkpoint files, data, status files: not ours to act on
      const result = await submitRun({
        storage: deps.storageFor(bucket),
        runner: deps.runner,
        runId,
        sourceKey: key,
        storageUrl: deps.storageUrlFor?.(bucket) ?? `s3://${bucket}`,
        defaults: deps.defaults,
        env: deps.jobEnv,
        resubmit: 'never',
      });
      console.log(JSON.stringify({ key, runId, outcome: result.outcome }));
      outcomes.push({ key, runId, result });
    }
    return outcomes;
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`stage trigger: environment variable ${name} is not set`);
  return value;
}

const optionalInt = (value: string | undefined) => (value ? Number.parseInt(value, 10) : undefined);

/** Deployment settings from the function's environment (see infra/stage-trigger.yml). */
export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): StageTriggerDeps {
  const jobEnv: Record<string, string> = {};
  for (const name of ['GRADUS_URL', 'GRADUS_BASE_MODEL']) if (env[name]) jobEnv[name] = env[name] as string;
  const evalJobEnv: Record<string, string> = {};
  for (const name of ['GRADUS_BENCHMARKS', 'GRADUS_EVAL_SERVER_COMMAND']) {
    if (env[name]) evalJobEnv[name] = env[name] as string;
  }
  return {
    storageFor: (bucket) => openStorage(`s3://${bucket}`),
    runner: new BatchJobRunner({
      jobQueue: required(env, 'GRADUS_JOB_QUEUE'),
      spotJobQueue: env.GRADUS_SPOT_JOB_QUEUE || undefined,
      jobDefinition: required(env, 'GRADUS_JOB_DEFINITION'),
      multiNodeJobDefinition: env.GRADUS_MULTINODE_JOB_DEFINITION || undefined,
      region: env.AWS_REGION || 'us-east-1',
    }),
    defaults: {
      gpusPerNode: optionalInt(env.GRADUS_GPUS_PER_NODE) ?? 1,
      vcpus: optionalInt(env.GRADUS_JOB_VCPUS),
      memoryMiB: optionalInt(env.GRADUS_JOB_MEMORY_MIB),
    },
    jobEnv,
    evalJobEnv,
  };
}

let trigger: ReturnType<typeof createStageTrigger> | undefined;

export const handler = (event: unknown) => {
  trigger ??= createStageTrigger(depsFromEnv());
  return trigger(event);
};
