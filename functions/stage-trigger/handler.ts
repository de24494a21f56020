// Lambda entry: an S3 object-created event for `runs/<run-id>/manifest.json` submits that run's stages.
import { BatchJobRunner } from '../../shared/jobs/batch.ts';
import { runIdOfManifestKey } from '../../shared/jobs/contract.ts';
import { createdObjects } from '../../shared/jobs/events.ts';
import type { JobRunner } from '../../shared/jobs/runner.ts';
import { type StageDefaults, type SubmitRunResult, submitRun } from '../../shared/jobs/submit.ts';
import { openStorage } from '../../shared/storage/index.ts';
import type { Storage } from '../../shared/storage/types.ts';

export interface StageTriggerDeps {
  /** The storage at the root of a bucket. */
  storageFor(bucket: string): Storage;
  runner: JobRunner;
  defaults: StageDefaults;
  /** Passed to every job (reward service URL, base model, ...). */
  jobEnv?: Record<string, string>;
}

export type TriggerOutcome = { key: string; runId: string; result: SubmitRunResult };

export function createStageTrigger(deps: StageTriggerDeps) {
  return async (event: unknown): Promise<TriggerOutcome[]> => {
    const outcomes: TriggerOutcome[] = [];
    for (const { bucket, key } of createdObjects(event)) {
      const runId = runIdOfManifestKey(key);
      if (runId === undefined) continue; // checkpoints, data, status files: not ours to act on
      const result = await submitRun({
        storage: deps.storageFor(bucket),
        runner: deps.runner,
        runId,
        sourceKey: key,
        storageUrl: `s3://${bucket}`,
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
  };
}

let trigger: ReturnType<typeof createStageTrigger> | undefined;

export const handler = (event: unknown) => {
  trigger ??= createStageTrigger(depsFromEnv());
  return trigger(event);
};
