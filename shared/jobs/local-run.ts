import { join } from 'node:path';
import type { Storage } from '../storage/types.ts';
import {
  latestCompleteCheckpoint,
  readStageStatus,
  stepOfCheckpointKey,
  updateStageStatus,
} from './contract.ts';
import { LocalJobRunner } from './local.ts';
import type { JobInfo } from './runner.ts';
import { StageEvent } from './stage-events.ts';
import { type SubmitRunResult, submitRun } from './submit.ts';

export interface LocalRunOptions {
  storage: Storage;
  runId: string;
  /** The trainer each stage runs (`sh -c`), e.g. verl's `python3 -m verl.trainer.main_ppo ...`. */
  trainerCommand: string;
  /** Scratch space: `<workDir>/stage-<k>/` per stage and `<workDir>/logs/<job>.log`. */
  workDir: string;
  /** How to start `gradus stage exec` (e.g. `[process.execPath, ".../gradus.ts"]`). */
  gradusCommand: string[];
  gpusPerNode?: number;
  env?: Record<string, string>;
  /** Told as each stage is skipped, starts, reports a step, seals a checkpoint and ends. */
  onEvent?: (event: StageEvent) => void;
}

export interface LocalRunResult {
  result: SubmitRunResult;
  jobs: Array<{ stage: number; job?: JobInfo }>;
  ok: boolean;
}

/**
 * Runs a run's stages on this machine, in order, through the local runner: stages that already
 * succeeded are skipped, the others (re)start and resume from their newest complete checkpoint.
 */
export async function runStagesLocally(o: LocalRunOptions): Promise<LocalRunResult> {
  const emit = o.onEvent ?? (() => {});
  const runner = new LocalJobRunner({
    command: [...o.gradusCommand, 'stage', 'exec'],
    logDir: join(o.workDir, 'logs'),
    onMessage: (job, message) => {
      const event = StageEvent.safeParse(message);
      if (!event.success) return;
      emit(event.data.type === 'started' ? { ...event.data, log: job.logUrl } : event.data);
    },
  });
  const result = await submitRun({
    storage: o.storage,
    runner,
    runId: o.runId,
    sourceKey: `runs/${o.runId}/manifest.json`,
    storageUrl: o.storage.url,
    defaults: { gpusPerNode: o.gpusPerNode ?? 1 },
    env: {
      ...o.env,
      GRADUS_TRAINER_COMMAND: o.trainerCommand,
      GRADUS_WORK_DIR: o.workDir,
      GRADUS_GPUS_PER_NODE: String(o.gpusPerNode ?? 1),
    },
    resubmit: 'unfinished',
  });
  if (result.outcome === 'rejected') return { result, jobs: [], ok: false };
  const jobs: LocalRunResult['jobs'] = [];
  for (const stage of result.stages) {
    if (!stage.submitted || stage.jobId === undefined) {
      jobs.push({ stage: stage.stage });
      emit({ type: 'skipped', stage: stage.stage });
      continue;
    }
    const job = await runner.wait(stage.jobId);
    job.reason = await stageReason(o, stage.stage, job);
    jobs.push({ stage: stage.stage, job });
    const latest = await latestCompleteCheckpoint(o.storage, o.runId, stage.stage);
    // A stage its plateau rule ended says why, and which checkpoint it hands on.
    const ended =
      job.state === 'succeeded' ? await readStageStatus(o.storage, o.runId, stage.stage) : undefined;
    const final = ended?.ended_by && ended.final_checkpoint;
    emit({
      type: 'finished',
      stage: stage.stage,
      state: job.state === 'succeeded' ? 'succeeded' : 'failed',
      reason: job.reason ?? (final ? ended?.reason : undefined),
      latestCheckpoint: latest?.step,
      finalCheckpoint: final ? stepOfCheckpointKey(final) : undefined,
      log: job.logUrl,
    });
    if (job.state === 'failed') {
      // The job may have died before it could say so (or never ran: its dependency failed).
      await updateStageStatus(o.storage, o.runId, stage.stage, (current) =>
        current.state === 'failed'
          ? {}
          : { state: 'failed', reason: job.reason, finished_at: new Date().toISOString() },
      );
    }
  }
  const ok = result.stages.every((s, i) =>
    s.submitted ? jobs[i]?.job?.state === 'succeeded' : s.state === 'succeeded',
  );
  return { result, jobs, ok };
}

/**
 * Why a stage's job failed, in the stage's own words: what the job wrote to status.json (the trainer's
 * exit code, a missing checkpoint) rather than the exit code of `gradus stage exec`, which is 1 for any
 * failure. A job that never started (its dependency failed) keeps the runner's reason.
 */
async function stageReason(o: LocalRunOptions, stage: number, job: JobInfo): Promise<string | undefined> {
  if (job.state !== 'failed' || job.reason?.startsWith('dependency ')) return job.reason;
  const status = await readStageStatus(o.storage, o.runId, stage);
  if (status?.state === 'failed' && status.reason) return status.reason;
  return `gradus stage exec ${job.reason ?? 'failed'} before recording why; see ${job.logUrl}`;
}
