/**
 * Verdicts on one test run, and the scores of a list of them.
 *
 * stdout (LiveCodeBench's rule, token-wise): line endings normalised (CRLF, CR), the whole output
 * trimmed, each line trimmed; the line counts must match; a line passes when equal, else when it splits
 * on whitespace into as many tokens and every token pair is equal or both are numbers that compare equal.
 * Numbers: `[+-]?digits[.digits][e[+-]digits]`. Two number tokens pass when they are equal as exact
 * decimals (`1.50` = `1.5`, `1e3` = `1000`; LiveCodeBench's `Decimal` rule, so integers of any size stay
 * exact: 10^18 and 10^18 + 1 differ), or, when `floatTolerance` > 0 and either token is written as a
 * float (has `.` or an exponent), when |got - expected| <= floatTolerance * max(1, |expected|) (absolute
 * or relative error, as Codeforces checkers accept; TACO/APPS fall back to np.allclose likewise).
 * `floatTolerance: 0` is LCB's rule, except that LCB needs every token of a differing line to be a
 * number while here words compare as text and numbers as numbers.
 *
 * Call results: the JSON the harness wrote (integers exact) against `expected`, deeply: same types (a
 * bool is not a number), same array lengths, same object keys; numbers by value (1 = 1.0), with the same
 * tolerance when either is not an integer.
 */
import { readRecord } from './harness/index.ts';
import { readMarker } from './harness/marker.ts';
import { cap, toJson } from './tests/json.ts';
import type { CallCase, TestCase } from './tests/types.ts';
import type { RunResult } from './types.ts';

export interface JudgeOptions {
  /** Absolute-or-relative tolerance for non-integer numbers; 0 compares them as exact decimals. */
  floatTolerance: number;
}

export const DEFAULT_FLOAT_TOLERANCE = 1e-6;

export interface FirstDiff {
  /** 1-based line of the output (1 for a call result). */
  line: number;
  expected: string;
  got: string;
}

export interface Judgement {
  passed: boolean;
  reason?: string;
  firstDiff?: FirstDiff;
}

const DIFF_CHARS = 200;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function lines(text: string): string[] {
  const trimmed = text.replace(/\r\n?/g, '\n').trim();
  return trimmed === '' ? [] : trimmed.split('\n').map((l) => l.trim());
}

/** A decimal literal as sign, significant digits and exponent, so that 1.50, 1.5 and 15e-1 are equal. */
function canonicalDecimal(token: string): string {
  const m = NUMBER.exec(token);
  if (!m) return token;
  const [mantissa = '', exponent = '0'] = token.replace(/^[+-]/, '').toLowerCase().split('e');
  const [whole = '', frac = ''] = mantissa.split('.');
  const digits = `${whole}${frac}`.replace(/^0+/, '');
  if (digits === '') return '0';
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  const exp = BigInt(exponent) - BigInt(frac.length) + BigInt(trailing);
  return `${token.startsWith('-') ? '-' : ''}${digits.slice(0, digits.length - trailing)}e${exp}`;
}

export function numbersClose(got: number, expected: number, tolerance: number): boolean {
  if (got === expected) return true;
  if (!Number.isFinite(got) || !Number.isFinite(expected)) return false;
  return Math.abs(got - expected) <= tolerance * Math.max(1, Math.abs(expected));
}

export function tokensEqual(got: string, expected: string, tolerance: number): boolean {
  if (got === expected) return true;
  if (!NUMBER.test(got) || !NUMBER.test(expected)) return false;
  if (canonicalDecimal(got) === canonicalDecimal(expected)) return true;
  const isFloat = (t: string) => /[.eE]/.test(t);
  return (
    tolerance > 0 &&
    (isFloat(got) || isFloat(expected)) &&
    numbersClose(Number(got), Number(expected), tolerance)
  );
}

export function linesEqual(got: string, expected: string, tolerance: number): boolean {
  if (got === expected) return true;
  const a = got.split(/\s+/);
  const b = expected.split(/\s+/);
  return a.length === b.length && a.every((t, i) => tokensEqual(t, b[i] as string, tolerance));
}

export function compareStdout(got: string, expected: string, options: JudgeOptions): Judgement {
  const g = lines(got);
  const e = lines(expected);
  const n = Math.max(g.length, e.length);
  for (let i = 0; i < n; i++) {
    const gl = g[i];
    const el = e[i];
    if (gl !== undefined && el !== undefined && linesEqual(gl, el, options.floatTolerance)) continue;
    const reason =
      g.length === e.length
        ? `wrong answer on line ${i + 1}`
        : `wrong answer: ${g.length} output lines, expected ${e.length} (first difference on line ${i + 1})`;
    const firstDiff = { line: i + 1, expected: cap(el ?? '', DIFF_CHARS), got: cap(gl ?? '', DIFF_CHARS) };
    return { passed: false, reason, firstDiff };
  }
  return { passed: true };
}

function isInteger(v: unknown): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}

/** Deep JSON equality: integers exact (bigint-safe), other numbers with the tolerance. */
export function valuesEqual(got: unknown, expected: unknown, tolerance: number): boolean {
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';
  if (numeric(got) && numeric(expected)) {
    if (isInteger(got) && isInteger(expected)) return BigInt(got) === BigInt(expected);
    const a = Number(got);
    const b = Number(expected);
    return tolerance > 0 ? numbersClose(a, b, tolerance) : a === b;
  }
  if (Array.isArray(got) || Array.isArray(expected)) {
    if (!Array.isArray(got) || !Array.isArray(expected) || got.length !== expected.length) return false;
    return got.every((v, i) => valuesEqual(v, expected[i], tolerance));
  }
  if (typeof got === 'object' && got !== null && typeof expected === 'object' && expected !== null) {
    const gk = Object.keys(got);
    const ek = Object.keys(expected);
    if (gk.length !== ek.length || !ek.every((k) => Object.hasOwn(got, k))) return false;
    const g = got as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    return ek.every((k) => valuesEqual(g[k], e[k], tolerance));
  }
  return got === expected;
}

export function compareCallResult(got: unknown, test: CallCase, options: JudgeOptions): Judgement {
  const tol = options.floatTolerance;
  if (valuesEqual(got, test.expected, tol)) return { passed: true };
  const e = test.expected;
  if (test.unwrapExpected && Array.isArray(e) && e.length === 1 && valuesEqual(got, e[0], tol))
    return { passed: true };
  return {
    passed: false,
    reason: 'wrong answer',
    firstDiff: { line: 1, expected: cap(toJson(e), DIFF_CHARS), got: cap(toJson(got), DIFF_CHARS) },
  };
}

/** Last non-blank line of stderr: the harness's `gradus: ... failed: ...` summary, or the error's last line. */
function lastErrorLine(stderr: string): string {
  const line = stderr
    .trimEnd()
    .split('\n')
    .findLast((l) => l.trim() !== '');
  return cap((line ?? '').trim(), DIFF_CHARS);
}

function runFailure(run: RunResult): string | undefined {
  if (run.status === 'ok') return undefined;
  const what: Record<Exclude<RunResult['status'], 'ok'>, string> = {
    runtime_error: 'runtime error',
    compile_error: 'compile error',
    timeout: 'time limit exceeded',
    memory_limit: 'memory limit exceeded',
    output_limit: 'output limit exceeded',
  };
  const detail = lastErrorLine(run.stderr);
  return detail === '' ? what[run.status] : `${what[run.status]}: ${detail}`;
}

/**
 * The verdict on one run of one test: a stdio or call run, or a script test's replay run. A run that did
 * not end `ok` fails whatever it printed; call and replay runs pass only through the harness's marker
 * line for this run's nonce.
 */
export function judgeRun(test: TestCase, run: RunResult, nonce: string, options: JudgeOptions): Judgement {
  const failure = runFailure(run);
  if (failure !== undefined) return { passed: false, reason: failure };
  if (test.kind === 'stdio') return compareStdout(run.stdout, test.output, options);
  const marker = readMarker(run.stdout, nonce);
  if (marker === null) {
    const detail = lastErrorLine(run.stderr);
    return {
      passed: false,
      reason: `no result line: the program ended before the test finished${detail ? ` (${detail})` : ''}`,
    };
  }
  if (test.kind === 'script') return { passed: true };
  if (!marker.hasResult) return { passed: false, reason: 'the result line carries no result' };
  return compareCallResult(marker.result, test, options);
}

/**
 * The record of a script test's record run, or the failed verdict when there is none: the run did not end
 * `ok` (the program failed to load, the test raised, a limit was hit) or wrote no record line. A record
 * is never a pass by itself; the replay run decides (score.ts).
 */
export function judgeRecord(run: RunResult): { record: string } | Judgement {
  const failure = runFailure(run);
  if (failure !== undefined) return { passed: false, reason: failure };
  const record = readRecord(run.stdout);
  if (record !== null) return { record };
  const detail = lastErrorLine(run.stderr);
  return {
    passed: false,
    reason: `no record: the program ended before the test finished${detail ? ` (${detail})` : ''}`,
  };
}

/** Fraction of tests passed (the paper's and verl's reward); 0 for no tests. */
export function passRate(passed: readonly boolean[]): number {
  return passed.length === 0 ? 0 : passed.filter(Boolean).length / passed.length;
}

/** 1 when every test passed (rllm's reward), else 0; 0 for no tests. */
export function allOrNothing(passed: readonly boolean[]): number {
  return passed.length > 0 && passed.every(Boolean) ? 1 : 0;
}
