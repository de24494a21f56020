import { DEFAULT_MATH_OPTIONS, type MathVerdict } from '../../math/types.ts';
import { verifyMath } from '../../math/verify.ts';
import type { MathJob } from '../job.ts';
import type { Scorer, Verdict } from '../verdict.ts';

export const scoreMath: Scorer<MathJob> = async (job) => gradeMath(job);

/**
 * `verifyMath` against each gold until one matches ("correct if any matches"), all within the item's one
 * time budget. Synchronous: a math worker thread runs it as it is.
 */
export function gradeMath(job: MathJob): Verdict {
  const budget = job.options.timeoutMs ?? DEFAULT_MATH_OPTIONS.timeoutMs;
  const t0 = performance.now();
  let first: MathVerdict | undefined;
  for (const gold of job.golds) {
    const remaining = budget - (performance.now() - t0);
    if (remaining < 1)
      return { ...toVerdict(first), status: 'timeout', reason: 'time budget spent on earlier golds' };
    const verdict = verifyMath(job.item.response, gold, { ...job.options, timeoutMs: Math.floor(remaining) });
    if (verdict.correct) return toVerdict(verdict);
    first ??= verdict;
    if (verdict.status === 'timeout') break;
  }
  return toVerdict(first);
}

function toVerdict(v: MathVerdict | undefined): Verdict {
  if (v === undefined) return { score: 0, correct: false, status: 'error', extracted: null };
  const out: Verdict = { score: v.score, correct: v.correct, status: v.status, extracted: v.extracted };
  if (v.gold_parsed !== undefined) out.gold_parsed = v.gold_parsed;
  if (v.reason !== undefined) out.reason = v.reason;
  return out;
}
