/**
 * The answer region, and `regionSource`: what a response sent to a worker thread is cut to. The verifier
 * must read the cut text exactly as it reads the whole response, for any placement of think tags, line
 * breaks and cut length (fast-check, fixed seed), and with the verdicts of whole responses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerRegion, regionSource } from '../../shared/math/region.ts';
import { verifyMath } from '../../shared/math/verify.ts';

/** Responses built from the pieces that move the region: think tags, line breaks, boxes, emphasis. */
const piece = fc.constantFrom(
  '<think>',
  '</think>',
  '\n',
  'x',
  ' ',
  '**7**',
  '\\boxed{3}',
  'The answer is 5.',
  '$',
);
const response = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));
const options = fc.record({ requireThinkClose: fc.boolean(), maxChars: fc.integer({ min: 1, max: 60 }) });

describe('regionSource', () => {
  it('is read as the whole response is read, for any response and options', () => {
    fc.assert(
      fc.property(response, options, (text, opts) => {
        const cut = regionSource(text, opts);
        expect(answerRegion(cut, opts)).toEqual(answerRegion(text, opts));
        expect(cut.length).toBeLessThanOrEqual(Math.max(text.length, '<think>'.length));
      }),
      { seed: 20261208, numRuns: 20_000 },
    );
  });

  it('drops a long chain of thought before </think>, keeping the verdict', () => {
    const thought = `<think>${'Let me try 17. '.repeat(2000)}</think>`;
    const whole = `${thought}So the answer is $\\boxed{42}$.`;
    const cut = regionSource(whole, { requireThinkClose: false, maxChars: 262_144 });
    expect(cut).toBe('</think>So the answer is $\\boxed{42}$.');
    expect(verifyMath(cut, '42')).toMatchObject({ correct: true, extracted: '42' });
    const { ms: _a, ...fromWhole } = verifyMath(whole, '41');
    const { ms: _b, ...fromCut } = verifyMath(cut, '41');
    expect(fromCut).toEqual(fromWhole);
  });

  it('keeps the reason a response has no region', () => {
    const open = regionSource('thinking... <think> still', { requireThinkClose: false, maxChars: 100 });
    expect(answerRegion(open, { requireThinkClose: false, maxChars: 100 })).toEqual({
      missing: 'the response ends inside <think> (no </think> after it)',
    });
    const untagged = regionSource('\\boxed{1}', { requireThinkClose: true, maxChars: 100 });
    expect(answerRegion(untagged, { requireThinkClose: true, maxChars: 100 })).toEqual({
      missing: 'no </think> in the response',
    });
  });
});
