import { RunError, type StageState } from '../formats/run-contract.ts';
import { findJson } from '../io/get-json.ts';
import type { Storage } from '../storage/types.ts';
import {
  latestCompleteCheckpoint,
  readRunManifest,
  readStageStatus,
  runKeys,
  stepOfCheckpointKey,
} from './contract.ts';
import type { JobRunner, JobState } from './runner.ts';

export interface StageStatusRow {
  stage: number;
  name: string;
  /** `pending` when nothing claimed the stage yet. */
  state: StageState | 'pending';
  /** The runner's own view of the job, when it was asked (`--live`). */
  jobState?: JobState;
  attempts: number;
  jobIds: string[];
  latestCheckpoint?: { step: number; key: string };
  /** The checkpoint the next stage starts from, when the stage's plateau rule ended it. */
  finalCheckpoint?: { step?: number; key: string };
  log?: string;
  reason?: string;
}

export interface RunStatus {
  runId: string;
  rows: StageStatusRow[];
  /** error.json's message, when the run was rejected. */
  error?: string;
}

/** Each stage's state, job ids, newest complete checkpoint and log link; the runner, if given, is asked too. */
export async function runStatus(storage: Storage, runId: string, live?: JobRunner): Promise<RunStatus> {
  const error = (await findJson(storage, runKeys.error(runId), RunError))?.message;
  const read = await readRunManifest(storage, runId);
  if (!read.ok) return { runId, rows: [], error: error ?? read.message };
  const rows: StageStatusRow[] = [];
  for (const stage of read.manifest.stages) {
    const status = await readStageStatus(storage, runId, stage.index);
    const checkpoint = await latestCompleteCheckpoint(storage, runId, stage.index);
    const row: StageStatusRow = {
      stage: stage.index,
      name: stage.name,
      state: status?.state ?? 'pending',
      attempts: status?.attempts ?? 0,
      jobIds: status?.job_ids ?? [],
      latestCheckpoint: checkpoint && { step: checkpoint.step, key: checkpoint.prefix },
      finalCheckpoint: status?.final_checkpoint
        ? { step: stepOfCheckpointKey(status.final_checkpoint), key: status.final_checkpoint }
        : undefined,
      log: status?.log_url,
      reason: status?.reason,
    };
    if (live && status?.job_id && status.runner === live.kind) {
      const job = await live.describe(status.job_id);
      if (job) {
        row.jobState = job.state;
        row.log = job.logUrl ?? row.log;
        row.reason ??= job.reason;
      }
    }
    rows.push(row);
  }
  return { runId, rows, error };
}

/** A plain-text table of a run's stages, one stage per block (log links are long). */
export function formatRunStatus(status: RunStatus): string {
  const lines = [`run ${status.runId}`];
  if (status.error) lines.push(`  rejected: ${status.error}`);
  for (const row of status.rows) {
    const job = row.jobState ? ` (job: ${row.jobState})` : '';
    lines.push(`  stage ${row.stage} ${row.name}: ${row.state}${job}, attempts ${row.attempts}`);
    lines.push(`    jobs:       ${row.jobIds.length > 0 ? row.jobIds.join(', ') : '-'}`);
    lines.push(
      `    checkpoint: ${row.latestCheckpoint ? `step ${row.latestCheckpoint.step} (${row.latestCheckpoint.key})` : '-'}`,
    );
    if (row.finalCheckpoint) {
      lines.push(`    handed on:  step ${row.finalCheckpoint.step ?? '?'} (${row.finalCheckpoint.key})`);
    }
    lines.push(`    log:        ${row.log ?? '-'}`);
    if (row.reason) lines.push(`    reason:     ${row.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
