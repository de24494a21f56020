/**
 * The math part of the verdict drift check: every labelled item of the math data set (Math-Verify's
 * cases with their test's options, the probe pairs, the MATH-500 self-pairs) and every benchmark gold of
 * the benchmark data set boxed back as the response (and the next problem's gold, a wrong answer),
 * scored by verifyMath.
 */
import { BENCHMARKS, loadProblems } from '../../shared/eval/benchmarks.ts';
import type { MathOptions } from '../../shared/math/types.ts';
import { verifyMath } from '../../shared/math/verify.ts';
import {
  type LabelledPair,
  type MathVerifyRow,
  math500SelfPairs,
  mathVerifyComparisons,
  mathVerifyPrecisionRows,
  mathVerifyStringRows,
  probePairs,
} from '../data/math-cases.ts';
import { findData } from '../data-dir.ts';
import type { VerdictLine } from './snapshot.ts';

function score(key: string, response: string, gold: string, options: Partial<MathOptions> = {}): VerdictLine {
  const v = verifyMath(response, gold, options);
  return { key, status: v.status, correct: v.correct, extracted: v.extracted };
}

const pairLine = (p: LabelledPair) => score(`math/${p.file}#${p.index}`, p.pred, p.gold, p.options);

/** Math-Verify's letter rows: a gold letter is scored as it is; a row with no gold against each letter. */
function stringRowLines(rows: Array<MathVerifyRow & { index: number }>): VerdictLine[] {
  return rows.flatMap((row) => {
    const key = `math/mathverify_cases.jsonl#${row.index}`;
    if (row.gold !== null) return [score(key, String(row.pred), String(row.gold))];
    const config = row.config?.StringExtractionConfig as { strings?: string[] } | undefined;
    return (config?.strings ?? ['A', 'B', 'C', 'D']).map((letter) =>
      score(`${key}/${letter}`, String(row.pred), letter),
    );
  });
}

const boxed = (answer: string) => `Putting it together, the final answer is $\\boxed{${answer}}$.`;

async function benchmarkLines(): Promise<VerdictLine[]> {
  const lines: VerdictLine[] = [];
  for (const b of Object.values(BENCHMARKS)) {
    if (b.task !== 'math') continue;
    const file = findData(`benchmarks/${b.fileName}`);
    if (file === undefined) continue;
    const problems = await loadProblems(b, file);
    const golds = problems.map(
      (p) => (Array.isArray(p.groundTruth) ? p.groundTruth : [p.groundTruth]) as string[],
    );
    for (const [i, p] of problems.entries()) {
      const key = `benchmarks/${b.fileName}#${p.id}`;
      const forms = golds[i] as string[];
      for (const [k, gold] of forms.entries())
        lines.push(score(forms.length > 1 ? `${key}/${k}` : key, boxed(gold), gold));
      const next = golds[(i + 1) % golds.length]?.[0] as string;
      lines.push(score(`${key}~next`, boxed(next), forms[0] as string));
    }
  }
  return lines;
}

/** Every math item's verdict, in file order. */
export async function mathVerdicts(): Promise<VerdictLine[]> {
  return [
    ...mathVerifyComparisons().map(pairLine),
    ...mathVerifyPrecisionRows().map(pairLine),
    ...stringRowLines(mathVerifyStringRows()),
    ...probePairs().map(pairLine),
    ...math500SelfPairs().map(pairLine),
    ...(await benchmarkLines()),
  ];
}
