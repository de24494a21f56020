import type { RewardScorer } from '../reward/score.ts';
import type { Storage } from '../storage/types.ts';
import { EvalPlan } from './plan.ts';
import { executeAndRecord, workDirFor } from './service.ts';
import { EVAL_ID, EvalStatus, evalKeys } from './status.ts';

/**
 * The body of an eval job (`gradus eval job`, run by the job runner for a large POST /v1/eval): reads the
 * plan the service stored, runs it, and records status and results in the same places an in-process
 * evaluation would. Returns the final state.
 */
export async function runStoredEval(
  storage: Storage,
  id: string,
  scorer: RewardScorer,
  benchmarkDir?: string,
): Promise<EvalStatus['state']> {
  if (!EVAL_ID.test(id)) throw new Error(`"${id}" is not an eval id`);
  const planText = await storage.getText(evalKeys.plan(id));
  if (planText === undefined) throw new Error(`${storage.url}: no plan stored for eval ${id}`);
  const plan = EvalPlan.parse(JSON.parse(planText));
  const statusText = await storage.getText(evalKeys.status(id));
  const status = EvalStatus.parse(statusText === undefined ? { id } : JSON.parse(statusText));
  await executeAndRecord(storage, plan, status, { scorer, workDir: workDirFor(storage, id), benchmarkDir });
  return status.state;
}
