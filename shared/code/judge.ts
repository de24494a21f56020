/**
 * Verdicts on one test run, and the scores of a list of them.
 *
 * stdout (LiveCodeBench's layout rule, token-wise): lines end at LF, CRLF or CR; blank lines at the
 * start and end are dropped and each line is trimmed; the line counts must match; a line passes when it
 * splits on whitespace into as many tokens as expected and every token pair passes tokens.ts's rule:
 * equal as text, or, only where the expected token is a real literal (`.` or an exponent), equal as an
 * exact decimal or within `floatTolerance` (absolute or relative). An expected integer compares exactly.
 * The scan is one pass over both outputs, with no regular expression.
 *
 * Call results: the JSON the harness wrote (integers exact) against `expected`, deeply: same types (a
 * bool is not a number), same array lengths, same object keys. An expected integer needs a number of
 * exactly its value (Python's `==`: `2.0` passes for 2, `1000000407.0` fails for 1000000007); an expected
 * non-integer takes the tolerance. JSON parsing does not keep how a number was written, so an expected
 * `2.0` in the data counts as the integer 2 here.
 */
import { readRecord } from './harness/index.ts';
import { readMarker } from './harness/marker.ts';
import { cap, toJson } from './test-formats/json.ts';
import type { CallCase, TestCase } from './test-formats/types.ts';
import { numbersClose, tokensEqual } from './tokens.ts';
import type { RunResult } from './types.ts';

export { numbersClose, tokensEqual } from './tokens.ts';

export interface JudgeOptions {
  /** Absolute-or-relative tolerance for expected real numbers; 0 compares them as exact decimals. */
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

/** JavaScript's `\s` (what String.prototype.trim removes): ASCII and Unicode spaces, line terminators. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

const isTerminator = (c: number) => c === 10 || c === 13;

/**
 * The lines of an output, read one at a time: ending at LF, CRLF or CR, each trimmed, without the blank
 * lines at either end (the output as a whole is trimmed first).
 */
class LineCursor {
  private readonly text: string;
  private readonly end: number;
  private at: number;

  constructor(text: string) {
    this.text = text;
    let a = 0;
    let b = text.length;
    while (a < b && isSpace(text.charCodeAt(a))) a++;
    while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
    this.end = b;
    this.at = a === b ? b + 1 : a;
  }

  /** The next line, or undefined after the last. */
  next(): string | undefined {
    const { text, end } = this;
    if (this.at > end) return undefined;
    let i = this.at;
    while (i < end && !isTerminator(text.charCodeAt(i))) i++;
    let a = this.at;
    let b = i;
    while (a < b && isSpace(text.charCodeAt(a))) a++;
    while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
    this.at = i === end ? end + 1 : i + (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1);
    return text.slice(a, b);
  }

  /** How many lines `next` has yet to return. */
  remaining(): number {
    const { text, end } = this;
    if (this.at > end) return 0;
    let n = 1;
    for (let i = this.at; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
    }
    return n;
  }
}

/** The end of the token starting at `i`, or of the whitespace run starting there. */
function skip(line: string, i: number, space: boolean): number {
  while (i < line.length && isSpace(line.charCodeAt(i)) === space) i++;
  return i;
}

/** Two trimmed lines pass when they have as many whitespace-separated tokens and every pair passes. */
function linesEqual(got: string, expected: string, tolerance: number): boolean {
  if (got === expected) return true;
  let g = skip(got, 0, true);
  let e = skip(expected, 0, true);
  while (g < got.length && e < expected.length) {
    const gEnd = skip(got, g, false);
    const eEnd = skip(expected, e, false);
    if (!tokensEqual(got.slice(g, gEnd), expected.slice(e, eEnd), tolerance)) return false;
    g = skip(got, gEnd, true);
    e = skip(expected, eEnd, true);
  }
  return g === got.length && e === expected.length;
}

export function compareStdout(got: string, expected: string, options: JudgeOptions): Judgement {
  if (got === expected) return { passed: true };
  const g = new LineCursor(got);
  const e = new LineCursor(expected);
  for (let line = 1; ; line++) {
    const gl = g.next();
    const el = e.next();
    if (gl === undefined && el === undefined) return { passed: true };
    if (gl !== undefined && el !== undefined && linesEqual(gl, el, options.floatTolerance)) continue;
    const gotLines = line - 1 + (gl === undefined ? 0 : 1) + g.remaining();
    const expectedLines = line - 1 + (el === undefined ? 0 : 1) + e.remaining();
    const reason =
      gotLines === expectedLines
        ? `wrong answer on line ${line}`
        : `wrong answer: ${gotLines} output lines, expected ${expectedLines} (first difference on line ${line})`;
    const firstDiff = { line, expected: cap(el ?? '', DIFF_CHARS), got: cap(gl ?? '', DIFF_CHARS) };
    return { passed: false, reason, firstDiff };
  }
}

function isInteger(v: unknown): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}

/** Deep JSON equality: an expected integer exactly (bigint-safe), other expected numbers with the tolerance. */
export function valuesEqual(got: unknown, expected: unknown, tolerance: number): boolean {
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';
  if (numeric(got) && numeric(expected)) {
    if (isInteger(expected)) return isInteger(got) && BigInt(got) === BigInt(expected);
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

const isFrame = (line: string) => line.trimStart().startsWith('at ');

const isNameChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c === 46;

/** `Name: ...`: how a JavaScript error's stack starts, unless its message is empty (`Name` alone). */
function isErrorHeader(line: string): boolean {
  let i = 0;
  while (i < line.length && isNameChar(line.charCodeAt(i))) i++;
  return i > 0 && line.charCodeAt(i) === 58;
}

/** How many lines above a stack's frames its header is looked for (a message may span lines). */
const HEADER_LINES = 4;

/**
 * What a failed run's stderr says went wrong, on one line: the last non-blank line (Python's
 * `ZeroDivisionError: ...`, the harness's `gradus: ... failed: ...`), or, when stderr ends with a
 * JavaScript stack, the error's `Name: message` followed by its frames.
 */
function errorSummary(stderr: string): string {
  const all = stderr.split('\n');
  let last = all.length - 1;
  while (last >= 0 && (all[last] as string).trim() === '') last--;
  if (last < 0) return '';
  if (!isFrame(all[last] as string)) return cap((all[last] as string).trim(), DIFF_CHARS);
  let firstFrame = last;
  while (firstFrame > 0 && isFrame(all[firstFrame - 1] as string)) firstFrame--;
  // The nearest `Name: ` line above the frames starts the message; else the line right above them.
  let header = firstFrame - 1;
  for (let i = header; i >= 0 && i >= firstFrame - HEADER_LINES; i--) {
    if (isErrorHeader(all[i] as string)) {
      header = i;
      break;
    }
  }
  const parts = all.slice(Math.max(0, header), last + 1).map((l) => l.trim());
  return cap(parts.filter((l) => l !== '').join(' '), DIFF_CHARS);
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
  const detail = errorSummary(run.stderr);
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
    const detail = errorSummary(run.stderr);
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
  const detail = errorSummary(run.stderr);
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
