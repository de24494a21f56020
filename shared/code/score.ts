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
 *
 * Every limit the data or the options set is held under the server's ceilings (limits.ts): memory, time
 * and output per run, tests per item, and the item's budget, which covers reading the tests and every
 * run: a run is given at most what is left of it.
 */
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
import { type CodeLimits, clampRunLimits, serverCodeLimits } from './limits.ts';
import { cap, toJson } from './test-formats/json.ts';
import { readGroundTruth } from './test-formats/parse.ts';
import type { ScriptCase, TestCase, TestSuite } from './test-formats/types.ts';
import {
  DEFAULT_RUN_LIMITS,
  type Language,
  type RunLimits,
  type RunResult,
  type RunStatus,
} from './types.ts';
import { z } from './zod.ts';

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
    timeLimitS: z.number().positive().max(120).openapi({
      description:
        "Per-test limit at native speed; beats the data's own. Held under the server's ceiling per run.",
    }),
    pythonTimeMultiplier: z.number().min(1).max(10).openapi({
      description: 'Python limits are scaled by this (Pyodide is 1.2-2.9x slower than CPython).',
    }),
    memoryMb: z.number().int().min(16).max(4096).openapi({
      description: "Memory per run (MiB); beats the data's own. Held under the server's ceiling.",
    }),
    floatTolerance: z.number().min(0).max(1).openapi({
      description:
        'Absolute-or-relative tolerance where the expected number is a real (has . or an exponent); 0: exact decimals. Expected integers always compare exactly.',
    }),
    maxProgramChars: z.number().int().min(1).max(1_000_000),
    budgetMs: z.number().int().min(1).max(600_000).openapi({
      description:
        "Wall budget of one item (reading its tests and all its runs; a run gets at most what is left); later tests are skipped. Held under the server's ceiling.",
    }),
  })
  .partial()
  .strict()
  .openapi('CodeOptions', {
    description: 'Overrides of the code scorer defaults; unknown keys are rejected.',
  });
export type CodeOptionsInput = z.infer<typeof CodeOptionsInput>;
export type CodeOptions = Required<Omit<CodeOptionsInput, 'maxTests' | 'timeLimitS' | 'memoryMb'>> &
  Pick<CodeOptionsInput, 'maxTests' | 'timeLimitS' | 'memoryMb'>;

const DEFAULT_CODE_OPTIONS: CodeOptions = {
  scoring: 'pass_rate',
  stopAtFirstFailure: false,
  testSelection: 'first',
  pythonTimeMultiplier: 2,
  floatTolerance: DEFAULT_FLOAT_TOLERANCE,
  maxProgramChars: 100_000,
  budgetMs: 120_000,
};

/** Per-test limit when neither the options nor the data give one (LiveCodeBench's 6 s). */
const DEFAULT_TIME_LIMIT_S = 6;
/** Most characters of the program echoed back in `extracted`. */
const MAX_EXTRACTED_CHARS = 4096;

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

export interface ScoreContext {
  /** The server's ceilings (default: serverCodeLimits(), from the environment). */
  limits?: CodeLimits;
  /** The nonce of each run's result line (default: 128 random bits). */
  nonce?: () => string;
}

/** Most characters of one test's reason. */
const MAX_REASON_CHARS = 1000;

export async function scoreCode(
  item: CodeItem,
  runner: CodeRunner,
  context: ScoreContext = {},
): Promise<CodeVerdict> {
  const started = performance.now();
  const caps = context.limits ?? serverCodeLimits();
  const options: CodeOptions = { ...DEFAULT_CODE_OPTIONS, ...item.options };
  const deadline = started + Math.min(options.budgetMs, caps.itemWallMs);
  const done = (
    v: Omit<CodeVerdict, 'ms' | 'score' | 'correct' | 'tests'> & Partial<CodeVerdict>,
  ): CodeVerdict => ({
    score: 0,
    correct: false,
    tests: [],
    ...v,
    ms: performance.now() - started,
  });

  const suite = await readGroundTruth(item.ground_truth, { maxInflatedBytes: caps.inflatedBytes, deadline });
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
  const maxTests = Math.min(options.maxTests ?? caps.testsPerItem, caps.testsPerItem);
  const cases = selectTests(suite.cases, { maxTests, testSelection: options.testSelection });
  const leftOut =
    cases.length < suite.cases.length && !(options.maxTests !== undefined && options.maxTests <= maxTests)
      ? `${cases.length} of the ${suite.cases.length} tests were run (the server runs at most ${caps.testsPerItem} per item)`
      : undefined;
  if (language !== 'python' && cases.some((c) => c.kind !== 'stdio')) {
    return done({
      status: 'error',
      extracted,
      language,
      reason: `call and script tests run only in Python, not ${language}`,
    });
  }

  const tests = await runTests(cases, found, language, {
    limits: clampRunLimits(limitsFor(suite, language, options), caps),
    options,
    runner,
    nonce: context.nonce ?? newNonce,
    deadline,
    caps,
  });
  const passed = tests.map((t) => t.passed);
  const score = options.scoring === 'all_or_nothing' ? allOrNothing(passed) : passRate(passed);
  const failed = tests.findIndex((t) => !t.passed);
  const failure =
    failed < 0 ? undefined : `test ${failed + 1} of ${tests.length}: ${tests[failed]?.reason ?? 'failed'}`;
  const reason = [failure, leftOut].filter((r) => r !== undefined).join('; ');
  return done({
    score,
    correct: allOrNothing(passed) === 1,
    status: 'ok',
    extracted,
    language,
    tests,
    ...(reason !== '' ? { reason } : {}),
  });
}

/** How an item's tests run: its limits (within the ceilings), its runner, and when its budget ends. */
interface RunPlan {
  limits: RunLimits;
  options: CodeOptions;
  runner: CodeRunner;
  nonce: () => string;
  /** performance.now() at which the item's budget ends: no run goes past it. */
  deadline: number;
  caps: CodeLimits;
}

async function runTests(
  cases: TestCase[],
  program: ExtractedProgram,
  language: Language,
  plan: RunPlan,
): Promise<TestOutcome[]> {
  const { options, runner, caps } = plan;
  const outcomes: TestOutcome[] = [];
  const budgetMs = Math.min(options.budgetMs, caps.itemWallMs);
  let detailChars = 0;
  let stop: string | undefined;
  for (const test of cases) {
    if (stop === undefined && performance.now() >= plan.deadline)
      stop = `the item's budget of ${budgetMs} ms was spent`;
    if (stop !== undefined) {
      outcomes.push({ passed: false, status: 'skipped', ms: 0, reason: stop });
      continue;
    }
    const runNonce = plan.nonce();
    const testLimits = clampRunLimits(limitsForTest(test, plan.limits), caps);
    let verdict: Judgement;
    let status: RunStatus;
    let ms: number;
    let cut = false;
    if (test.kind === 'script') {
      ({ verdict, status, ms, cut } = await runScript(test, program.code, testLimits, runNonce, plan));
    } else {
      const built = buildRun(test, program.code, language, runNonce);
      if ('error' in built) {
        outcomes.push({ passed: false, status: 'skipped', ms: 0, reason: built.error });
        continue;
      }
      const within = withinBudget(testLimits, plan.deadline);
      cut = within.wallMs < testLimits.wallMs;
      const run = await runner(language, built.program, built.stdin, within);
      verdict = judgeRun(test, run, runNonce, options);
      status = run.status;
      ms = run.ms;
    }
    const outcome: TestOutcome = { passed: verdict.passed, status, ms };
    let reason = verdict.reason;
    if (cut && status === 'timeout')
      reason = `${reason ?? 'timeout'} (the item's budget of ${budgetMs} ms ran out)`;
    // The verdict's size is bounded: each reason is capped, and past the item's detail budget none is kept.
    if (detailChars < caps.itemDetailChars) {
      if (reason !== undefined) outcome.reason = cap(reason, MAX_REASON_CHARS);
      if (verdict.firstDiff !== undefined) outcome.firstDiff = verdict.firstDiff;
      detailChars += (outcome.reason?.length ?? 0) + detailLength(outcome.firstDiff);
    }
    outcomes.push(outcome);
    if (!verdict.passed && options.stopAtFirstFailure) stop = 'an earlier test failed (stopAtFirstFailure)';
  }
  return outcomes;
}

function detailLength(diff: FirstDiff | undefined): number {
  return diff === undefined ? 0 : diff.expected.length + diff.got.length;
}

/** A run's limits cut to what is left of the item's budget (at least 1 ms: the caller checked it is not spent). */
function withinBudget(limits: RunLimits, deadline: number): RunLimits {
  const left = Math.max(1, Math.floor(deadline - performance.now()));
  if (left >= limits.wallMs) return limits;
  const cut = { ...limits, wallMs: left };
  if (cut.cpuMs !== undefined) cut.cpuMs = Math.min(cut.cpuMs, left);
  return cut;
}

/**
 * A script test: the record run, then (when it wrote a record) the replay run, whose verdict it is. The
 * status is the replay's, or the record run's when that failed; the time is both runs'. Each run is given
 * at most what is left of the item's budget (`cut` when that was less than its limit).
 */
async function runScript(
  test: ScriptCase,
  program: string,
  limits: RunLimits,
  nonce: string,
  plan: RunPlan,
): Promise<{ verdict: Judgement; status: RunStatus; ms: number; cut: boolean }> {
  const { runner, options, caps, deadline } = plan;
  const recordRun = buildRecordRun(test, program);
  const recordLimits = clampRunLimits(
    { ...limits, outputBytes: Math.max(limits.outputBytes, RECORD_OUTPUT_BYTES) },
    caps,
  );
  const recordWithin = withinBudget(recordLimits, deadline);
  const recorded = await runner('python', recordRun.program, recordRun.stdin, recordWithin);
  const record = judgeRecord(recorded);
  if (!('record' in record))
    return {
      verdict: record,
      status: recorded.status,
      ms: recorded.ms,
      cut: recordWithin.wallMs < recordLimits.wallMs,
    };
  if (performance.now() >= deadline) {
    const verdict = { passed: false, reason: "the item's budget ran out before the test's replay run" };
    return { verdict, status: 'timeout', ms: recorded.ms, cut: false };
  }
  const replayRun = buildReplayRun(test, record.record, nonce);
  const replayWithin = withinBudget(limits, deadline);
  const replayed = await runner('python', replayRun.program, replayRun.stdin, replayWithin);
  return {
    verdict: judgeRun(test, replayed, nonce, options),
    status: replayed.status,
    ms: recorded.ms + replayed.ms,
    cut: replayWithin.wallMs < limits.wallMs,
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
