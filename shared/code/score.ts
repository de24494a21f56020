/**
 * scoreCode: one response against its tests. parse the ground truth -> extract the program -> for each
 * chosen test, build the run (harness/) -> run it through the injected runner -> judge it (judge.ts).
 * A stdio or call test is one run. A script test is two: the record run (the program under the test;
 * it ends with the recorded calls and results) and the replay run (the test against the record, with
 * no program code), whose marker decides (harness/python-harness.ts). The runner starts every run from
 * a clean interpreter.
 *
 * The runner is the only I/O: pass a sandbox pool's `run`, or a fake in tests. An error the runner throws
 * (a full queue, a broken sandbox) is not a verdict on the response, so it propagates to the caller.
 */
import { z } from '@hono/zod-openapi';
import { type ExtractedProgram, extractProgram } from './extract.ts';
import { buildRecordRun, buildReplayRun, buildRun, newNonce, RECORD_OUTPUT_BYTES } from './harness/index.ts';
import {
  allOrNothing,
  DEFAULT_FLOAT_TOLERANCE,
  type FirstDiff,
  type Judgement,
  judgeRecord,
  judgeRun,
  passRate,
} from './judge.ts';
import { cap, toJson } from './tests/json.ts';
import { parseGroundTruth } from './tests/parse.ts';
import type { ScriptCase, TestCase, TestSuite } from './tests/types.ts';
import {
  DEFAULT_RUN_LIMITS,
  type Language,
  type RunLimits,
  type RunResult,
  type RunStatus,
} from './types.ts';

export const CodeOptionsInput = z
  .object({
    scoring: z.enum(['pass_rate', 'all_or_nothing']).openapi({
      description: 'pass_rate: passed/total (paper, verl); all_or_nothing: 1 only if all pass (rllm).',
    }),
    stopAtFirstFailure: z
      .boolean()
      .openapi({ description: 'Skip the tests after a failure; skipped tests count as failed.' }),
    maxTests: z.number().int().min(1).max(1000).openapi({ description: 'Run at most this many tests.' }),
    testSelection: z.enum(['first', 'longest']).openapi({
      description: 'Which tests maxTests keeps: the first, or those with the longest input (rllm).',
    }),
    timeLimitS: z
      .number()
      .positive()
      .max(120)
      .openapi({ description: "Per-test limit at native speed; beats the data's own." }),
    pythonTimeMultiplier: z.number().min(1).max(10).openapi({
      description: 'Python limits are scaled by this (Pyodide is 1.2-2.9x slower than CPython).',
    }),
    memoryMb: z.number().int().min(16).max(4096),
    floatTolerance: z
      .number()
      .min(0)
      .max(1)
      .openapi({
        description:
          'Absolute-or-relative tolerance where the expected number is a real (has . or an exponent); 0: exact decimals. Expected integers always compare exactly.',
      }),
    maxProgramChars: z.number().int().min(1).max(1_000_000),
    budgetMs: z
      .number()
      .int()
      .min(1)
      .max(600_000)
      .openapi({ description: 'Wall budget of all runs of one item; later tests are skipped.' }),
  })
  .partial()
  .strict()
  .openapi('CodeOptions', {
    description: 'Overrides of the code scorer defaults; unknown keys are rejected.',
  });
export type CodeOptionsInput = z.infer<typeof CodeOptionsInput>;
export type CodeOptions = Required<Omit<CodeOptionsInput, 'maxTests' | 'timeLimitS' | 'memoryMb'>> &
  Pick<CodeOptionsInput, 'maxTests' | 'timeLimitS' | 'memoryMb'>;

export const DEFAULT_CODE_OPTIONS: CodeOptions = {
  scoring: 'pass_rate',
  stopAtFirstFailure: false,
  testSelection: 'first',
  pythonTimeMultiplier: 2,
  floatTolerance: DEFAULT_FLOAT_TOLERANCE,
  maxProgramChars: 100_000,
  budgetMs: 120_000,
};

/** Per-test limit when neither the options nor the data give one (LiveCodeBench's 6 s). */
export const DEFAULT_TIME_LIMIT_S = 6;
/** Most characters of the program echoed back in `extracted`. */
export const MAX_EXTRACTED_CHARS = 4096;

export type CodeRunner = (
  language: Language,
  program: string,
  stdin: string,
  limits: RunLimits,
) => Promise<RunResult>;

export interface CodeItem {
  response: string;
  ground_truth: unknown;
  language?: Language;
  options?: CodeOptionsInput;
}

export interface TestOutcome {
  passed: boolean;
  /** How the run ended; `skipped` when it was not run (stopAtFirstFailure, budget spent). */
  status: RunStatus | 'skipped';
  ms: number;
  reason?: string;
  firstDiff?: FirstDiff;
}

export interface CodeVerdict {
  score: number;
  correct: boolean;
  /** ok: tests ran (passing or not); no_answer: no program; too_large: program over maxProgramChars; error: bad tests. */
  status: 'ok' | 'no_answer' | 'too_large' | 'error';
  extracted: string | null;
  language?: Language;
  reason?: string;
  tests: TestOutcome[];
  ms: number;
}

export async function scoreCode(
  item: CodeItem,
  runner: CodeRunner,
  nonce: () => string = newNonce,
): Promise<CodeVerdict> {
  const started = performance.now();
  const options: CodeOptions = { ...DEFAULT_CODE_OPTIONS, ...item.options };
  const done = (
    v: Omit<CodeVerdict, 'ms' | 'score' | 'correct' | 'tests'> & Partial<CodeVerdict>,
  ): CodeVerdict => ({
    score: 0,
    correct: false,
    tests: [],
    ...v,
    ms: performance.now() - started,
  });

  const suite = parseGroundTruth(item.ground_truth);
  if ('error' in suite)
    return done({ status: 'error', extracted: null, reason: `${suite.error.code}: ${suite.error.message}` });
  const wanted = item.language ?? suite.language;
  const found = extractProgram(item.response, wanted);
  if (found === null)
    return done({ status: 'no_answer', extracted: null, reason: 'no program found in the response' });
  const language = wanted ?? found.language ?? 'python';
  const extracted = cap(found.code, MAX_EXTRACTED_CHARS);
  if (found.code.length > options.maxProgramChars) {
    return done({
      status: 'too_large',
      extracted,
      language,
      reason: `the program is over ${options.maxProgramChars} characters`,
    });
  }
  const cases = selectTests(suite.cases, options);
  if (language !== 'python' && cases.some((c) => c.kind !== 'stdio')) {
    return done({
      status: 'error',
      extracted,
      language,
      reason: `call and script tests run only in Python, not ${language}`,
    });
  }

  const tests = await runTests(
    cases,
    found,
    language,
    limitsFor(suite, language, options),
    options,
    runner,
    nonce,
  );
  const passed = tests.map((t) => t.passed);
  const score = options.scoring === 'all_or_nothing' ? allOrNothing(passed) : passRate(passed);
  const failed = tests.findIndex((t) => !t.passed);
  const reason =
    failed < 0 ? undefined : `test ${failed + 1} of ${tests.length}: ${tests[failed]?.reason ?? 'failed'}`;
  return done({
    score,
    correct: allOrNothing(passed) === 1,
    status: 'ok',
    extracted,
    language,
    tests,
    ...(reason ? { reason } : {}),
  });
}

async function runTests(
  cases: TestCase[],
  program: ExtractedProgram,
  language: Language,
  limits: RunLimits,
  options: CodeOptions,
  runner: CodeRunner,
  nonce: () => string,
): Promise<TestOutcome[]> {
  const started = performance.now();
  const outcomes: TestOutcome[] = [];
  let stop: string | undefined;
  for (const test of cases) {
    if (stop === undefined && performance.now() - started > options.budgetMs)
      stop = `the item's budget of ${options.budgetMs} ms was spent`;
    if (stop !== undefined) {
      outcomes.push({ passed: false, status: 'skipped', ms: 0, reason: stop });
      continue;
    }
    const runNonce = nonce();
    const testLimits = limitsForTest(test, limits);
    let verdict: Judgement;
    let status: RunStatus;
    let ms: number;
    if (test.kind === 'script') {
      ({ verdict, status, ms } = await runScript(test, program.code, testLimits, runner, runNonce, options));
    } else {
      const built = buildRun(test, program.code, language, runNonce);
      if ('error' in built) {
        outcomes.push({ passed: false, status: 'skipped', ms: 0, reason: built.error });
        continue;
      }
      const run = await runner(language, built.program, built.stdin, testLimits);
      verdict = judgeRun(test, run, runNonce, options);
      status = run.status;
      ms = run.ms;
    }
    const outcome: TestOutcome = { passed: verdict.passed, status, ms };
    if (verdict.reason !== undefined) outcome.reason = verdict.reason;
    if (verdict.firstDiff !== undefined) outcome.firstDiff = verdict.firstDiff;
    outcomes.push(outcome);
    if (!verdict.passed && options.stopAtFirstFailure) stop = 'an earlier test failed (stopAtFirstFailure)';
  }
  return outcomes;
}

/**
 * A script test: the record run, then (when it wrote a record) the replay run, whose verdict it is. The
 * status is the replay's, or the record run's when that failed; the time is both runs'.
 */
async function runScript(
  test: ScriptCase,
  program: string,
  limits: RunLimits,
  runner: CodeRunner,
  nonce: string,
  options: CodeOptions,
): Promise<{ verdict: Judgement; status: RunStatus; ms: number }> {
  const recordRun = buildRecordRun(test, program);
  const recorded = await runner('python', recordRun.program, recordRun.stdin, {
    ...limits,
    outputBytes: Math.max(limits.outputBytes, RECORD_OUTPUT_BYTES),
  });
  const record = judgeRecord(recorded);
  if (!('record' in record)) return { verdict: record, status: recorded.status, ms: recorded.ms };
  const replayRun = buildReplayRun(test, record.record, nonce);
  const replayed = await runner('python', replayRun.program, replayRun.stdin, limits);
  return {
    verdict: judgeRun(test, replayed, nonce, options),
    status: replayed.status,
    ms: recorded.ms + replayed.ms,
  };
}

/** Limits of every run of the suite: time from the options, else the data, else 6 s; Python scaled. */
function limitsFor(suite: TestSuite, language: Language, options: CodeOptions): RunLimits {
  const seconds = options.timeLimitS ?? suite.timeLimitS ?? DEFAULT_TIME_LIMIT_S;
  const scale = language === 'python' ? options.pythonTimeMultiplier : 1;
  return {
    ...DEFAULT_RUN_LIMITS,
    wallMs: Math.round(seconds * 1000 * scale),
    memoryMb: options.memoryMb ?? suite.memoryMb ?? DEFAULT_RUN_LIMITS.memoryMb,
  };
}

/** Room for the expected output: twice its size, at least the default output cap. */
function limitsForTest(test: TestCase, limits: RunLimits): RunLimits {
  if (test.kind !== 'stdio') return limits;
  return { ...limits, outputBytes: Math.max(limits.outputBytes, 2 * test.output.length + 65_536) };
}

function inputSize(test: TestCase): number {
  if (test.kind === 'stdio') return test.input.length;
  if (test.kind === 'call') return toJson(test.args).length;
  return test.code.length;
}

/** maxTests of the cases: the first ones, or (rllm) the longest inputs, kept in their original order. */
export function selectTests(
  cases: TestCase[],
  options: Pick<CodeOptions, 'maxTests' | 'testSelection'>,
): TestCase[] {
  const max = options.maxTests;
  if (max === undefined || cases.length <= max) return cases;
  if (options.testSelection === 'first') return cases.slice(0, max);
  const keep = new Set(
    cases
      .map((c, i) => ({ i, size: inputSize(c) }))
      .sort((a, b) => b.size - a.size || a.i - b.i)
      .slice(0, max)
      .map((x) => x.i),
  );
  return cases.filter((_, i) => keep.has(i));
}
