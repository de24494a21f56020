/**
 * Which part of a response is graded (shared/math/region.ts, extract.ts):
 * - the final `\boxed{}` after the think block wins over any later answer phrase, except Minerva's
 *   closing sentence ("The final answer is $X$. I hope it is correct.");
 * - a `<think>` that never closes means no answer; `requireThinkClose` also refuses a response with no
 *   think tags at all;
 * - answer phrases, math blocks and numbers are fallbacks when there is no box;
 * - a long response, or one with many boxes, is graded by its tail, never refused as a whole.
 */
import { describe, expect, it } from 'vitest';
import { verifyMath } from '../../shared/math/verify.ts';

describe('the final box wins', () => {
  const later = String.raw`The answer is \boxed{5}. Later: the answer is 7.`;

  it('over an answer phrase after it', () => {
    expect(verifyMath(later, '7')).toMatchObject({ correct: false, status: 'ok', extracted: '5' });
    expect(verifyMath(later, '5')).toMatchObject({ correct: true, status: 'ok' });
  });

  it('over "The final answer is" and "Answer:" after it', () => {
    expect(verifyMath(String.raw`So $\boxed{5}$. The final answer is 7.`, '7').correct).toBe(false);
    const answerLine = 'So $\\boxed{5}$.\nAnswer: 7';
    expect(verifyMath(answerLine, '7').correct).toBe(false);
    expect(verifyMath(answerLine, '5').correct).toBe(true);
  });

  it('over a later math block or number', () => {
    expect(verifyMath(String.raw`$\boxed{5}$, and checking: $7$ apples, 7.`, '7').correct).toBe(false);
    expect(verifyMath(String.raw`$\boxed{5}$, and checking: $7$ apples, 7.`, '5').correct).toBe(true);
  });

  it("except Minerva's closing sentence after it, the answer format it stands for", () => {
    const minerva = String.raw`So $2 \cdot 100 = \boxed{200}$ after a year. Final Answer: The final answer is $10455$. I hope it is correct.`;
    expect(verifyMath(minerva, '10455').correct).toBe(true);
    expect(verifyMath(minerva, '200').correct).toBe(false);
  });

  it('the last box, not an earlier one, and only a box after the think block', () => {
    const r = String.raw`<think>It is \boxed{3}.</think> First $\boxed{4}$. That fails the check; fixing the sign gives $\boxed{5}$.`;
    expect(verifyMath(r, '5').correct).toBe(true);
    expect(verifyMath(r, '4').correct).toBe(false);
    expect(verifyMath(r, '3').correct).toBe(false);
  });
});

describe('answer phrases, math blocks and numbers are fallbacks when there is no box', () => {
  it.each([
    ['The answer is 7.', '7'],
    ['Adding them gives 3 + 4. Answer: 7', '7'],
    ['So we get $x = 7$.', '7'],
    ['Three plus four is 7', '7'],
  ])('%s → %s', (response, gold) => {
    expect(verifyMath(response, gold)).toMatchObject({ correct: true, status: 'ok' });
  });

  it('the answer phrase before a later number', () => {
    expect(verifyMath('The answer is 7. Check: 3 + 4 = 7, and 2 + 2 = 4.', '7').correct).toBe(true);
  });
});

describe('the think block', () => {
  it('a response cut inside <think> has no answer, whatever the option', () => {
    const cut = String.raw`<think>so it is \boxed{7} maybe`;
    for (const requireThinkClose of [false, true]) {
      expect(verifyMath(cut, '7', { requireThinkClose })).toMatchObject({
        correct: false,
        status: 'no_answer',
        extracted: null,
      });
    }
  });

  it('a <think> reopened after the last </think> and never closed has no answer', () => {
    const r = String.raw`<think>a</think> Let me think again. <think>so \boxed{7}`;
    expect(verifyMath(r, '7')).toMatchObject({ correct: false, status: 'no_answer' });
  });

  it('the text after </think> is graded, with or without the opening tag', () => {
    expect(verifyMath(String.raw`<think>\boxed{3}</think> So $\boxed{7}$.`, '7').correct).toBe(true);
    // Chat templates that open the think block in the prompt: the response carries only </think>.
    expect(verifyMath(String.raw`so maybe \boxed{3}</think> So $\boxed{7}$.`, '7').correct).toBe(true);
    expect(verifyMath(String.raw`so maybe \boxed{3}</think> So $\boxed{7}$.`, '3').correct).toBe(false);
  });

  it('a closed think block with nothing after it has no answer', () => {
    expect(verifyMath(String.raw`<think>it is \boxed{7}</think>`, '7')).toMatchObject({
      correct: false,
      status: 'no_answer',
    });
  });

  it('no think tags: the whole response by default, no_answer under requireThinkClose', () => {
    expect(verifyMath(String.raw`So $\boxed{7}$.`, '7').correct).toBe(true);
    expect(verifyMath(String.raw`So $\boxed{7}$.`, '7', { requireThinkClose: true })).toMatchObject({
      correct: false,
      status: 'no_answer',
    });
  });
});

describe('long responses are graded by their tail', () => {
  const KIB = 1024;
  const filler = 'Let me think about this again, carefully.\n';

  it('a 300 KiB response with the right final box scores 1, a wrong one 0', () => {
    const body = filler.repeat(Math.ceil((300 * KIB) / filler.length));
    expect(body.length).toBeGreaterThan(300 * KIB);
    expect(verifyMath(`${body}So the answer is $\\boxed{7}$.`, '7')).toMatchObject({
      score: 1,
      status: 'ok',
    });
    expect(verifyMath(`${body}So the answer is $\\boxed{8}$.`, '7')).toMatchObject({
      score: 0,
      status: 'ok',
    });
  });

  it('a think block longer than maxResponseChars before a short answer scores 1', () => {
    const think = `<think>${filler.repeat(Math.ceil((400 * KIB) / filler.length))}</think>`;
    expect(verifyMath(`${think} So $\\boxed{7}$.`, '7')).toMatchObject({ score: 1, status: 'ok' });
  });

  it('600 boxes with the last one right scores 1', () => {
    const tries = Array.from(
      { length: 599 },
      (_, k) => `Try $\\boxed{${k + 100}}$. That fails the check, so let me reconsider.\n\n`,
    );
    const response = `${tries.join('')}Finally, $\\boxed{7}$.`;
    expect(verifyMath(response, '7')).toMatchObject({ score: 1, status: 'ok' });
    expect(verifyMath(response, '100')).toMatchObject({ score: 0, status: 'ok' });
  });

  it('only the last maxResponseChars characters are read', () => {
    const response = `So $\\boxed{7}$.\n${filler.repeat(100)}`;
    expect(verifyMath(response, '7').correct).toBe(true);
    expect(verifyMath(response, '7', { maxResponseChars: 1000 })).toMatchObject({
      correct: false,
      status: 'no_answer',
    });
  });

  it('a gold answer over maxResponseChars is still refused as too_large', () => {
    expect(verifyMath('$\\boxed{1}$', '1'.repeat(2000), { maxResponseChars: 1000 })).toMatchObject({
      correct: false,
      status: 'too_large',
    });
  });
});
