import { describe, expect, it } from 'vitest';
import {
  allOrNothing,
  compareCallResult,
  compareStdout,
  judgeRecord,
  judgeRun,
  passRate,
  tokensEqual,
  valuesEqual,
} from '../../shared/code/judge.ts';
import type { CallCase, ScriptCase } from '../../shared/code/test-formats/types.ts';
import type { RunResult } from '../../shared/code/types.ts';

const TOL = { floatTolerance: 1e-6 };
const EXACT = { floatTolerance: 0 };

describe('compareStdout', () => {
  it.each([
    ['CRLF line endings', '1 2\r\n3\r\n', '1 2\n3\n'],
    ['trailing spaces and blank lines', '1 2   \n3\n\n\n', '1 2\n3'],
    ['leading and inner whitespace', '  1   2\n\t3', '1 2\n3'],
    ['a missing final newline', 'YES', 'YES\n'],
    ['equal decimals written differently', '1.50 1e3 -0.0 15e-1 2', '1.5 1000.0 0.0 1.5 2.00'],
    ['big integers written the same', '123456789012345678901234567890', '123456789012345678901234567890'],
    ['words next to numbers', 'Case #1: 2.50', 'Case #1: 2.5'],
    ['empty output for empty expected', '\n', ''],
  ])('passes %s', (_name, got, expected) => {
    expect(compareStdout(got, expected, TOL)).toEqual({ passed: true });
    expect(compareStdout(got, expected, EXACT)).toEqual({ passed: true });
  });

  it('accepts 0.1+0.2 for 0.3 within the tolerance, not with exact decimals (LCB)', () => {
    expect(compareStdout('0.30000000000000004', '0.3', TOL).passed).toBe(true);
    expect(compareStdout('0.30000000000000004', '0.3', EXACT).passed).toBe(false);
    expect(compareStdout('0.333333', '0.3333333333', TOL).passed).toBe(true);
    expect(compareStdout('0.33', '0.3333333333', TOL).passed).toBe(false);
  });

  it('uses the relative error for large floats, Codeforces-style', () => {
    expect(compareStdout('1000000.5', '1000000.0', TOL).passed).toBe(true);
    expect(compareStdout('1000002.5', '1000000.0', TOL).passed).toBe(false);
  });

  it('compares integers exactly at any size, tolerance or not', () => {
    expect(compareStdout('1000000000000000001', '1000000000000000000', TOL).passed).toBe(false);
    expect(compareStdout('1000001', '1000000', TOL).passed).toBe(false);
    expect(
      compareStdout('123456789012345678901234567891', '123456789012345678901234567890', TOL).passed,
    ).toBe(false);
  });

  it('reports the first differing line, capped', () => {
    expect(compareStdout('1\n2\n4', '1\n2\n3', TOL)).toEqual({
      passed: false,
      reason: 'wrong answer on line 3',
      firstDiff: { line: 3, expected: '3', got: '4' },
    });
    const long = compareStdout('x'.repeat(500), 'y', TOL);
    expect(long.firstDiff?.got.startsWith('x'.repeat(200))).toBe(true);
    expect(long.firstDiff?.got.length).toBeLessThan(230);
  });

  it('fails on a different line count, naming both counts', () => {
    const v = compareStdout('1\n2', '1\n2\n3', TOL);
    expect(v.passed).toBe(false);
    expect(v.reason).toMatch(/2 output lines, expected 3/);
    expect(v.firstDiff).toEqual({ line: 3, expected: '3', got: '' });
  });

  it.each([
    ['different words', 'yes', 'YES'],
    ['a different token count', '1 2 3', '1 2'],
    ['a word for a number', 'abc', '1'],
    ['nan for a number', 'nan', '0.5'],
  ])('fails %s', (_name, got, expected) => {
    expect(compareStdout(got, expected, TOL).passed).toBe(false);
  });

  it('tokensEqual treats hex, inf and words as text, even for an expected real', () => {
    expect(tokensEqual('0x10', '16.0', 1e-6)).toBe(false);
    expect(tokensEqual('inf', '1e400', 1e-6)).toBe(false);
    expect(tokensEqual('0x10', '16', 1e-6)).toBe(false);
    expect(tokensEqual('inf', 'inf', 1e-6)).toBe(true);
    expect(tokensEqual('1e-7', '0.0', 1e-6)).toBe(true);
    expect(tokensEqual('1e-7', '0.0', 0)).toBe(false);
  });
});

describe('valuesEqual (call results)', () => {
  it('compares JSON deeply, numbers by value, bools not as numbers', () => {
    expect(valuesEqual([1, [2, { a: 'x' }]], [1.0, [2, { a: 'x' }]], 1e-6)).toBe(true);
    expect(valuesEqual({ a: 1, b: 2 }, { b: 2, a: 1 }, 1e-6)).toBe(true);
    expect(valuesEqual({ a: 1 }, { a: 1, b: 2 }, 1e-6)).toBe(false);
    expect(valuesEqual([1, 2], [1, 2, 3], 1e-6)).toBe(false);
    expect(valuesEqual(true, 1, 1e-6)).toBe(false);
    expect(valuesEqual(null, 0, 1e-6)).toBe(false);
    expect(valuesEqual('1', 1, 1e-6)).toBe(false);
    expect(valuesEqual([], {}, 1e-6)).toBe(false);
  });

  it('keeps big integers exact and floats within the tolerance', () => {
    expect(valuesEqual(12345678901234567891n, 12345678901234567890n, 1e-6)).toBe(false);
    expect(valuesEqual(12345678901234567890n, 12345678901234567890n, 1e-6)).toBe(true);
    expect(valuesEqual(100000000000000000000n, 1e20, 1e-6)).toBe(true);
    expect(valuesEqual(0.30000000000000004, 0.3, 1e-6)).toBe(true);
    expect(valuesEqual(0.30000000000000004, 0.3, 0)).toBe(false);
  });

  it('accepts an APPS result equal to the single item of its list-wrapped expected value', () => {
    const test: CallCase = { kind: 'call', fnName: 'f', args: [], expected: [5], unwrapExpected: true };
    expect(compareCallResult(5, test, TOL).passed).toBe(true);
    expect(compareCallResult([5], test, TOL).passed).toBe(true);
    expect(compareCallResult(5, { ...test, unwrapExpected: false }, TOL)).toEqual({
      passed: false,
      reason: 'wrong answer',
      firstDiff: { line: 1, expected: '[5]', got: '5' },
    });
  });
});

describe('judgeRun', () => {
  const NONCE = 'gradus0123456789abcdef0123456789abcdef';
  const run = (over: Partial<RunResult>): RunResult => ({
    status: 'ok',
    stdout: '',
    stderr: '',
    ms: 1,
    ...over,
  });
  const call: CallCase = { kind: 'call', fnName: 'f', args: [1], expected: [1, 2] };
  const script: ScriptCase = { kind: 'script', code: 'assert True', entryPoints: [] };

  it('passes a call whose marker carries the expected result', () => {
    expect(
      judgeRun(call, run({ stdout: `noise\n${NONCE}{"ok":true,"result":[1,2]}\n` }), NONCE, TOL).passed,
    ).toBe(true);
    expect(judgeRun(call, run({ stdout: `\n${NONCE}{"ok":true,"result":[2,1]}\n` }), NONCE, TOL).passed).toBe(
      false,
    );
  });

  it('fails without the marker of this run, or with a marker of another shape', () => {
    const other = 'gradusffffffffffffffffffffffffffffffff';
    expect(judgeRun(script, run({ stdout: `${other}{"ok":true}\n` }), NONCE, TOL).passed).toBe(false);
    expect(judgeRun(script, run({ stdout: '{"ok":true}\n' }), NONCE, TOL).reason).toMatch(/no result line/);
    expect(judgeRun(script, run({ stdout: `${NONCE}{"ok":true,"extra":1}` }), NONCE, TOL).passed).toBe(false);
    expect(judgeRun(script, run({ stdout: `${NONCE}{"ok":false}` }), NONCE, TOL).passed).toBe(false);
    expect(judgeRun(script, run({ stdout: `x${NONCE}{"ok":true}` }), NONCE, TOL).passed).toBe(false);
    expect(judgeRun(call, run({ stdout: `\n${NONCE}{"ok":true}\n` }), NONCE, TOL).passed).toBe(false);
    expect(judgeRun(script, run({ stdout: `\n${NONCE}{"ok":true}\n` }), NONCE, TOL).passed).toBe(true);
  });

  it('fails any run that did not end ok, with the last stderr line as the reason', () => {
    const v = judgeRun(
      { kind: 'stdio', input: '', output: '1' },
      run({
        status: 'runtime_error',
        stdout: '1',
        stderr: 'Traceback...\nZeroDivisionError: division by zero\n',
      }),
      NONCE,
      TOL,
    );
    expect(v).toEqual({ passed: false, reason: 'runtime error: ZeroDivisionError: division by zero' });
    const t = judgeRun(script, run({ status: 'timeout', stdout: `\n${NONCE}{"ok":true}\n` }), NONCE, TOL);
    expect(t).toEqual({ passed: false, reason: 'time limit exceeded' });
  });
});

describe('judgeRecord', () => {
  const run = (over: Partial<RunResult>): RunResult => ({
    status: 'ok',
    stdout: '',
    stderr: '',
    ms: 1,
    ...over,
  });

  it('takes the last record line of a run that ended ok', () => {
    const stdout = 'gradus-record:{"events":[1]}\nprint\ngradus-record:{"events":[]}\r\nafter';
    expect(judgeRecord(run({ stdout }))).toEqual({ record: '{"events":[]}' });
    expect(judgeRecord(run({ stdout: 'gradus-record:{"events":[]}' }))).toEqual({ record: '{"events":[]}' });
  });

  it('fails a run that did not end ok, or that wrote no record', () => {
    expect(judgeRecord(run({ status: 'timeout', stdout: 'gradus-record:{"events":[]}' }))).toEqual({
      passed: false,
      reason: 'time limit exceeded',
    });
    expect(judgeRecord(run({ stdout: 'x gradus-record:{}', stderr: 'oops\n' }))).toEqual({
      passed: false,
      reason: 'no record: the program ended before the test finished (oops)',
    });
  });
});

describe('scores', () => {
  it('pass_rate is passed/total and all_or_nothing needs every test', () => {
    expect(passRate([true, false, true, true])).toBe(0.75);
    expect(allOrNothing([true, false])).toBe(0);
    expect(allOrNothing([true, true])).toBe(1);
    expect(passRate([])).toBe(0);
    expect(allOrNothing([])).toBe(0);
  });
});
