import { DEFAULT_MATH_OPTIONS, type MathVerdict } from '../../math/types.ts';
import { verifyMath } from '../../math/verify.ts';
import { MATH_GOLD, mathGolds } from '../gold.ts';
import { mathOptionsOf } from '../options.ts';
import type { Scorer, Verdict } from '../verdict.ts';

/** Grades a math item with `verifyMath`; several golds mean "correct if any matches", within one time budget. */
export const scoreMath: Scorer = (item) => {
  const golds = mathGolds(item.ground_truth);
  if (golds === undefined) return errorVerdict(`math ground_truth must be ${MATH_GOLD}`);
  const options = mathOptionsOf(item);
  const budget = options?.timeoutMs ?? DEFAULT_MATH_OPTIONS.timeoutMs;
  const t0 = performance.now();
  let first: MathVerdict | undefined;
  for (const gold of golds) {
    const remaining = budget - (performance.now() - t0);
    if (remaining < 1)
      return { ...toVerdict(first), status: 'timeout', reason: 'time budget spent on earlier golds' };
    const verdict = verifyMath(item.response, gold, { ...options, timeoutMs: Math.floor(remaining) });
    if (verdict.correct) return toVerdict(verdict);
    first ??= verdict;
    if (verdict.status === 'timeout') break;
  }
  return toVerdict(first);
};

function toVerdict(v: MathVerdict | undefined): Verdict {
  if (v === undefined) return { score: 0, correct: false, status: 'error', extracted: null };
  const out: Verdict = { score: v.score, correct: v.correct, status: v.status, extracted: v.extracted };
  if (v.gold_parsed !== undefined) out.gold_parsed = v.gold_parsed;
  if (v.reason !== undefined) out.reason = v.reason;
  return out;
}

function errorVerdict(reason: string): Verdict {
  return { score: 0, correct: false, status: 'error', extracted: null, reason };
}
