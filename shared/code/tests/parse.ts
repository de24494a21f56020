/**
 * parseGroundTruth: every accepted ground-truth layout (see schema.ts) into one TestSuite. The layout is
 * recognised by its keys, then validated by its schema, so an error names the layout it was read as.
 */
import type { z } from '@hono/zod-openapi';
import {
  type Converted,
  fromApps,
  fromCodeContests,
  fromHumanEval,
  fromLcb,
  fromLeetCode,
  fromMbpp,
} from './formats.ts';
import { parseJsonExact } from './json.ts';
import { decodeLcbPrivateTests, LcbPrivateError } from './lcb-private.ts';
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

export function parseGroundTruth(gt: unknown): TestSuite | TestsError {
  const suite = readSuite(gt);
  return suite instanceof Failed ? suite.result : suite;
}

function readSuite(gt: unknown): TestSuite | Failed {
  const value = decode(gt, 'ground_truth');
  if (value instanceof Failed) return value;
  let suite: TestSuite;
  if (isRecord(value) && 'tests' in value) {
    const wrapper = validate(TestsWrapper, value, 'the tests wrapper');
    if (wrapper instanceof Failed) return wrapper;
    const inner = decode(wrapper.tests, 'tests');
    if (inner instanceof Failed) return inner;
    if (isRecord(inner) && 'tests' in inner) return new Failed('tests may not be nested in tests');
    const layout = readLayout(inner, wrapper.fn_name);
    if (layout instanceof Failed) return layout;
    suite = toSuite(layout);
    if (wrapper.language !== undefined) suite.language = wrapper.language;
    if (wrapper.time_limit_s !== undefined) suite.timeLimitS = wrapper.time_limit_s;
    if (wrapper.memory_mb !== undefined) suite.memoryMb = wrapper.memory_mb;
  } else {
    const layout = readLayout(value, undefined);
    if (layout instanceof Failed) return layout;
    suite = toSuite(layout);
  }
  if (suite.cases.length === 0) return new Failed('the ground truth holds no test cases', 'NO_TESTS');
  return suite;
}

function toSuite(layout: { cases: TestCase[]; pythonOnly: boolean }): TestSuite {
  const needsPython = layout.pythonOnly || layout.cases.some((c) => c.kind !== 'stdio');
  return needsPython ? { language: 'python', cases: layout.cases } : { cases: layout.cases };
}

function readLayout(value: unknown, fnName: string | undefined): Layout {
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
    return convert(validate(AppsTests, inner, 'APPS/TACO input_output'), fromApps);
  }
  if ('public_test_cases' in value || 'private_test_cases' in value) return readLcbRow(value, fnName);
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

function readLcbRow(value: Record<string, unknown>, fnName: string | undefined): Layout {
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
    const text = typeof raw === 'string' && key === 'private_test_cases' ? decompress(raw, key) : raw;
    if (text instanceof Failed) return text;
    const list = typeof text === 'string' ? decode(text === '' ? '[]' : text, key) : text;
    if (list instanceof Failed) return list;
    if (!Array.isArray(list)) return new Failed(`${key} must be a list of tests`);
    tests.push(...list);
  }
  return convert(validate(LcbTests, tests, 'LiveCodeBench tests'), (t) => fromLcb(t, fnName ?? funcName));
}

/** A private test list in LiveCodeBench's compressed form (base64 + zlib + pickle) to its JSON text. */
function decompress(raw: string, key: string): string | Failed {
  if (raw.trim() === '' || /^\s*\[/.test(raw)) return raw;
  try {
    return decodeLcbPrivateTests(raw.trim());
  } catch (e) {
    if (!(e instanceof LcbPrivateError)) throw e;
    return new Failed(
      `${key} is neither a JSON list nor LiveCodeBench's compressed form (base64 + zlib + pickle): ${e.message}`,
    );
  }
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
