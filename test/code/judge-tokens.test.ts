/**
 * The code judge's token rule (issue 11): tolerance, and numbers written differently, only where the
 * expected token is a real literal; an expected integer and every other token compare exactly, on stdout
 * and in call results alike. And the judge's linear time on hostile output (issue 12).
 */
import { describe, expect, it } from 'vitest';
import { compareStdout, judgeRun, tokensEqual, valuesEqual } from '../../shared/code/judge.ts';
import type { CallCase } from '../../shared/code/test-formats/types.ts';

const TOL = { floatTolerance: 1e-6 };
const EXACT = { floatTolerance: 0 };
const OPTIONS = [TOL, EXACT];

describe('stdout tokens: an expected integer or word compares as text', () => {
  it.each([
    ['a bit string without its leading zeros', '11', '0011'],
    ['a zero-padded id without its padding', '7', '007'],
    ['an exponent for an integer', '1e2', '100'],
    ['a plus sign', '+5', '5'],
    ['a negative zero', '-0', '0'],
    ['a float for an integer of the same value', '2.0', '2'],
    ['1e9 for 10^9 + 7', '1e9', '1000000007'],
    ['a float 501 away from 999999999', '1000000500.0', '999999999'],
    ["Python's float(2**64) for 2^64 + 1", '1.8446744073709552e+19', '18446744073709551617'],
    ['a float within 1e-6 of a large integer', '1000000407.0', '1000000007'],
    ['the same value in hex', '0x10', '16'],
  ])('fails %s', (_name, got, expected) => {
    for (const options of OPTIONS) {
      expect(compareStdout(got, expected, options).passed).toBe(false);
      expect(compareStdout(`Case #1: ${got} ok`, `Case #1: ${expected} ok`, options).passed).toBe(false);
    }
  });

  it('passes the same integer written the same way, at any size', () => {
    const big = `9${'0'.repeat(400)}1`;
    for (const options of OPTIONS) {
      expect(compareStdout(`0011 007 +5 ${big}`, `0011 007 +5 ${big}`, options).passed).toBe(true);
    }
  });
});

describe('stdout tokens: an expected real takes any number of its value', () => {
  it.each([
    ['trailing zeros', '1.50', '1.5'],
    ['an integer for a real', '2', '2.000000'],
    ['an exponent', '15e-1', '1.5'],
    ['a leading dot', '.5', '0.5'],
    ['a plus sign', '+0.25', '0.25'],
    ['negative zero', '-0.0', '0.000'],
    ['huge equal values beyond a double', '1.0e400', '10e399'],
  ])('passes %s, with or without a tolerance', (_name, got, expected) => {
    for (const options of OPTIONS) expect(compareStdout(got, expected, options).passed).toBe(true);
  });

  it('applies the tolerance only to an expected real', () => {
    expect(tokensEqual('0.5000001', '0.5', 1e-6)).toBe(true);
    expect(tokensEqual('0.500002', '0.5', 1e-6)).toBe(false);
    expect(tokensEqual('1000000007', '1e9', 1e-6)).toBe(true);
    expect(tokensEqual('1000000007', '1e9', 0)).toBe(false);
    expect(tokensEqual('1e9', '1000000007', 1e-6)).toBe(false);
  });

  it('never takes overflowed values as equal', () => {
    expect(tokensEqual('2e400', '1e400', 1e-6)).toBe(false);
    expect(tokensEqual('-1e400', '1e400', 1e-6)).toBe(false);
  });

  it('needs a number for a real: words, a lone sign or dot fail', () => {
    for (const got of ['nan', 'inf', '-', '.', '1e', '1.5.', '1,5', '']) {
      expect(tokensEqual(got, '1.5', 1e-6)).toBe(false);
    }
  });
});

describe('stdout layout: whitespace-only differences pass', () => {
  it.each([
    ['CR line endings', 'a\r\rb', 'a\n\nb'],
    ['mixed line endings', '1\r\n2\r3\n', '1\n2\n3'],
    ['Unicode spaces around and between tokens', '\u00a01\u3000 2\u2028\ufeff', '1 2'],
    ['blank lines and spaces at both ends', ' \n\t\n 1 \n \n', '1'],
  ])('passes %s', (_name, got, expected) => {
    expect(compareStdout(got, expected, TOL)).toEqual({ passed: true });
  });

  it('keeps blank lines inside the output, and counts the lines of both sides', () => {
    expect(compareStdout('a\n\nb', 'a\nb', TOL)).toEqual({
      passed: false,
      reason: 'wrong answer: 3 output lines, expected 2 (first difference on line 2)',
      firstDiff: { line: 2, expected: 'b', got: '' },
    });
    expect(compareStdout('1\r\n2\r\n', '1\r\n2\r\n3\r4', TOL).reason).toBe(
      'wrong answer: 2 output lines, expected 4 (first difference on line 3)',
    );
    expect(compareStdout('1 2', '1  2 3', TOL).passed).toBe(false);
    expect(compareStdout('', '0', TOL).passed).toBe(false);
  });
});

describe('call results follow the same rule', () => {
  it('needs an exact value for an expected integer', () => {
    expect(valuesEqual(1000000007.0000001, 1000000007, 1e-6)).toBe(false);
    expect(valuesEqual(1000000407, 1000000007, 1e-6)).toBe(false);
    expect(valuesEqual(1.8446744073709552e19, 18446744073709551617n, 1e-6)).toBe(false);
    expect(valuesEqual(2.5, 2, 1e-6)).toBe(false);
    // Python's `==`: a float of exactly the integer's value passes.
    expect(valuesEqual(1.8446744073709552e19, 18446744073709551616n, 1e-6)).toBe(true);
    expect(valuesEqual([2.0, 3], [2, 3], 1e-6)).toBe(true);
  });

  it('gives an expected non-integer the tolerance', () => {
    expect(valuesEqual(0.5000001, 0.5, 1e-6)).toBe(true);
    expect(valuesEqual(0.5000001, 0.5, 0)).toBe(false);
    expect(valuesEqual(1000000007, 1000000006.5, 1e-6)).toBe(true);
  });

  it('judges the JSON a Python harness writes: 1000000407.0 fails for 1000000007, 0.5000001 passes for 0.5', () => {
    const nonce = 'gradus0123456789abcdef0123456789abcdef';
    const run = (result: string) => ({
      status: 'ok' as const,
      stdout: `\n${nonce}{"ok":true,"result":${result}}\n`,
      stderr: '',
      ms: 1,
    });
    const test = (expected: unknown): CallCase => ({ kind: 'call', fnName: 'f', args: [], expected });
    expect(judgeRun(test(1000000007), run('1000000407.0'), nonce, TOL).passed).toBe(false);
    expect(judgeRun(test(1000000007), run('1000000007.0000001'), nonce, TOL).passed).toBe(false);
    expect(judgeRun(test(18446744073709551617n), run('1.8446744073709552e+19'), nonce, TOL).passed).toBe(
      false,
    );
    expect(judgeRun(test(0.5), run('0.5000001'), nonce, TOL).passed).toBe(true);
    expect(judgeRun(test([1.5, 7]), run('[1.4999999,7.0]'), nonce, TOL).passed).toBe(true);
  });
});

describe('the judge is linear in the output (issue 12)', () => {
  const MIB = 1 << 20;
  const digits = (n: number) => '1'.repeat(n);
  const zeros = (n: number) => '0'.repeat(n);
  const many = (token: string) => `${token} `.repeat(Math.floor(MIB / (token.length + 1)));
  const cases: [string, string, string][] = [
    ['a digit run ending in a letter, integer expected', `${digits(MIB)}x`, '1'],
    ['a digit run ending in a letter, real expected', `${digits(MIB)}x`, '1.0'],
    ['a digit run ending in a dot and a letter', `${digits(MIB)}.x`, '1.0'],
    ['1, zeros, 1', `1${zeros(MIB)}1`, '1.0'],
    ['1., zeros, 1', `1.${zeros(MIB)}1`, '1.0'],
    ['a long exponent', `1e${zeros(MIB)}1`, '1.0'],
    ['long numbers on both sides', `1${zeros(MIB)}1`, `1${zeros(MIB)}2.0`],
    ['a long expected real', '1', `1.${zeros(MIB)}1`],
    ['a long whitespace run', `1${' '.repeat(MIB)}2`, '1 2.0'],
    ['many real tokens', many('1.50'), many('1.5')],
    ['many lines', '1.50\r\n'.repeat(MIB / 6), '1.5\n'.repeat(MIB / 6)],
  ];

  // The best of three runs after a warm-up: the judge's own cost, not the scheduler's on a busy machine
  // (the quadratic judge took 11 s on 60 KB of such output, and would take about an hour on 1 MiB).
  it.each(cases)('judges %s (1 MiB) in under 500 ms', (_name, got, expected) => {
    compareStdout(got.slice(0, 1000), expected.slice(0, 1000), TOL);
    for (const options of OPTIONS) {
      let best = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 3; run++) {
        const started = performance.now();
        compareStdout(got, expected, options);
        best = Math.min(best, performance.now() - started);
      }
      expect(best).toBeLessThan(500);
    }
  });
});
