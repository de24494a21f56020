/**
 * Pathological inputs: each ends in `correct: false` with a status from its own allowed set, returns
 * within a small multiple of `timeoutMs` (verifyMath checks its budget cooperatively), never throws or
 * hangs, and the next normal item still verifies correctly.
 *
 * verifyMath is called directly (not through the reward worker pool, whose hard kill is tested
 * elsewhere), but inside a worker thread of our own: a synchronous hang would block vitest's own thread,
 * where a test timeout can never fire. Here a hang past HANG_MS terminates that thread and fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MathStatus } from '../../shared/math/types.ts';
import { IsolatedVerifier } from './isolated-verifier.ts';

/** Budget given to verifyMath for each adversarial item. */
const TIMEOUT_MS = 500;
/** A call returning later than this did not respect its budget (cooperative checks, some slack). */
const MAX_WALL_MS = 4 * TIMEOUT_MS;
/** A call not returning by then is a hang: the thread is terminated. */
const HANG_MS = 5_000;

interface AdversarialCase {
  name: string;
  response: string;
  gold: string;
  allowed: MathStatus[];
}

const box = (answer: string) => `The answer is $\\boxed{${answer}}$.`;

/** `\log_{2^5}(\log_{2^4}(\log_{2^3}(\log_{2^2}(\log_{2^1}(\log_{2^5}(...65536...))))))`, `depth` deep. */
function nestedLogs(depth: number): string {
  let s = '65536';
  for (let i = depth - 1; i >= 0; i--) s = `\\log_{2^${5 - (i % 5)}}(${s})`;
  return s;
}

const REFUSED: MathStatus[] = ['too_large', 'timeout', 'unparseable'];

const CASES: AdversarialCase[] = [
  {
    name: '\\frac{ x 5000, never closed',
    response: `$\\boxed{${'\\frac{'.repeat(5000)}1}$`,
    gold: '1',
    allowed: ['too_large', 'timeout', 'unparseable', 'no_answer'],
  },
  {
    name: '\\frac{ x 5000, balanced (55 KB answer)',
    response: box(`${'\\frac{'.repeat(5000)}1${'}{2}'.repeat(5000)}`),
    gold: '1',
    allowed: REFUSED,
  },
  {
    // Under the answer-size cap, so the depth (or exact arithmetic) must cope: 2^-300 is not 0.
    name: '\\frac{ x 300, balanced (2^-300 vs gold 0)',
    response: box(`${'\\frac{'.repeat(300)}1${'}{2}'.repeat(300)}`),
    gold: '0',
    allowed: ['ok', ...REFUSED],
  },
  { name: '10^{10^{10^{10}}} vs gold 1', response: box('10^{10^{10^{10}}}'), gold: '1', allowed: REFUSED },
  {
    name: '10^{(5^{5^{5^{5^5}}})} (Math-Verify #59)',
    response: box('10^{(5^{5^{5^{5^5}}})}'),
    gold: '1',
    allowed: REFUSED,
  },
  {
    name: 'nested \\log_{2^k} 50 deep (Math-Verify #63)',
    response: box(nestedLogs(50)),
    gold: '1',
    allowed: REFUSED,
  },
  { name: '(10^{100000})!', response: box('(10^{100000})!'), gold: '1', allowed: REFUSED },
  {
    // Over maxResponseChars, so only its tail is read: graded, and here wrong (extraction-policy.test.ts
    // has the right answer scoring 1).
    name: '500 KB response ending in a wrong box',
    response: `${'Let me think about this again. '.repeat(16_700)}${box('1')}`,
    gold: '2',
    allowed: ['ok'],
  },
  {
    name: '5000 empty \\boxed{}',
    response: `$${'\\boxed{}'.repeat(5000)}$`,
    gold: '1',
    allowed: ['no_answer', ...REFUSED],
  },
  {
    name: '5000 adjacent \\boxed{k} (a 5000-element set) vs gold 1',
    response: `$${Array.from({ length: 5000 }, (_, k) => `\\boxed{${k + 2}}`).join(', ')}$`,
    gold: '1',
    allowed: ['ok', ...REFUSED],
  },
  { name: 'integer with 100k digits', response: box('9'.repeat(100_000)), gold: '1', allowed: ['too_large'] },
  {
    name: '100k-digit integers differing in the last digit',
    response: box(`${'9'.repeat(99_999)}8`),
    gold: '9'.repeat(100_000),
    allowed: ['ok', 'too_large', 'timeout'],
  },
  {
    name: 'unbalanced braces only',
    response: `${'}'.repeat(10_000)}${'{'.repeat(10_000)}\\boxed{`,
    gold: '1',
    allowed: ['no_answer', ...REFUSED],
  },
  {
    name: 'NUL bytes as the answer',
    response: box('\u0000\u0000'),
    gold: '0',
    allowed: ['no_answer', 'unparseable'],
  },
  {
    name: '300k NUL bytes',
    response: '\u0000'.repeat(300_000),
    gold: '0',
    allowed: ['no_answer'],
  },
  {
    name: 'lone surrogates as the answer',
    response: box('\uDC00\uD800'),
    gold: '1',
    allowed: ['no_answer', 'unparseable'],
  },
  {
    // A gold that is no mathematics may be compared as a text answer (like "Friday"): 'ok', and false.
    name: 'lone surrogate as the gold',
    response: box('1'),
    gold: '\uD800',
    allowed: ['ok', 'unparseable', 'no_answer'],
  },
];

describe('adversarial inputs end in a refusal, within budget, and the next item still verifies', () => {
  const verifier = new IsolatedVerifier(HANG_MS);

  beforeAll(async () => {
    // Load compute-engine etc. in the thread before anything is timed.
    const warm = await verifier.verify(box('\\frac{1}{2}'), '0.5', {}, 25_000);
    expect(warm).not.toHaveProperty('hung');
  }, 30_000);
  afterAll(() => verifier.close());

  it.each(CASES.map((c) => [c.name, c.allowed.join('|'), c] as const))(
    '%s → correct: false, status in {%s}',
    async (_name, _allowed, c) => {
      const out = await verifier.verify(c.response, c.gold, { timeoutMs: TIMEOUT_MS });
      if ('hung' in out) throw new Error(`verifyMath did not return within ${HANG_MS} ms (terminated)`);
      expect(out.error, 'verifyMath threw').toBeUndefined();
      expect(out.verdict?.correct).toBe(false);
      expect(out.verdict?.score).toBe(0);
      expect(c.allowed).toContain(out.verdict?.status);
      expect(out.wallMs, `took ${out.wallMs.toFixed(0)} ms with timeoutMs ${TIMEOUT_MS}`).toBeLessThan(
        MAX_WALL_MS,
      );

      const next = await verifier.verify(box('\\frac{1}{2}'), '0.5');
      if ('hung' in next) throw new Error('the normal item after it hung');
      expect(next.verdict).toMatchObject({ correct: true, status: 'ok' });
    },
    2 * HANG_MS + 2_000,
  );
});
