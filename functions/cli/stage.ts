import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { BatchJobRunner } from '../../shared/jobs/batch.ts';
import { runStagesLocally } from '../../shared/jobs/local-run.ts';
import { executeStage } from '../../shared/jobs/stage-exec.ts';
import { formatRunStatus, runStatus } from '../../shared/jobs/status.ts';
import { openStorage } from '../../shared/storage/index.ts';

/** Stage jobs start this module rather than gradus.ts: it loads only what a stage needs, so it starts faster. */
const stageCli = fileURLToPath(import.meta.url);

/**
 * `<root>/runs/<run-id>[/manifest.json]` (a path or an s3:// URL) -> the storage root and the run id.
 */
export function locateRun(target: string): { root: string; runId: string } {
  const trimmed = target.replace(/\/manifest\.json$/, '').replace(/\/+$/, '');
  if (trimmed.startsWith('runs/')) return locateRun(`./${target}`);
  const cut = trimmed.lastIndexOf('/runs/');
  const runId = trimmed.slice(cut + '/runs/'.length);
  if (cut < 0 || runId === '' || runId.includes('/')) {
    throw new InvalidArgumentError(
      `expected <root>/runs/<run-id> or <root>/runs/<run-id>/manifest.json, got ${JSON.stringify(target)}`,
    );
  }
  const root = trimmed.slice(0, cut) || '/';
  return { root: root.startsWith('s3://') ? root : resolve(root), runId };
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`${what} is required`);
  return value;
}

export function registerStageCommands(program: Command): void {
  const stage = program.command('stage').description('staged training runs: run locally, show status');

  stage
    .command('run')
    .description(
      "run a run's stages in order on this machine (skips stages that succeeded, resumes the rest)",
    )
    .argument('<run>', '<root>/runs/<run-id> or its manifest.json (a path or an s3:// URL)')
    .option('--trainer <command>', 'trainer command each stage runs (env GRADUS_TRAINER_COMMAND)')
    .option('--work-dir <dir>', 'scratch folder for data, checkpoints and logs', '.gradus-work')
    .option('--gpus <n>', 'GPUs per node given to the trainer config', '1')
    .action(async (target: string, opts: { trainer?: string; workDir: string; gpus: string }) => {
      const { root, runId } = locateRun(target);
      const trainerCommand = required(
        opts.trainer ?? process.env.GRADUS_TRAINER_COMMAND,
        '--trainer (or GRADUS_TRAINER_COMMAND)',
      );
      const storage = openStorage(root);
      const { result, jobs, ok } = await runStagesLocally({
        storage,
        runId,
        trainerCommand,
        workDir: resolve(opts.workDir, runId),
        gradusCommand: [process.execPath, stageCli],
        gpusPerNode: Number(opts.gpus),
      });
      if (result.outcome === 'rejected') throw new Error(`run ${runId} rejected: ${result.error.message}`);
      for (const { stage: k, job } of jobs) {
        console.log(
          `stage ${k}: ${job ? `${job.state}${job.reason ? ` (${job.reason})` : ''}, log ${job.logUrl}` : 'already succeeded'}`,
        );
      }
      process.exitCode = ok ? 0 : 1;
    });

  stage
    .command('status')
    .description("each stage's state, job ids, newest complete checkpoint and log link")
    .argument('<run>', '<root>/runs/<run-id> or its manifest.json (a path or an s3:// URL)')
    .option(
      '--live',
      'also ask AWS Batch about Batch jobs (needs credentials; CloudWatch links once started)',
    )
    .option('--region <region>', 'AWS region for --live', process.env.AWS_REGION ?? 'us-east-1')
    .action(async (target: string, opts: { live?: boolean; region: string }) => {
      const { root, runId } = locateRun(target);
      const live = opts.live
        ? new BatchJobRunner({
            jobQueue: process.env.GRADUS_JOB_QUEUE ?? '',
            jobDefinition: '',
            region: opts.region,
          })
        : undefined;
      process.stdout.write(formatRunStatus(await runStatus(openStorage(root), runId, live)));
    });

  stage
    .command('exec')
    .description('run one stage here (what a local or Batch job runs; settings from GRADUS_* variables)')
    .action(async () => {
      const env = process.env;
      const stageIndex = Number(required(env.GRADUS_STAGE, 'GRADUS_STAGE'));
      const workRoot = env.GRADUS_WORK_DIR || join(tmpdir(), 'gradus-work');
      const result = await executeStage({
        storage: openStorage(required(env.GRADUS_STORAGE_URL, 'GRADUS_STORAGE_URL')),
        runId: required(env.GRADUS_RUN_ID, 'GRADUS_RUN_ID'),
        stage: stageIndex,
        workDir: join(workRoot, `stage-${stageIndex}`),
        trainerCommand: required(env.GRADUS_TRAINER_COMMAND, 'GRADUS_TRAINER_COMMAND'),
        runner: env.AWS_BATCH_JOB_ID ? 'batch' : 'local',
        // Nodes of a multi-node job see <job id>#<node index>.
        jobId: env.AWS_BATCH_JOB_ID?.replace(/#\d+$/, '') || undefined,
        nnodes: Number(env.AWS_BATCH_JOB_NUM_NODES || 1),
        gpusPerNode: env.GRADUS_GPUS_PER_NODE ? Number(env.GRADUS_GPUS_PER_NODE) : undefined,
        rewardFunctionPath: env.GRADUS_REWARD_FUNCTION_PATH || undefined,
        defaultBaseModel: env.GRADUS_BASE_MODEL || undefined,
        pollMs: env.GRADUS_CHECKPOINT_POLL_MS ? Number(env.GRADUS_CHECKPOINT_POLL_MS) : undefined,
      });
      console.error(
        `[gradus stage ${stageIndex}] ${result.state}${result.reason ? `: ${result.reason}` : ''}`,
      );
      process.exitCode = result.state === 'succeeded' ? 0 : 1;
    });
}

/** `node functions/cli/stage.ts stage <command>`: the same commands as `gradus stage`. */
if (import.meta.main) {
  const program = new Command('gradus');
  registerStageCommands(program);
  program.parseAsync(process.argv).catch((err: unknown) => {
    console.error(`gradus: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
