import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { siblingEntry } from '../../shared/code/entry-url.ts';
import { BatchJobRunner } from '../../shared/jobs/batch.ts';
import { runStagesLocally } from '../../shared/jobs/local-run.ts';
import { executeStage } from '../../shared/jobs/stage-exec.ts';
import { formatRunStatus, runStatus } from '../../shared/jobs/status.ts';
import { openStorage } from '../../shared/storage/index.ts';
import { locateRun } from './run-location.ts';
import { stageView } from './stage-view.ts';

export { locateRun };

/** Stage jobs start stage-main rather than gradus: it loads only what a stage needs, so it starts faster. */
const stageCli = fileURLToPath(siblingEntry('stage-main', import.meta.url));

/** Scratch space (data, checkpoints, logs) lives in the OS temp folder, never in the checkout. */
function defaultWorkDir(): string {
  return join(tmpdir(), 'gradus-work');
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
    .option(
      '--work-dir <dir>',
      'scratch folder for data, checkpoints and logs (default: gradus-work in the OS temp folder)',
    )
    .option('--gpus <n>', 'GPUs per node given to the trainer config', '1')
    .action(async (target: string, opts: { trainer?: string; workDir?: string; gpus: string }) => {
      const { root, runId } = locateRun(target);
      const trainerCommand = required(
        opts.trainer ?? process.env.GRADUS_TRAINER_COMMAND,
        '--trainer (or GRADUS_TRAINER_COMMAND)',
      );
      const storage = openStorage(root);
      const { result, ok } = await runStagesLocally({
        storage,
        runId,
        trainerCommand,
        workDir: resolve(opts.workDir ?? defaultWorkDir(), runId),
        gradusCommand: [process.execPath, stageCli],
        gpusPerNode: Number(opts.gpus),
        onEvent: stageView(process.stdout),
      });
      if (result.outcome === 'rejected') throw new Error(`run ${runId} rejected: ${result.error.message}`);
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
      const workRoot = env.GRADUS_WORK_DIR || defaultWorkDir();
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
        // Under `gradus stage run`, the events go to it over the IPC channel the local runner opens.
        onEvent: process.send ? (event) => process.send?.(event) : undefined,
      });
      console.error(
        `[gradus stage ${stageIndex}] ${result.state}${result.reason ? `: ${result.reason}` : ''}`,
      );
      process.exitCode = result.state === 'succeeded' ? 0 : 1;
    });
}
