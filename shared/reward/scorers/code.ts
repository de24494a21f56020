import { scoreCode as runAndJudge } from '../../code/score.ts';
import type { CodeJob } from '../job.ts';
import type { Scorer, Verdict } from '../verdict.ts';

/** Runs the job's program on its tests in the sandboxes and judges the outputs (shared/code/score.ts). */
export const scoreCode: Scorer<CodeJob> = async (job, ctx) => {
  if (ctx.sandboxes === undefined) throw new Error('a code job reached the scorer without sandboxes');
  const { item } = job;
  const verdict = await runAndJudge(
    {
      response: item.response,
      ground_truth: item.ground_truth,
      language: item.language,
      options: job.options,
    },
    ctx.sandboxes,
  );
  const out: Verdict = {
    score: verdict.score,
    correct: verdict.correct,
    status: verdict.status,
    extracted: verdict.extracted,
    tests: verdict.tests,
  };
  if (verdict.reason !== undefined) out.reason = verdict.reason;
  return out;
};
