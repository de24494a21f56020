import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../../shared/curriculum/spec-text.ts';
import { PlateauRule } from '../../shared/curriculum/stage-end.ts';
import { type Evaluation, improves, metricValue, plateauDecision } from '../../shared/jobs/plateau.ts';

const rule = (over: Partial<PlateauRule> = {}): PlateauRule =>
  PlateauRule.parse({ metric: 'aime24/pass@1', patience: 2, ...over });

/** Scored evaluations at steps 1, 2, 3, ... */
const scored = (...values: (number | undefined)[]): Evaluation[] =>
  values.map((value, i) => ({ step: i + 1, state: 'scored', value }));

describe('plateauDecision', () => {
  it('continues while fewer than patience evaluations followed the best one', () => {
    expect(plateauDecision([], rule())).toEqual({ action: 'continue', evaluated: [], sinceBest: 0 });
    expect(plateauDecision(scored(0.5), rule())).toMatchObject({ action: 'continue', sinceBest: 0 });
    expect(plateauDecision(scored(0.5, 0.4), rule())).toMatchObject({
      action: 'continue',
      evaluated: [1, 2],
      best: { step: 1, value: 0.5 },
      sinceBest: 1,
    });
    // Two evaluations at most, patience 2: the first is the baseline, so it can never stop.
    expect(plateauDecision(scored(0.5, 0.5), rule()).action).toBe('continue');
  });

  it('stops after patience evaluations in a row without an improvement, naming the best and the last', () => {
    const decision = plateauDecision(scored(0.2, 0.5, 0.4, 0.45), rule());
    expect(decision).toEqual({
      action: 'stop',
      evaluated: [1, 2, 3, 4],
      best: { step: 2, value: 0.5 },
      last: 4,
      handOff: 4,
      reason:
        'plateau: aime24/pass@1 did not improve on its best (0.5 at step 2) in the last 2 evaluation(s) ' +
        '(step 3, 4); handing on step 4 (last)',
    });
    expect(plateauDecision(scored(0.2, 0.5, 0.4, 0.45), rule(), 'best')).toMatchObject({ handOff: 2 });
  });

  it('an improvement resets the count', () => {
    expect(plateauDecision(scored(0.5, 0.4, 0.6, 0.5), rule()).action).toBe('continue');
    expect(plateauDecision(scored(0.5, 0.4, 0.6, 0.5, 0.55), rule())).toMatchObject({
      action: 'stop',
      best: { step: 3, value: 0.6 },
      evaluated: [1, 2, 3, 4, 5],
    });
  });

  it('patience 1 stops at the first evaluation that does not improve', () => {
    expect(plateauDecision(scored(0.1, 0.2, 0.2), rule({ patience: 1 }))).toMatchObject({
      action: 'stop',
      best: { step: 2 },
      evaluated: [1, 2, 3],
    });
  });

  it('a tie is not an improvement, with or without min_delta', () => {
    expect(plateauDecision(scored(0.5, 0.5, 0.5), rule())).toMatchObject({
      action: 'stop',
      best: { step: 1, value: 0.5 },
    });
    expect(plateauDecision(scored(0.5, 0.5, 0.5), rule({ min_delta: 0.01 }))).toMatchObject({
      action: 'stop',
      best: { step: 1 },
    });
  });

  it('a gain of exactly min_delta counts; a smaller one does not', () => {
    // 0.125 steps are exact in binary floating point.
    const eighth = rule({ min_delta: 0.125, patience: 1 });
    expect(plateauDecision(scored(0.5, 0.625), eighth).action).toBe('continue');
    expect(plateauDecision(scored(0.5, 0.624), eighth)).toMatchObject({
      action: 'stop',
      best: { step: 1 },
    });
    // 0.105 - 0.1 is 0.00499999... in floating point: still a gain of 0.005.
    const tight = rule({ min_delta: 0.005, patience: 1 });
    expect(plateauDecision(scored(0.1, 0.105), tight).action).toBe('continue');
    expect(plateauDecision(scored(0.1, 0.1049), tight)).toMatchObject({ action: 'stop', best: { step: 1 } });
  });

  it('small gains that add up over the window still compare against the best, not the previous value', () => {
    // Each step gains 0.004 < 0.005 over the one before, but 0.008 over the best: step 3 improves.
    expect(plateauDecision(scored(0.1, 0.104, 0.108), rule({ min_delta: 0.005 }))).toMatchObject({
      action: 'continue',
      best: { step: 3, value: 0.108 },
    });
  });

  it('in min mode lower is better', () => {
    const min = rule({ metric: 'aime24/truncationRate', mode: 'min', min_delta: 0.01 });
    expect(plateauDecision(scored(0.3, 0.2, 0.1), min).action).toBe('continue');
    expect(plateauDecision(scored(0.3, 0.2, 0.25, 0.195), min)).toMatchObject({
      action: 'stop',
      best: { step: 2, value: 0.2 },
    });
    // The same history in max mode: 0.3 stays best and it stops at step 3.
    expect(plateauDecision(scored(0.3, 0.2, 0.25, 0.195), rule({ min_delta: 0.01 }))).toMatchObject({
      action: 'stop',
      best: { step: 1, value: 0.3 },
      evaluated: [1, 2, 3],
    });
  });

  it('a missing or non-finite metric is an error, never an improvement', () => {
    expect(plateauDecision(scored(0.5, undefined), rule())).toEqual({
      action: 'error',
      step: 2,
      reason: 'the evaluation of step 2 has no aime24/pass@1',
    });
    expect(plateauDecision(scored(0.5, Number.NaN, 0.1), rule())).toEqual({
      action: 'error',
      step: 2,
      reason: 'the evaluation of step 2 has NaN for aime24/pass@1',
    });
    expect(plateauDecision(scored(Number.POSITIVE_INFINITY), rule())).toMatchObject({
      action: 'error',
      step: 1,
    });
    // min mode would have taken -Infinity as the best value there is.
    expect(plateauDecision(scored(0.5, Number.NEGATIVE_INFINITY), rule({ mode: 'min' }))).toMatchObject({
      action: 'error',
      step: 2,
    });
  });

  it('a failed evaluation is an error', () => {
    const history: Evaluation[] = [
      { step: 100, state: 'scored', value: 0.5 },
      { step: 200, state: 'failed', reason: 'vLLM did not start' },
    ];
    expect(plateauDecision(history, rule())).toEqual({
      action: 'error',
      step: 200,
      reason: 'the evaluation of step 200 failed: vLLM did not start',
    });
  });

  it('reads no further than the first unfinished evaluation, whatever finished after it', () => {
    const history: Evaluation[] = [
      { step: 10, state: 'scored', value: 0.5 },
      { step: 20, state: 'pending' },
      { step: 30, state: 'scored', value: 0.1 },
      { step: 40, state: 'scored', value: Number.NaN },
    ];
    expect(plateauDecision(history, rule({ patience: 1 }))).toEqual({
      action: 'continue',
      evaluated: [10],
      best: { step: 10, value: 0.5 },
      sinceBest: 0,
    });
  });

  it('stops at the first evaluation that completes the window; later ones do not change it', () => {
    const history = [...scored(0.5, 0.4, 0.4), { step: 4, state: 'scored', value: Number.NaN } as Evaluation];
    expect(plateauDecision(history, rule())).toMatchObject({ action: 'stop', evaluated: [1, 2, 3] });
  });

  it('"last" is the newest checkpoint, evaluated or not', () => {
    const history: Evaluation[] = [...scored(0.5, 0.4, 0.3), { step: 4, state: 'pending' }];
    expect(plateauDecision(history, rule())).toMatchObject({ action: 'stop', last: 4, handOff: 4 });
    expect(plateauDecision(history, rule(), 'best')).toMatchObject({ last: 4, handOff: 1 });
  });

  it('orders the history by step and refuses a step given twice', () => {
    const shuffled: Evaluation[] = [
      { step: 300, state: 'scored', value: 0.4 },
      { step: 100, state: 'scored', value: 0.5 },
      { step: 200, state: 'scored', value: 0.45 },
    ];
    expect(plateauDecision(shuffled, rule())).toMatchObject({ action: 'stop', best: { step: 100 } });
    const twice: Evaluation[] = [...scored(0.5), { step: 1, state: 'scored', value: 0.6 }];
    expect(plateauDecision(twice, rule())).toMatchObject({ action: 'error', step: 1 });
  });
});

describe('improves', () => {
  it('needs a strict gain of at least min_delta in the rule direction', () => {
    expect(improves(0.6, 0.5, { min_delta: 0, mode: 'max' })).toBe(true);
    expect(improves(0.5, 0.5, { min_delta: 0, mode: 'max' })).toBe(false);
    expect(improves(0.4, 0.5, { min_delta: 0, mode: 'min' })).toBe(true);
    expect(improves(0.6, 0.5, { min_delta: 0, mode: 'min' })).toBe(false);
    // The slack is relative: large metrics (lengths in characters) keep their min_delta.
    expect(improves(10_000.9, 10_000, { min_delta: 1, mode: 'max' })).toBe(false);
    expect(improves(10_001, 10_000, { min_delta: 1, mode: 'max' })).toBe(true);
  });
});

describe('metricValue', () => {
  const summary = [
    {
      benchmark: 'aime24',
      k: 4,
      metrics: { avg: 0.25, passAt: { '1': 0.25, '2': 0.4, '4': 0.5 }, majAtK: 0.3, truncationRate: 0.1 },
    },
    { benchmark: 'math500', k: 1, metrics: { avg: Number.NaN, passAt: {} } },
  ];
  it('reads pass@n, avg, maj@k and other numbers of a benchmark', () => {
    expect(metricValue(summary, 'aime24/pass@1')).toBe(0.25);
    expect(metricValue(summary, 'aime24/pass@4')).toBe(0.5);
    expect(metricValue(summary, 'aime24/avg')).toBe(0.25);
    expect(metricValue(summary, 'aime24/maj@k')).toBe(0.3);
    expect(metricValue(summary, 'aime24/truncationRate')).toBe(0.1);
  });
  it('is undefined when the benchmark or the metric is not there, and passes NaN on', () => {
    expect(metricValue(summary, 'aime25/avg')).toBeUndefined();
    expect(metricValue(summary, 'aime24/pass@8')).toBeUndefined();
    expect(metricValue(summary, 'math500/maj@k')).toBeUndefined();
    expect(metricValue(summary, 'aime24/passAt')).toBeUndefined();
    expect(metricValue(summary, 'aime24/constructor')).toBeUndefined();
    expect(metricValue(summary, 'math500/avg')).toBeNaN();
  });
});

describe('the stage end settings in a curriculum spec', () => {
  const spec = (
    settings: string,
    evalBlock = 'eval: { on_checkpoint: true, benchmarks: [aime24, "math500=b/m.jsonl"] }',
  ) => `
name: tiny
models:
  small: { model: org/small }
levels:
  easy: { when: { model: small, op: gt, value: 0.5 } }
${evalBlock}
stages:
  - name: one
    levels: [easy]
    settings: { max_response_length: 1024, ${settings} }
  - name: two
    levels: [easy]
    settings: { max_response_length: 2048 }
`;
  const issues = (text: string) => {
    const parsed = parseSpecText(text);
    return parsed.ok ? [] : parsed.issues.map((i) => `${i.path}: ${i.message}`);
  };

  it('accepts a plateau rule with a hand-off, filling in min_delta and mode', () => {
    const parsed = parseSpecText(
      spec('until: { plateau: { metric: "math500/pass@1", patience: 3 } }, checkpoint: best'),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.spec.stages[0]?.settings).toMatchObject({
      until: { plateau: { metric: 'math500/pass@1', patience: 3, min_delta: 0, mode: 'max' } },
      checkpoint: 'best',
    });
  });

  it('validates the limits of the rule', () => {
    expect(issues(spec('until: { plateau: { metric: aime24/avg, patience: 0 } }'))).toEqual([
      expect.stringMatching(/^stages\[0\]\.settings\.until\.plateau\.patience: .*>=1/),
    ]);
    expect(issues(spec('until: { plateau: { metric: aime24/avg, patience: 1.5 } }'))).toHaveLength(1);
    expect(issues(spec('until: { plateau: { metric: aime24/avg, patience: 2, min_delta: -0.1 } }'))).toEqual([
      expect.stringMatching(/^stages\[0\]\.settings\.until\.plateau\.min_delta: /),
    ]);
    expect(issues(spec('until: { plateau: { metric: aime24, patience: 2 } }'))).toEqual([
      expect.stringContaining('expected <benchmark>/<metric>'),
    ]);
    expect(issues(spec('until: { plateau: { metric: aime24/avg, patience: 2, mode: up } }'))).toHaveLength(1);
    expect(issues(spec('until: { plateau: { metric: aime24/avg, patience: 2, delta: 1 } }'))).toHaveLength(1);
    expect(issues(spec('checkpoint: newest'))).toHaveLength(1);
  });

  it('needs evaluations on checkpoint of the benchmark the metric reads', () => {
    expect(issues(spec('until: { plateau: { metric: aime25/avg, patience: 2 } }'))).toEqual([
      'stages[0].settings.until.plateau.metric: benchmark "aime25" is not evaluated; eval.benchmarks are "aime24", "math500"',
    ]);
    expect(issues(spec('until: { plateau: { metric: aime24/avg, patience: 2 } }', ''))).toEqual([
      expect.stringMatching(
        /^stages\[0\]\.settings\.until\.plateau: a plateau rule reads checkpoint evaluations/,
      ),
    ]);
    expect(
      issues(
        spec(
          'until: { plateau: { metric: aime24/avg, patience: 2 } }',
          'eval: { on_checkpoint: false, benchmarks: [aime24] }',
        ),
      ),
    ).toHaveLength(1);
  });

  it('refuses checkpoint: best without a plateau rule', () => {
    expect(issues(spec('checkpoint: best'))).toEqual([
      'stages[0].settings.checkpoint: `checkpoint: best` needs `until.plateau` (the evaluations it picks the best from)',
    ]);
    expect(issues(spec('checkpoint: last'))).toEqual([]);
  });
});
