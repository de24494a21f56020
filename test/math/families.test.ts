/**
 * Equivalence families verifyMath must support (docs: ../shared/notes/math-verification.md, sections 2,
 * 3 and 6), one `describe` each, with true AND false cases. Preds are full model responses where natural.
 */
import { describe, expect, it } from 'vitest';
import type { MathOptions } from '../../shared/math/types.ts';
import { verifyMath } from '../../shared/math/verify.ts';

interface Case {
  gold: string;
  pred: string;
  expected: boolean;
  options?: Partial<MathOptions>;
}

const T = (gold: string, pred: string, options?: Partial<MathOptions>): Case => ({
  gold,
  pred,
  expected: true,
  options,
});
const F = (gold: string, pred: string, options?: Partial<MathOptions>): Case => ({
  gold,
  pred,
  expected: false,
  options,
});

/** A model response ending in a boxed answer. */
const boxed = (answer: string) => `Putting it all together, the answer is $\\boxed{${answer}}$.`;

/** Test titles show the end of a long response, where its answer is. */
const flat = (s: string) => (s.length > 70 ? `…${s.slice(-60)}` : s).replace(/\n/g, '\\n');

function family(name: string, cases: Case[]): void {
  describe(name, () => {
    it('has both true and false cases', () => {
      expect(new Set(cases.map((c) => c.expected))).toEqual(new Set([true, false]));
    });
    it.each(cases.map((c) => [flat(c.gold), flat(c.pred), c.expected, c] as const))(
      'gold %s | pred %s → %s',
      (_gold, _pred, expected, c) => {
        const verdict = verifyMath(c.pred, c.gold, c.options);
        expect(verdict.correct).toBe(expected);
      },
    );
  });
}

// ---------------------------------------------------------------- extraction
family('extraction: text after </think>', [
  T('42', String.raw`<think>Maybe it is \boxed{41}? No, recheck.</think> So the answer is $\boxed{42}$.`),
  F('41', String.raw`<think>Maybe it is \boxed{41}? No, recheck.</think> So the answer is $\boxed{42}$.`),
  F('42', String.raw`<think>I get \boxed{42}.</think> The answer is $\boxed{41}$.`),
]);

family('extraction: last \\boxed{} / \\fbox{}', [
  T('5', String.raw`First guess: $\boxed{3}$. That sign is wrong; correcting it, the answer is $\boxed{5}$.`),
  F('3', String.raw`First guess: $\boxed{3}$. That sign is wrong; correcting it, the answer is $\boxed{5}$.`),
  T('7', String.raw`Therefore $\fbox{7}$.`),
  F('8', String.raw`Therefore $\fbox{7}$.`),
  T(String.raw`\frac{\sqrt2}{2}`, boxed(String.raw`\frac{1}{\sqrt{2}}`)),
]);

family('extraction: anchors ("final answer is", "Answer:")', [
  T('17', 'Adding the two counts gives the total. The final answer is 17.'),
  F('71', 'Adding the two counts gives the total. The final answer is 17.'),
  T('12', 'We count the cases one by one.\nAnswer: 12'),
  F('21', 'We count the cases one by one.\nAnswer: 12'),
]);

family('extraction: last LaTeX block', [
  T('9', 'First $x = 4$, then substituting back gives $y = 9$.'),
  F('4', 'First $x = 4$, then substituting back gives $y = 9$.'),
  T('0.75', String.raw`Thus the probability is \[\frac{3}{4}\]`),
  F('0.25', String.raw`Thus the probability is \[\frac{3}{4}\]`),
]);

family('extraction: last number', [
  T('256', 'After computing everything I get 256 apples in total.'),
  F('255', 'After computing everything I get 256 apples in total.'),
]);

family('extraction: multiple-choice letter when the gold is a letter', [
  T('C', 'The correct option is (C).'),
  T('C', String.raw`So the answer is $\boxed{\text{(C)}}$.`),
  T('C', 'So the answer is **C**.'),
  F('B', 'The correct option is (C).'),
  F('B', 'So the answer is **C**.'),
]);

family('extraction: markdown bold (Math-Verify issue #76)', [
  T('73', 'The answer is **73**.'),
  F('7', 'The answer is **73**.'),
  F('37', 'The answer is **73**.'),
]);

family('extraction: adjacent boxed answers form a set', [
  T('1, 2', String.raw`The roots are $\boxed{1}, \boxed{2}$.`),
  T('2, 1', String.raw`The roots are $\boxed{1}, \boxed{2}$.`),
  F('1', String.raw`The roots are $\boxed{1}, \boxed{2}$.`),
  // Not adjacent: only the last box counts, and a list gold needs all its elements.
  F('1, 2', String.raw`Maybe $\boxed{1}$? No, no, no. It is $\boxed{2}$.`),
]);

// ---------------------------------------------------------------- normalisation
family('normalisation: thousands separators', [
  T('7425000', boxed('7,425,000')),
  F('7425', boxed('7,425,000')),
  T('10000', boxed('10{,}000')),
  F('1000', boxed('10{,}000')),
]);

family('normalisation: \\text{} and units', [
  T('5', boxed(String.raw`5\text{ cm}`)),
  T('12', boxed(String.raw`12 \text{ inches}`)),
  T('13', boxed(String.raw`\text{13}`)),
  F('5', boxed(String.raw`6\text{ cm}`)),
]);

family('normalisation: currency \\$', [
  T('5', boxed(String.raw`\$5`)),
  T('5.5', boxed(String.raw`\$5.50`)),
  F('5', boxed(String.raw`\$6`)),
]);

family('normalisation: percent', [
  T(String.raw`10\%`, boxed('0.1')),
  T(String.raw`25\%`, boxed(String.raw`25\%`)),
  T('10', boxed(String.raw`10\%`)), // percentLenient (default)
  F('10', boxed(String.raw`10\%`), { percentLenient: false }),
  F(String.raw`10\%`, boxed('0.2')),
]);

family('normalisation: degrees', [
  T(String.raw`30^\circ`, boxed('30')),
  T('30', boxed(String.raw`30^{\circ}`)),
  F(String.raw`30^\circ`, boxed('60')),
]);

family('normalisation: x= / y = unwrapping', [
  T('5', boxed('x = 5')),
  T('-2', boxed('y =  -2')),
  F('5', boxed('x=6')),
]);

family('normalisation: \\dfrac, \\tfrac, \\frac12 shorthand', [
  T(String.raw`\frac{3}{4}`, boxed(String.raw`\dfrac{3}{4}`)),
  T('0.75', boxed(String.raw`\tfrac34`)),
  T(String.raw`\frac{1}{2}`, boxed(String.raw`\frac12`)),
  F('12', boxed(String.raw`\frac12`)),
  F('2', boxed(String.raw`\frac12`)),
]);

family('normalisation: \\left / \\right', [
  T('(1,2)', boxed(String.raw`\left(1,2\right)`)),
  T('[0,1)', boxed(String.raw`\left[ 0, 1 \right)`)),
  F('[0,1]', boxed(String.raw`\left[ 0, 1 \right)`)),
]);

family('normalisation: \\pm is a set of two', [
  T(String.raw`\pm 2`, boxed(String.raw`\{-2, 2\}`)),
  T(String.raw`\pm 2`, boxed('-2, 2')),
  T(String.raw`\pm 2`, boxed('2, -2')),
  F(String.raw`\pm 2`, boxed('2')),
  F(String.raw`\pm 2`, boxed('-2')),
]);

family('normalisation: comma lists are sets when the gold is a list', [
  T('1, 2, 3', boxed('3, 1, 2')),
  F('1, 2, 3', boxed('1, 2')),
  F('1, 2, 3', boxed('1, 2, 3, 4')),
]);

// ---------------------------------------------------------------- comparison
family('comparison: exact rationals', [
  T(String.raw`\frac{1}{3}`, boxed(String.raw`\frac{2}{6}`)),
  T('0.5', boxed(String.raw`\frac{2}{4}`)),
  T(String.raw`\frac{7}{2}`, boxed('3.5')),
  F(String.raw`\frac{1}{3}`, boxed(String.raw`\frac{1}{4}`)),
]);

family('comparison: numbers at the precision the response gave', [
  T(String.raw`\frac{1}{3}`, boxed('0.333333')),
  F(String.raw`\frac{1}{3}`, boxed('0.33')),
  F(String.raw`\pi`, boxed('3.14')),
  T(String.raw`\pi`, boxed(String.raw`\pi`)),
]);

family('comparison: symbolic identities', [
  T('(x+1)^2', boxed('x^2+2x+1')),
  F('(x+1)^2', boxed('x^2+x+1')),
  T(String.raw`\tan^2 y + 1`, boxed(String.raw`\sec^2 y`)),
  F(String.raw`\tan^2 y + 1`, boxed(String.raw`\csc^2 y`)),
]);

family('comparison: sets are order-free', [
  T(String.raw`\{1,2,3\}`, boxed(String.raw`\{3,2,1\}`)),
  F(String.raw`\{1,2,3\}`, boxed(String.raw`\{1,2\}`)),
  F(String.raw`\{1,2,3\}`, boxed(String.raw`\{1,2,4\}`)),
]);

family('comparison: tuples are ordered', [
  T('(1,2)', boxed('(1, 2)')),
  T(String.raw`\left( 3, \frac{\pi}{2} \right)`, boxed(String.raw`(3, \pi/2)`)),
  F('(1,2)', boxed('(2,1)')),
]);

family('comparison: intervals with open/closed ends', [
  T('[2,5)', boxed('[2, 5)')),
  T('[2, 5)', boxed(String.raw`x \in [2, 5)`)),
  T(String.raw`(-\infty, 0)`, boxed(String.raw`(-\infty,0)`)),
  F('[2,5)', boxed('[2,5]')),
  F('[2,5)', boxed('(2,5)')),
]);

family('comparison: unions of intervals', [
  T(String.raw`(-\infty,3]\cup(5,\infty)`, boxed(String.raw`(-\infty, 3] \cup (5, \infty)`)),
  T(String.raw`(-\infty,3]\cup(5,\infty)`, boxed(String.raw`(5,\infty)\cup(-\infty,3]`)),
  F(String.raw`(-\infty,3]\cup(5,\infty)`, boxed(String.raw`(-\infty,3)\cup(5,\infty)`)),
]);

family('comparison: matrices and vectors', [
  T(String.raw`\begin{pmatrix} 1 \\ 2 \end{pmatrix}`, boxed(String.raw`\begin{bmatrix}1\\2\end{bmatrix}`)),
  F(String.raw`\begin{pmatrix} 1 \\ 2 \end{pmatrix}`, boxed(String.raw`\begin{pmatrix}2\\1\end{pmatrix}`)),
  T(
    String.raw`\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}`,
    boxed(String.raw`\begin{pmatrix}1&2\\3&4\end{pmatrix}`),
  ),
  F(
    String.raw`\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}`,
    boxed(String.raw`\begin{pmatrix}1&3\\2&4\end{pmatrix}`),
  ),
]);

family('comparison: equations and inequalities', [
  T(String.raw`x \le 3`, boxed(String.raw`3 \ge x`)),
  T(String.raw`x \le 3`, boxed(String.raw`x \leq 3`)),
  F(String.raw`x \le 3`, boxed('x < 3')),
  T('y=2x+1', boxed('y=1+2x')),
  F('y=2x+1', boxed('y=2x-1')),
  F('3x-y+13=0', boxed('3x+4y+14=0')), // Math-Verify issue #60
]);

family('comparison: complex numbers', [
  T('3+4i', boxed('4i+3')),
  T(String.raw`\frac{1+i}{2}`, boxed(String.raw`\frac{1}{2}+\frac{i}{2}`)),
  F('3+4i', boxed('3-4i')),
]);

family('comparison: pi, sqrt and e forms', [
  T(String.raw`2\sqrt{2}`, boxed(String.raw`\sqrt{8}`)),
  T(String.raw`\frac{\sqrt{2}}{2}`, boxed(String.raw`\frac{1}{\sqrt{2}}`)),
  T(String.raw`\frac{\pi}{2}`, boxed(String.raw`\frac{1}{2}\pi`)),
  F(String.raw`2\sqrt{3}`, boxed(String.raw`3\sqrt{2}`)),
  F(String.raw`1-\frac{1}{e}`, boxed(String.raw`1+\frac{1}{e}`)),
]);

family('comparison: scientific notation', [
  T(String.raw`1.5\times10^{3}`, boxed('1500')),
  T('0.002', boxed(String.raw`2 \times 10^{-3}`)),
  F(String.raw`1.5\times10^{3}`, boxed('150')),
]);

family('comparison: text answers, case-insensitive', [
  T(String.raw`\text{Friday}`, boxed('friday')),
  T(String.raw`\text{Friday}`, boxed('Friday')),
  F(String.raw`\text{Friday}`, boxed(String.raw`\text{Monday}`)),
]);

family('comparison: multiple choice', [
  T(String.raw`\text{(C)}`, boxed('C')),
  T('C', boxed(String.raw`\text{(C)}`)),
  F('C', boxed('D')),
  F(String.raw`\text{(C)}`, boxed(String.raw`\text{(D)}`)),
]);

// ---------------------------------------------------------------- traps
const bigInt = '7'.repeat(399);
family('must not be fooled', [
  F(String.raw`\frac{1}{2004!}`, boxed(String.raw`\frac{1}{2006!}`)), // 6-digit rounding, MV #14
  F('200', boxed('2')), // Qwen's x100 percent rule
  F('2', boxed('200')),
  F('[2,5)', boxed('[2,5]')), // Qwen ignores endpoint types
  F(String.raw`\pm 2`, boxed('2')),
  F('1331 and 1728', boxed('1728')), // all elements required, MV #47
  T('1331 and 1728', boxed('1331, 1728')),
  F('1/2^{99}', boxed('1/2^{98}')), // MV #14
  F(String.raw`\frac{1}{2^{99}}`, boxed(String.raw`\frac{1}{2^{98}}`)),
  F('3x-y+13=0', boxed('3x+4y+14=0')), // MV #60
  // Past the double range (~1.8e308): equal as floats (Infinity), different as integers.
  T(`${bigInt}1`, boxed(`${bigInt}1`)),
  F(`${bigInt}1`, boxed(`${bigInt}2`)),
]);

// ---------------------------------------------------------------- verdict shape
family('comparison: absolute-value inequalities as sets', [
  T(String.raw`1\leq|z|\leq \frac{3}{2}`, boxed(String.raw`[-\tfrac32,-1]\cup[1,\tfrac32]`)),
  F(String.raw`1\leq|z|\leq \frac{3}{2}`, boxed(String.raw`[-2,-1]\cup[1,2]`)),
  T('|x|<3', boxed('(-3,3)')),
  F('|x|<3', boxed('[-3,3]')),
  T('|x|>2', boxed(String.raw`(-\infty,-2)\cup(2,\infty)`)),
  F('|x|>2', boxed(String.raw`(-\infty,-2]\cup(2,\infty)`)),
]);

describe('verdict shape and status', () => {
  it('a compared answer: {score, correct, status: ok, extracted, ms}', () => {
    const right = verifyMath(boxed('42'), '42');
    expect(right).toMatchObject({ score: 1, correct: true, status: 'ok' });
    expect(typeof right.extracted).toBe('string');
    expect(right.extracted).toContain('42');
    expect(Number.isFinite(right.ms) && right.ms >= 0).toBe(true);

    const wrong = verifyMath(boxed('41'), '42');
    expect(wrong).toMatchObject({ score: 0, correct: false, status: 'ok' });
    expect(wrong.extracted).toContain('41');
    expect(Number.isFinite(wrong.ms) && wrong.ms >= 0).toBe(true);
  });

  it('nothing to extract → no_answer, extracted null', () => {
    const v = verifyMath("I don't know.", '42');
    expect(v).toMatchObject({ score: 0, correct: false, status: 'no_answer', extracted: null });
    expect(Number.isFinite(v.ms)).toBe(true);
  });

  it('requireThinkClose: a response without </think> → no_answer', () => {
    const v = verifyMath(String.raw`<think>So it is $\boxed{42}$.`, '42', { requireThinkClose: true });
    expect(v).toMatchObject({ score: 0, correct: false, status: 'no_answer', extracted: null });
  });

  it('requireThinkClose: the answer after </think> is graded', () => {
    const v = verifyMath(String.raw`<think>hmm</think> The answer is $\boxed{42}$.`, '42', {
      requireThinkClose: true,
    });
    expect(v).toMatchObject({ score: 1, correct: true, status: 'ok' });
  });

  it('without requireThinkClose a response with no </think> is graded as it is', () => {
    expect(verifyMath(boxed('42'), '42')).toMatchObject({ correct: true, status: 'ok' });
  });
});
