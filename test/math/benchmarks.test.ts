/**
 * Every gold answer of the benchmark files (the benchmarks data set) must be accepted when a response
 * states it in a box, and must not be accepted as the answer of a problem whose gold differs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataPath } from '../../scripts/data-dir.ts';
import { verifyMath } from '../../shared/math/verify.ts';
import { needData } from '../helpers/data.ts';

type Row = Record<string, unknown>;

function lastBoxed(s: string): string[] {
  const i = s.lastIndexOf('\\boxed{');
  if (i < 0) return [];
  let depth = 0;
  for (let j = i + 6; j < s.length; j++) {
    if (s[j] === '{') depth++;
    else if (s[j] === '}' && --depth === 0) return [s.slice(i + 7, j)];
  }
  return [];
}

const GOLDS: Record<string, (r: Row) => string[]> = {
  aime24: (r) => [String(r.answer)],
  aime25: (r) => [String(r.answer)],
  amc23: (r) => [String(r.answer)],
  math500: (r) => [String(r.answer)],
  olympiadbench: (r) => r.final_answer as string[],
  minerva_math: (r) => lastBoxed(String(r.solution)),
};

function golds(file: string): string[] {
  const rows = readFileSync(dataPath(`benchmarks/${file}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
  return rows.flatMap((r) => (GOLDS[file] as (r: Row) => string[])(r));
}

const boxed = (answer: string) => `Putting it together, the final answer is $\\boxed{${answer}}$.`;

const BENCHMARKS = needData('the benchmark golds boxed back', 'benchmarks');

describe.skipIf(!BENCHMARKS.has()).each(Object.keys(GOLDS))('%s golds', (file) => {
  const all = BENCHMARKS.has() ? golds(file) : [];

  it('each gold is accepted when boxed back as the answer', () => {
    const rejected = all.filter((g) => !verifyMath(boxed(g), g).correct);
    expect(rejected).toEqual([]);
  });

  it("another problem's different gold is not accepted", () => {
    const wronglyAccepted: string[] = [];
    for (const [i, gold] of all.entries()) {
      const other = all[(i + 1) % all.length] as string;
      // `x=5` states the value 5: an assignment to a single letter is unwrapped on purpose.
      const same = other.replace(/\s/g, '').replace(/^[a-z]=/, '') === gold.replace(/\s/g, '');
      if (!same && verifyMath(boxed(other), gold).correct) wronglyAccepted.push(`${gold}  <-  ${other}`);
    }
    // Neighbours stating the same value in another form (0.5 and \frac12) would belong here too; apart from
    // the assignment above none exist in these files, so any entry is a false positive.
    expect(wronglyAccepted).toEqual([]);
  });
});
