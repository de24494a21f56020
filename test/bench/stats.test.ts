import { describe, expect, it } from 'vitest';
import { percentile } from '../../bench/stats.ts';

describe('percentile (nearest rank)', () => {
  const values = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1..1000, unsorted

  it('takes the ceil(p * n / 100)-th smallest value', () => {
    expect(percentile(values, 50)).toBe(500);
    expect(percentile(values, 99)).toBe(990);
    expect(percentile(values, 100)).toBe(1000);
  });

  it('does not skip a rank when p * n / 100 is an integer that floating point overshoots', () => {
    // (99.9 / 100) * 1000 is 999.0000000000001 in doubles: p99.9 of 1,000 values is the 999th, not the max.
    expect(percentile(values, 99.9)).toBe(999);
    expect(
      percentile(
        Array.from({ length: 3000 }, (_, i) => i + 1),
        99.9,
      ),
    ).toBe(2997);
  });

  it('is NaN for no values', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});
