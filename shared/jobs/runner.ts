/**
 * Where stage jobs run. `local.ts` runs them one after another on this machine; `batch.ts` submits
 * them to AWS Batch. The stage logic (what a job does) is the same either way: see `stage-exec.ts`.
 */

export interface JobResources {
  /** More than one node makes a Batch multi-node parallel job. */
  nodes: number;
  gpusPerNode: number;
  vcpus?: number;
  memoryMiB?: number;
}

export interface JobSpec {
  /** Deterministic (see `jobName`): the same stage of the same run always has the same name. */
  name: string;
  /** Job ids this job waits for; it fails without running when one of them fails. */
  dependsOn: string[];
  env: Record<string, string>;
  resources: JobResources;
  tags?: Record<string, string>;
}

export interface SubmittedJob {
  id: string;
  name: string;
  /** Where the job's output can be read: a file path (local) or a CloudWatch console URL (Batch). */
  logUrl?: string;
}

export type JobState = 'pending' | 'running' | 'succeeded' | 'failed';

export interface JobInfo extends SubmittedJob {
  state: JobState;
  reason?: string;
}

export interface JobRunner {
  readonly kind: 'local' | 'batch';
  submit(spec: JobSpec): Promise<SubmittedJob>;
  /** The job's current state, or undefined when the runner does not know the id. */
  describe(id: string): Promise<JobInfo | undefined>;
  /** An existing job with this exact name, if the runner can look one up (recovers a lost submission). */
  findByName?(name: string): Promise<SubmittedJob | undefined>;
}

/** `gradus-<run>-s<k>`: within Batch's rules (at most 128 of `[A-Za-z0-9_-]`) since run ids are. */
export function jobName(runId: string, stage: number): string {
  return `gradus-${runId}-s${stage}`;
}
