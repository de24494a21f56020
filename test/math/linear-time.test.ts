/**
 * Extraction and clean-up are linear in the response: inputs that made a regex backtrack exponentially or
 * a loop rescan the text (seconds to minutes before) now verify in milliseconds, with the right verdict.
 *
 * Each input runs in a worker thread (a hang terminates it and fails the test instead of blocking
 * vitest) once as a warm-up, then timed: the best of three calls, as measured inside the worker, must
 * stay under a bound far below the budget (phrases and answers of honest length 20 ms, whole
 * responses of up to 256 KiB 200 ms). The items of the math data set must each take under 20 ms.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  type LabelledPair,
  math500SelfPairs,
  mathVerifyComparisons,
  probePairs,
} from '../../scripts/data/math-cases.ts';
import type { MathOptions, MathVerdict } from '../../shared/math/types.ts';
import { verifyMath } from '../../shared/math/verify.ts';
import { needData } from '../helpers/data.ts';
import { IsolatedVerifier } from './isolated-verifier.ts';

/** A call not back by then hung (the old code took from 1 s to minutes on these). */
const HANG_MS = 5_000;
const PHRASE_MS = 20;
const RESPONSE_MS = 200;

interface TimedCase {
  name: string;
  response: string;
  gold: string;
  options?: Partial<MathOptions>;
  expected: Partial<MathVerdict>;
  boundMs: number;
}

const spaces = (n: number) => ' '.repeat(n);

const CASES: TimedCase[] = [
  // Phrases in \text{} after a number (exponential backtracking in the unit pattern: 246 s and 4.1 s).
  {
    name: 'a \\text{} phrase after the number (BANANA, 246 s before)',
    response: String.raw`\boxed{60 \text{ distinct arrangements of the letters in BANANA, counted}}`,
    gold: '60',
    expected: { correct: true, status: 'ok' },
    boundMs: PHRASE_MS,
  },
  {
    name: 'a \\text{} reason after the number (discriminant, 4.1 s before)',
    response: String.raw`\boxed{3\text{ because the discriminant is negative, so}}`,
    gold: '3',
    expected: { correct: true, status: 'ok' },
    boundMs: PHRASE_MS,
  },
  // Runs inside an answer of honest length (quadratic `\s*`/`[..]+$` in the clean-up).
  {
    name: 'an answer with 4000 spaces before a word',
    response: `\\boxed{5${spaces(4000)}x}`,
    gold: '1',
    expected: { correct: false },
    boundMs: PHRASE_MS,
  },
  {
    name: 'an answer with ^ and 4000 spaces',
    response: `\\boxed{5^${spaces(4000)}x}`,
    gold: '1',
    expected: { correct: false },
    boundMs: PHRASE_MS,
  },
  {
    name: 'a boxed gold of 100,000 commas before a letter',
    response: '\\boxed{1}',
    gold: `\\boxed{5${','.repeat(100_000)}x}`,
    expected: { correct: false, status: 'too_large' },
    boundMs: RESPONSE_MS,
  },
  // Whole responses: openers with no closer, many blocks, many candidates (1 s to minutes before).
  {
    name: '20,000 \\[ (40 KB) before the box',
    response: `${'\\['.repeat(20_000)} so \\boxed{1}`,
    gold: '1',
    expected: { correct: true, status: 'ok' },
    boundMs: RESPONSE_MS,
  },
  {
    name: '20,000 \\( (40 KB) before the box',
    response: `${'\\('.repeat(20_000)} so \\boxed{1}`,
    gold: '1',
    expected: { correct: true, status: 'ok' },
    boundMs: RESPONSE_MS,
  },
  {
    name: '65,000 $1$ blocks',
    response: '$1$'.repeat(65_000),
    gold: '1',
    expected: { correct: true, status: 'ok' },
    boundMs: RESPONSE_MS,
  },
  {
    name: '60,000 unparseable blocks',
    response: '$)$ '.repeat(60_000),
    gold: '1',
    expected: { correct: false, status: 'unparseable' },
    boundMs: RESPONSE_MS,
  },
  {
    name: '30,000 unclosed \\boxed{',
    response: '\\boxed{'.repeat(30_000),
    gold: '1',
    expected: { correct: false, status: 'no_answer' },
    boundMs: RESPONSE_MS,
  },
  {
    name: '30,000 unclosed \\text{ after an answer phrase',
    response: `The answer is ${'\\text{'.repeat(30_000)}`,
    gold: '1',
    expected: { correct: false },
    boundMs: RESPONSE_MS,
  },
  {
    name: '600 boxes with 50 unclosed \\text{ between each two',
    response: Array.from({ length: 600 }, (_, k) => `\\boxed{${k}}`).join(' \\text{'.repeat(50)),
    gold: '599',
    expected: { correct: true, status: 'ok' },
    boundMs: RESPONSE_MS,
  },
  {
    name: '5000 adjacent boxes (a list answer, cut to its last 512)',
    response: `$${Array.from({ length: 5000 }, (_, k) => `\\boxed{${k + 2}}`).join(', ')}$`,
    gold: '1',
    expected: { correct: false, status: 'ok' },
    boundMs: RESPONSE_MS,
  },
  {
    name: '"answer" and 50,000 spaces, for a multiple-choice gold',
    response: `answer${spaces(50_000)}`,
    gold: 'C',
    expected: { correct: false, status: 'no_answer' },
    boundMs: RESPONSE_MS,
  },
  {
    name: '50,000 blank lines after a choice letter',
    response: `${'\n'.repeat(50_000)}x`,
    gold: 'C',
    expected: { correct: false, status: 'no_answer' },
    boundMs: RESPONSE_MS,
  },
  {
    name: 'a gold of 100,000 backslashes and an unclosed \\boxed{',
    response: '\\boxed{1}',
    gold: `${'\\'.repeat(100_000)} \\boxed{`,
    expected: { correct: false },
    boundMs: RESPONSE_MS,
  },
];

describe('pathological inputs verify in linear time, with the right verdict', () => {
  const verifier = new IsolatedVerifier(HANG_MS);
  afterAll(() => verifier.close());

  it.each(CASES.map((c) => [c.name, c.boundMs, c] as const))(
    '%s: under %d ms',
    async (_name, boundMs, c) => {
      let best = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 4; run++) {
        const out = await verifier.verify(c.response, c.gold, c.options);
        if ('hung' in out) throw new Error(`verifyMath did not return within ${HANG_MS} ms (terminated)`);
        expect(out.error, 'verifyMath threw').toBeUndefined();
        expect(out.verdict).toMatchObject(c.expected);
        if (run > 0) best = Math.min(best, out.wallMs);
      }
      expect(best, `best of three took ${best.toFixed(1)} ms`).toBeLessThan(boundMs);
    },
    4 * HANG_MS,
  );
});

const MATH = needData('the timing of every item of the math data', 'math');

describe.skipIf(!MATH.has())('every item of the math data set', () => {
  it(`verifies in under ${PHRASE_MS} ms (best of three, after a warm-up)`, () => {
    const pairs: LabelledPair[] = [...mathVerifyComparisons(), ...probePairs(), ...math500SelfPairs()];
    const time = (p: LabelledPair) => {
      const t0 = performance.now();
      verifyMath(p.pred, p.gold, p.options);
      return performance.now() - t0;
    };
    for (const p of pairs) time(p);
    const slow = pairs
      .map((p) => ({ p, ms: Math.min(time(p), time(p), time(p)) }))
      .filter((r) => r.ms >= PHRASE_MS)
      .map((r) => `${r.p.file}#${r.p.index} ${r.ms.toFixed(1)} ms`);
    expect(slow).toEqual([]);
  });
});
