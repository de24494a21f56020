import type { RewardScorer } from '../reward/score.ts';
import type { Storage } from '../storage/types.ts';
import { accessFromEnv } from './access.ts';
import { EvalPlan } from './plan.ts';
import { executeAndRecord, sourceOptionsFor, workDirFor } from './service.ts';
import { EVAL_ID, EvalStatus, evalKeys } from './status.ts';

/**
 * The body of an eval job (`gradus eval job`, run by the job runner for a large POST /v1/eval): reads the
 * plan the service stored, runs it, and records status and results in the same places an in-process
 * evaluation would, under the access policy the service handed on in the environment. The stored plan
 * holds no API key: the endpoint's key, if it needs one, comes from GRADUS_EVAL_API_KEY. Returns the final
 * state.
 */
export async function runStoredEval(
  storage: Storage,
  id: string,
  scorer: RewardScorer,
  benchmarkDir?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EvalStatus['state']> {
  if (!EVAL_ID.test(id)) throw new Error(`"${id}" is not an eval id`);
  const planText = await storage.getText(evalKeys.plan(id));
  if (planText === undefined) throw new Error(`${storage.url}: no plan stored for eval ${id}`);
  const plan = EvalPlan.parse(JSON.parse(planText));
  if (plan.model && !plan.model.apiKey && env.GRADUS_EVAL_API_KEY)
    plan.model.apiKey = env.GRADUS_EVAL_API_KEY;
  const statusText = await storage.getText(evalKeys.status(id));
  const status = EvalStatus.parse(statusText === undefined ? { id } : JSON.parse(statusText));
  await executeAndRecord(storage, plan, status, {
    scorer,
    workDir: workDirFor(storage, id),
    benchmarkDir,
    sources: sourceOptionsFor(accessFromEnv(env), storage),
  });
  return status.state;
}
