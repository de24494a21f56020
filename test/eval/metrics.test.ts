import { describe, expect, it } from 'vitest';
import {
  bootstrapCI,
  computeMetrics,
  lengthStats,
  majorityCorrect,
  type ProblemSamples,
  passAtK,
  problemAccuracy,
} from '../../shared/eval/metrics.ts';
import { exactPassAtK, referenceBootstrap, referenceLengths } from './independent.ts';

const verdict = (sample: number, correct: boolean, extracted: string | null) => ({
  sample,
  correct,
  extracted,
  finishReason: 'stop',
  responseChars: 10,
});

describe('pass@k', () => {
  it('equals the exact binomial ratio for every n <= 20, c, k', () => {
    for (let n = 1; n <= 20; n++)
      for (let c = 0; c <= n; c++)
        for (let k = 1; k <= n; k++) expect(passAtK(n, c, k)).toBeCloseTo(exactPassAtK(n, c, k), 12);
  });

  it('stays finite and exact where the binomials overflow doubles (n = 2000)', () => {
    for (const [c, k] of [
      [1, 1],
      [3, 100],
      [50, 500],
      [1999, 1000],
    ] as const) {
      const value = passAtK(2000, c, k);
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeCloseTo(exactPassAtK(2000, c, k), 12);
    }
  });

  it('pass@1 is the share of correct samples', () => {
    expect(passAtK(16, 5, 1)).toBeCloseTo(5 / 16, 15);
  });

  it('rejects k above n and counts outside 0..n', () => {
    expect(() => passAtK(4, 2, 5)).toThrow(/k <= n/);
    expect(() => passAtK(4, 5, 1)).toThrow(RangeError);
  });
});

describe('maj@k', () => {
  const problem = (samples: ReturnType<typeof verdict>[]): ProblemSamples => ({ id: 'p', samples });

  it('follows the most frequent extracted answer, ties to the first seen, unanswered samples not voting', () => {
    expect(
      majorityCorrect(problem([verdict(0, false, '3'), verdict(1, true, '4'), verdict(2, true, '4')]), 3),
    ).toBe(true);
    expect(majorityCorrect(problem([verdict(0, false, '3'), verdict(1, true, '4')]), 2)).toBe(false);
    expect(majorityCorrect(problem([verdict(1, true, '4'), verdict(0, false, '3')]), 2)).toBe(false);
    expect(
      majorityCorrect(problem([verdict(0, false, null), verdict(1, false, null), verdict(2, true, '4')]), 3),
    ).toBe(true);
    expect(majorityCorrect(problem([verdict(0, false, null)]), 1)).toBe(false);
  });

  it('only looks at the first k samples by index', () => {
    const p = problem([
      verdict(2, false, '9'),
      verdict(3, false, '9'),
      verdict(0, true, '4'),
      verdict(1, false, '7'),
    ]);
    expect(majorityCorrect(p, 1)).toBe(true);
    expect(majorityCorrect(p, 4)).toBe(false);
  });
});

describe('computeMetrics', () => {
  const p = (id: string, samples: ReturnType<typeof verdict>[]): ProblemSamples => ({ id, samples });
  const problems = [
    p('a', [verdict(0, true, '4'), verdict(1, true, '4')]),
    p('b', [verdict(0, false, '3'), verdict(1, false, '3')]),
  ];

  it('gives maj@k only where answers can be voted on (math), never for programs', () => {
    expect(computeMetrics(problems, 2, { votable: true }).majAtK).toBe(0.5);
    const code = computeMetrics(problems, 2, { votable: false });
    expect(code.majAtK).toBeUndefined();
    expect(code.avg).toBe(0.5);
  });
});

describe('bootstrap and lengths', () => {
  const values = Array.from({ length: 57 }, (_, i) => ((i * 37) % 11) / 10);

  it('is the documented percentile bootstrap, reproducible by seed', () => {
    expect(bootstrapCI(values, 7)).toEqual(referenceBootstrap(values, 7));
    expect(bootstrapCI(values, 7)).toEqual(bootstrapCI(values, 7));
    expect(bootstrapCI(values, 8)).not.toEqual(bootstrapCI(values, 7));
    const { low, high } = bootstrapCI(values, 1);
    const mean = values.reduce((a, b) => a + b) / values.length;
    expect(low).toBeLessThan(mean);
    expect(high).toBeGreaterThan(mean);
  });

  it('length statistics match the definitions', () => {
    const lengths = [5, 1, 9, 3, 3, 12, 40, 7, 2, 8, 6];
    expect(lengthStats(lengths)).toEqual(referenceLengths(lengths));
  });

  it('a problem without samples scores 0', () => {
    expect(problemAccuracy({ id: 'x', samples: [] })).toBe(0);
  });
});
