/**
 * parseGroundTruth / readGroundTruth: every accepted ground-truth layout (see schema.ts) into one
 * TestSuite. The layout is recognised by its keys, then validated by its schema, so an error names the
 * layout it was read as. The one step that can take long, decompressing LiveCodeBench's private tests,
 * is asked of the driver (`yield`): readGroundTruth does it a slice at a time, yielding to the event
 * loop; parseGroundTruth does it at once. Whatever the data, the answer is a suite or a TestsError:
 * values nested past MAX_VALUE_DEPTH are refused, and no step recurses on the data or spreads a list
 * into arguments.
 */
import type { z } from 'zod';
import { MAX_CODE_LIMITS, MAX_TESTS_LISTED, MAX_VALUE_DEPTH } from '../limits.ts';
import {
  type Converted,
  fromApps,
  fromCodeContests,
  fromHumanEval,
  fromLcb,
  fromLeetCode,
  fromMbpp,
} from './formats.ts';
import { parseJsonExact, parseJsonListSliced, valueDepth } from './json.ts';
import { decodeLcbPrivateTests, decodeLcbPrivateTestsAsync, LcbPrivateError } from './lcb-private.ts';
import {
  AppsRow,
  AppsTests,
  CodeContestsTests,
  HumanEvalTests,
  LcbRow,
  LcbTests,
  LeetCodeTests,
  MbppTests,
  TestsWrapper,
} from './schema.ts';
import { type TestCase, type TestSuite, type TestsError, type TestsErrorCode, testsError } from './types.ts';

const ACCEPTED =
  'APPS/TACO {inputs, outputs, fn_name?} (or a row with input_output), LiveCodeBench [{input, output, testtype}] ' +
  '(or a row with public_test_cases/private_test_cases), codeforces [{input, output}], HumanEval {test, entry_point}, ' +
  'MBPP {test_list}, LeetCode {functional}, each optionally under {tests, language?, time_limit_s?, memory_mb?}';

/** An error on its way out; a class, so that no ground-truth value can be mistaken for one. */
class Failed {
  readonly result: TestsError;
  constructor(message: string, code: TestsErrorCode = 'BAD_TESTS') {
    this.result = testsError(code, message);
  }
}

type Layout = { cases: TestCase[]; pythonOnly: boolean } | Failed;

/** Compressed private tests the driver is asked to decode and parse: their value, or why not, comes back. */
interface Decompress {
  encoded: string;
}
type Reader<T> = Generator<Decompress, T, { value: unknown } | Failed>;

export interface ReadOptions {
  /** Most decompressed bytes of a compressed test list (default: the server's ceiling). */
  maxInflatedBytes?: number;
  /** performance.now() after which reading stops with an error (the item's time budget). */
  deadline?: number;
}

/** The suite, decompressing at once: for tools and tests. Servers use readGroundTruth. */
export function parseGroundTruth(gt: unknown, options: ReadOptions = {}): TestSuite | TestsError {
  const maxBytes = options.maxInflatedBytes ?? MAX_CODE_LIMITS.inflatedBytes;
  return settle(() => {
    const reader = readSuite(gt);
    let step = reader.next();
    while (!step.done) {
      let answer: { value: unknown } | Failed;
      try {
        answer = parsed(decodeLcbPrivateTests(step.value.encoded, maxBytes));
      } catch (e) {
        answer = decodeFailure(e);
      }
      step = reader.next(answer);
    }
    return step.value;
  });
}

/** The suite, decompressing a slice at a time (the event loop keeps turning) and within `deadline`. */
export async function readGroundTruth(
  gt: unknown,
  options: ReadOptions = {},
): Promise<TestSuite | TestsError> {
  const maxBytes = options.maxInflatedBytes ?? MAX_CODE_LIMITS.inflatedBytes;
  return settleAsync(async () => {
    const reader = readSuite(gt);
    let step = reader.next();
    while (!step.done) {
      let answer: { value: unknown } | Failed;
      try {
        const { deadline } = options;
        const text = await decodeLcbPrivateTestsAsync(step.value.encoded, { maxBytes, deadline });
        answer = await parsedSliced(text, deadline);
      } catch (e) {
        answer = decodeFailure(e);
      }
      step = reader.next(answer);
    }
    return step.value;
  });
}

/** A bug or an engine limit met on odd data is still this item's error, not its batch's. */
function settle(read: () => TestSuite | Failed): TestSuite | TestsError {
  try {
    const suite = read();
    return suite instanceof Failed ? suite.result : suite;
  } catch (e) {
    return unreadable(e);
  }
}

async function settleAsync(read: () => Promise<TestSuite | Failed>): Promise<TestSuite | TestsError> {
  try {
    const suite = await read();
    return suite instanceof Failed ? suite.result : suite;
  } catch (e) {
    return unreadable(e);
  }
}

function unreadable(e: unknown): TestsError {
  return testsError(
    'BAD_TESTS',
    `the tests could not be read (${e instanceof Error ? e.message : String(e)})`,
  );
}

const PRIVATE = 'private_test_cases';

function parsed(text: string): { value: unknown } | Failed {
  const value = decode(text, PRIVATE);
  return value instanceof Failed ? value : { value };
}

/** `parsed`, a list element at a time, yielding to the event loop every MiB of text. */
async function parsedSliced(
  text: string,
  deadline: number | undefined,
): Promise<{ value: unknown } | Failed> {
  const pause = async () => {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    if (deadline !== undefined && performance.now() > deadline)
      throw new LcbPrivateError("reading the tests ran out of the item's time budget");
  };
  try {
    return { value: await parseJsonListSliced(text, pause, 1 << 20) };
  } catch (e) {
    if (e instanceof LcbPrivateError) throw e;
    return new Failed(`${PRIVATE} is a string but not JSON (${(e as Error).message})`);
  }
}

function decodeFailure(e: unknown): Failed {
  if (!(e instanceof LcbPrivateError)) throw e;
  return new Failed(
    `private_test_cases is neither a JSON list nor LiveCodeBench's compressed form (base64 + zlib + pickle): ${e.message}`,
  );
}

function* readSuite(gt: unknown): Reader<TestSuite | Failed> {
  const value = decode(gt, 'ground_truth');
  if (value instanceof Failed) return value;
  let suite: TestSuite;
  if (isRecord(value) && 'tests' in value) {
    const wrapper = validate(TestsWrapper, value, 'the tests wrapper');
    if (wrapper instanceof Failed) return wrapper;
    const inner = decode(wrapper.tests, 'tests');
    if (inner instanceof Failed) return inner;
    if (isRecord(inner) && 'tests' in inner) return new Failed('tests may not be nested in tests');
    const layout = yield* readLayout(inner, wrapper.fn_name);
    if (layout instanceof Failed) return layout;
    suite = toSuite(layout);
    if (wrapper.language !== undefined) suite.language = wrapper.language;
    if (wrapper.time_limit_s !== undefined) suite.timeLimitS = wrapper.time_limit_s;
    if (wrapper.memory_mb !== undefined) suite.memoryMb = wrapper.memory_mb;
  } else {
    const layout = yield* readLayout(value, undefined);
    if (layout instanceof Failed) return layout;
    suite = toSuite(layout);
  }
  if (suite.cases.length === 0) return new Failed('the ground truth holds no test cases', 'NO_TESTS');
  const deep = tooDeep(suite.cases);
  return deep ?? suite;
}

/** A call whose arguments or expected value nest past MAX_VALUE_DEPTH, as an error. */
function tooDeep(cases: TestCase[]): Failed | undefined {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i] as TestCase;
    if (c.kind !== 'call') continue;
    const depth = Math.max(
      valueDepth(c.args, MAX_VALUE_DEPTH + 1) - 1,
      valueDepth(c.expected, MAX_VALUE_DEPTH),
    );
    if (depth > MAX_VALUE_DEPTH)
      return new Failed(
        `test ${i}: its arguments or expected value nest deeper than ${MAX_VALUE_DEPTH} levels`,
      );
  }
  return undefined;
}

function toSuite(layout: { cases: TestCase[]; pythonOnly: boolean }): TestSuite {
  const needsPython = layout.pythonOnly || layout.cases.some((c) => c.kind !== 'stdio');
  return needsPython ? { language: 'python', cases: layout.cases } : { cases: layout.cases };
}

function* readLayout(value: unknown, fnName: string | undefined): Reader<Layout> {
  const listed = tooManyListed(value);
  if (listed) return listed;
  if (Array.isArray(value))
    return convert(validate(LcbTests, value, 'a LiveCodeBench/codeforces test list'), (t) =>
      fromLcb(t, fnName),
    );
  if (!isRecord(value))
    return new Failed(`unrecognised ground truth (${describe(value)}); accepted: ${ACCEPTED}`);
  if ('input_output' in value) {
    const row = validate(AppsRow, value, 'an APPS/TACO row');
    if (row instanceof Failed) return row;
    const inner = decode(row.input_output, 'input_output');
    if (inner instanceof Failed) return inner;
    const listedInside = tooManyListed(inner);
    if (listedInside) return listedInside;
    return convert(validate(AppsTests, inner, 'APPS/TACO input_output'), fromApps);
  }
  if ('public_test_cases' in value || 'private_test_cases' in value) return yield* readLcbRow(value, fnName);
  if ('inputs' in value || 'outputs' in value)
    return convert(validate(AppsTests, value, 'APPS/TACO tests'), fromApps);
  if ('input' in value && 'output' in value) {
    return convert(validate(CodeContestsTests, value, 'CodeContests tests'), fromCodeContests);
  }
  if ('test_list' in value) return convert(validate(MbppTests, value, 'MBPP tests'), fromMbpp, true);
  if ('functional' in value)
    return convert(validate(LeetCodeTests, value, 'LeetCode tests'), fromLeetCode, true);
  if ('entry_point' in value || 'test' in value) {
    return convert(validate(HumanEvalTests, value, 'HumanEval tests'), fromHumanEval, true);
  }
  return new Failed(`unrecognised ground truth (${describe(value)}); accepted: ${ACCEPTED}`);
}

function* readLcbRow(value: Record<string, unknown>, fnName: string | undefined): Reader<Layout> {
  const row = validate(LcbRow, value, 'a LiveCodeBench row');
  if (row instanceof Failed) return row;
  let metadata: unknown = row.metadata ?? {};
  if (typeof metadata === 'string') {
    metadata = decode(metadata, 'metadata');
    if (metadata instanceof Failed) return metadata;
  }
  const funcName =
    isRecord(metadata) && typeof metadata.func_name === 'string' ? metadata.func_name : undefined;
  const tests: unknown[] = [];
  for (const key of ['public_test_cases', 'private_test_cases'] as const) {
    const raw = row[key];
    if (raw === undefined) continue;
    let list: unknown;
    if (typeof raw === 'string' && key === PRIVATE && isCompressed(raw)) {
      const answer = yield { encoded: raw.trim() };
      if (answer instanceof Failed) return answer;
      list = answer.value;
    } else list = typeof raw === 'string' ? decode(raw === '' ? '[]' : raw, key) : raw;
    if (list instanceof Failed) return list;
    if (!Array.isArray(list)) return new Failed(`${key} must be a list of tests`);
    const listed = tooManyListed(tests.length + list.length);
    if (listed) return listed;
    for (const test of list) tests.push(test);
  }
  return convert(validate(LcbTests, tests, 'LiveCodeBench tests'), (t) => fromLcb(t, fnName ?? funcName));
}

/** Keys whose lists hold one entry per test, in the layouts that list their tests. */
const TEST_LISTS = ['inputs', 'outputs', 'input', 'output', 'test_list'];

/**
 * An error when a layout lists more than MAX_TESTS_LISTED tests (`value` is the layout, or a count),
 * found from the lists' lengths alone, before anything is validated or converted.
 */
function tooManyListed(value: unknown): Failed | undefined {
  let count = 0;
  if (typeof value === 'number') count = value;
  else if (Array.isArray(value)) count = value.length;
  else if (isRecord(value)) {
    for (const key of TEST_LISTS) {
      const list = value[key];
      if (Array.isArray(list)) count = Math.max(count, list.length);
    }
  }
  if (count <= MAX_TESTS_LISTED) return undefined;
  return new Failed(
    `the ground truth lists ${count} tests; the server reads at most ${MAX_TESTS_LISTED} per item`,
    'TOO_MANY_TESTS',
  );
}

/** A private test list that is not JSON text: LiveCodeBench's compressed form (base64 + zlib + pickle). */
function isCompressed(raw: string): boolean {
  return !(raw.trim() === '' || /^\s*\[/.test(raw));
}

function convert<T>(parsed: T | Failed, to: (t: T) => Converted, pythonOnly = false): Layout {
  if (parsed instanceof Failed) return parsed;
  const out = to(parsed);
  if ('problem' in out) return new Failed(out.problem);
  return { cases: out.cases, pythonOnly };
}

function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> | Failed {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  return new Failed(`read as ${what}, but ${where}${issue?.message ?? 'invalid'}`);
}

/** A JSON string is decoded (integers kept exact); anything else is returned as is. */
function decode(value: unknown, what: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return parseJsonExact(value);
  } catch (e) {
    return new Failed(`${what} is a string but not JSON (${(e as Error).message})`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (isRecord(v)) return `an object with keys ${Object.keys(v).slice(0, 8).join(', ') || '(none)'}`;
  return v === null ? 'null' : `a ${typeof v}`;
}
