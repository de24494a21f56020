import {
  type CheckpointEvalStatus,
  type CheckpointRef,
  evalJobName,
  readEvalStatus,
  writeEvalStatus,
} from '../../shared/jobs/checkpoint-eval.ts';
import { runKeys } from '../../shared/jobs/contract.ts';
import type { Storage } from '../../shared/storage/types.ts';

/** The eval block a run needs for a plateau rule on `aime24/pass@1`. */
export const EVAL_BLOCK = { on_checkpoint: true, benchmarks: ['aime24'], preset: 'paper' };
export const METRIC = 'aime24/pass@1';

/** Climbs 0.1 a step to 0.3 at step 3, then stays: with min_delta 0.05 the best is the first step >= 3. */
export const plateauAfterStep3 = (step: number) => Math.min(step, 3) / 10;

/**
 * What a checkpoint evaluation job writes when it is done (eval-job.ts), with a made-up aime24 score
 * instead of a served model: `value` as its pass@1, or no pass@1 at all when undefined.
 */
export async function finishStandInEval(
  storage: Storage,
  ref: CheckpointRef,
  value: number | undefined,
): Promise<void> {
  const now = new Date().toISOString();
  const claimed = await readEvalStatus(storage, ref);
  const status: CheckpointEvalStatus = {
    version: 1,
    run_id: ref.runId,
    stage: ref.stage,
    step: ref.step,
    runner: 'local',
    job_name: evalJobName(ref),
    checkpoint: runKeys.checkpoint(ref.runId, ref.stage, ref.step),
    benchmarks: EVAL_BLOCK.benchmarks,
    preset: EVAL_BLOCK.preset,
    claimed_at: now,
    ...claimed,
    state: 'succeeded',
    attempts: (claimed?.attempts ?? 0) + 1,
    started_at: now,
    finished_at: now,
    updated_at: now,
    summary: [
      {
        benchmark: 'aime24',
        k: 1,
        metrics: { avg: value ?? 0, passAt: value === undefined ? {} : { '1': value } },
      },
    ],
  };
  await writeEvalStatus(storage, status);
}
