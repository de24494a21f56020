import {
  BatchClient,
  DescribeJobsCommand,
  type JobStatus,
  ListJobsCommand,
  type ResourceRequirement,
  SubmitJobCommand,
  type SubmitJobCommandInput,
} from '@aws-sdk/client-batch';
import type { JobInfo, JobRunner, JobSpec, JobState, SubmittedJob } from './runner.ts';

export interface BatchRunnerConfig {
  /** The queue every stage can run on (on-demand capacity; multi-node jobs need it). */
  jobQueue: string;
  /** Single-node stages go here when set: Spot first; a reclaimed host retries and the stage resumes. */
  spotJobQueue?: string;
  /** Single-node job definition (ARN or name[:revision]). */
  jobDefinition: string;
  /** Multi-node parallel job definition, used when a stage asks for more than one node. */
  multiNodeJobDefinition?: string;
  region: string;
  /** CloudWatch log group of the job definitions (Batch's default). */
  logGroup?: string;
  client?: BatchClient;
}

const STATES: Record<JobStatus, JobState> = {
  SUBMITTED: 'pending',
  PENDING: 'pending',
  RUNNABLE: 'pending',
  STARTING: 'pending',
  RUNNING: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
};

function resourceRequirements(spec: JobSpec): ResourceRequirement[] {
  const { gpusPerNode, vcpus, memoryMiB } = spec.resources;
  const requirements: ResourceRequirement[] = [{ type: 'GPU', value: String(gpusPerNode) }];
  if (vcpus !== undefined) requirements.push({ type: 'VCPU', value: String(vcpus) });
  if (memoryMiB !== undefined) requirements.push({ type: 'MEMORY', value: String(memoryMiB) });
  return requirements;
}

/** The SubmitJob request for a spec: pure, so tests can read it without a client. */
export function submitJobInput(config: BatchRunnerConfig, spec: JobSpec): SubmitJobCommandInput {
  const environment = Object.entries(spec.env).map(([name, value]) => ({ name, value }));
  const container = { environment, resourceRequirements: resourceRequirements(spec) };
  const multiNode = spec.resources.nodes > 1;
  if (multiNode && config.multiNodeJobDefinition === undefined) {
    throw new Error(
      `job ${spec.name} asks for ${spec.resources.nodes} nodes but no multi-node job definition is configured`,
    );
  }
  const input: SubmitJobCommandInput = {
    jobName: spec.name,
    jobQueue: multiNode ? config.jobQueue : (config.spotJobQueue ?? config.jobQueue),
    jobDefinition: multiNode ? config.multiNodeJobDefinition : config.jobDefinition,
    dependsOn: spec.dependsOn.map((jobId) => ({ jobId })),
    tags: spec.tags,
    propagateTags: true,
  };
  if (multiNode) {
    // Multi-node jobs take no containerOverrides: the overrides go to every node range instead.
    input.nodeOverrides = {
      numNodes: spec.resources.nodes,
      nodePropertyOverrides: [{ targetNodes: '0:', containerOverrides: container }],
    };
  } else {
    input.containerOverrides = container;
  }
  return input;
}

/** The Batch console page of a job (logs appear there and in CloudWatch once it starts). */
export function batchJobUrl(region: string, jobId: string): string {
  return `https://${region}.console.aws.amazon.com/batch/home?region=${region}#jobs/detail/${jobId}`;
}

/** CloudWatch's console escapes `/` in log group and stream names as `$252F`. */
export function cloudWatchLogUrl(region: string, logGroup: string, logStream: string): string {
  const consoleEscape = (s: string) => encodeURIComponent(s).replace(/%/g, () => '$25');
  return (
    `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}` +
    `#logsV2:log-groups/log-group/${consoleEscape(logGroup)}/log-events/${consoleEscape(logStream)}`
  );
}

export class BatchJobRunner implements JobRunner {
  readonly kind = 'batch';
  readonly config: BatchRunnerConfig;
  readonly client: BatchClient;

  constructor(config: BatchRunnerConfig) {
    this.config = config;
    this.client = config.client ?? new BatchClient({ region: config.region });
  }

  async submit(spec: JobSpec): Promise<SubmittedJob> {
    const out = await this.client.send(new SubmitJobCommand(submitJobInput(this.config, spec)));
    if (!out.jobId) throw new Error(`SubmitJob for ${spec.name} returned no job id`);
    return { id: out.jobId, name: spec.name, logUrl: batchJobUrl(this.config.region, out.jobId) };
  }

  async describe(id: string): Promise<JobInfo | undefined> {
    const out = await this.client.send(new DescribeJobsCommand({ jobs: [id] }));
    const job = out.jobs?.[0];
    if (!job?.jobId || !job.status) return undefined;
    const stream = job.container?.logStreamName;
    const logUrl = stream
      ? cloudWatchLogUrl(this.config.region, this.config.logGroup ?? '/aws/batch/job', stream)
      : batchJobUrl(this.config.region, job.jobId);
    return {
      id: job.jobId,
      name: job.jobName ?? '',
      state: STATES[job.status],
      reason: job.statusReason,
      logUrl,
    };
  }

  async findByName(name: string): Promise<SubmittedJob | undefined> {
    const queues = [this.config.jobQueue, this.config.spotJobQueue].filter(
      (q): q is string => q !== undefined,
    );
    const live = [];
    for (const jobQueue of queues) {
      const out = await this.client.send(
        new ListJobsCommand({ jobQueue, filters: [{ name: 'JOB_NAME', values: [name] }] }),
      );
      live.push(...(out.jobSummaryList ?? []).filter((j) => j.jobName === name && j.status !== 'FAILED'));
    }
    const newest = live.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0];
    return newest?.jobId
      ? { id: newest.jobId, name, logUrl: batchJobUrl(this.config.region, newest.jobId) }
      : undefined;
  }
}
