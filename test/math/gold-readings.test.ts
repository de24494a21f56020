/**
 * Gold readings are kept between verdicts (math/verify.ts): a kept reading must give the verdict a fresh
 * one gives, for every option a reading depends on, and no comparison may change it.
 */
import { describe, expect, it } from 'vitest';
import type { MathOptions } from '../../shared/math/types.ts';
import { verifyMath } from '../../shared/math/verify.ts';

const withoutMs = ({ ms: _, ...rest }: ReturnType<typeof verifyMath>) => rest;

describe('kept gold readings', () => {
  it('give the same verdicts on the second and later reads of a gold', () => {
    const golds = [
      '\\left( 3, \\frac{\\pi}{2} \\right)',
      '\\{1,2,3\\}',
      'x^2+1',
      '(C)',
      '10{,}000',
      '[0, 1)',
    ];
    const responses = [
      'The answer is $\\boxed{(3, \\pi/2)}$.',
      '\\boxed{\\{3,2,1\\}}',
      '\\boxed{1+x^2}',
      'C',
      '\\boxed{10000}',
    ];
    for (const gold of golds) {
      const first = responses.map((r) => withoutMs(verifyMath(r, gold)));
      for (let again = 0; again < 3; again++)
        expect(responses.map((r) => withoutMs(verifyMath(r, gold)))).toEqual(first);
    }
  });

  it('are kept per option they depend on: a gold read under one setting is read afresh under another', () => {
    const gold = 'The total is $\\boxed{12}$ apples, and then $7$ more.';
    const cases: Partial<MathOptions>[] = [
      {},
      { extraction: ['expr'] },
      { maxAnswerChars: 1 },
      { maxResponseChars: 10 },
      {},
    ];
    const verdicts = cases.map((opts) => withoutMs(verifyMath('\\boxed{12}', gold, opts)));
    expect(verdicts[0]).toMatchObject({ correct: true });
    expect(verdicts[3]).toMatchObject({ status: 'too_large', reason: 'gold answer too long' });
    expect(verdicts[4]).toEqual(verdicts[0]);
    // Each setting's verdict is the one a process that never saw the gold before gives: compare with a gold
    // text that differs only in trailing space, so it is read afresh (the reading trims it).
    for (const [i, opts] of cases.entries())
      expect(withoutMs(verifyMath('\\boxed{12}', `${gold} `, opts))).toEqual(verdicts[i]);
  });
});
