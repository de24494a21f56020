import type { Language } from '../types.ts';

/** A program reads `input` on stdin; its stdout must match `output` (see judge.ts for the rule). */
export interface StdioCase {
  kind: 'stdio';
  input: string;
  output: string;
}

/**
 * A function is called with `args`; its return value, serialised to JSON inside the sandbox, must equal
 * `expected` on the host. The function is `Solution().<fnName>` when `className` is set; otherwise a
 * `class Solution` with that method is used when the program has one, else the top-level `fnName`.
 */
export interface CallCase {
  kind: 'call';
  fnName: string;
  args: unknown[];
  expected: unknown;
  className?: 'Solution';
  /**
   * APPS/TACO store a call's expected value wrapped in a one-element list; like their harness, a result
   * equal to `expected[0]` then passes too.
   */
  unwrapExpected?: boolean;
}

/**
 * Test code that passes when it finishes without raising (HumanEval's `check`, MBPP asserts, LeetCode
 * `check(candidate)`). It runs twice (see harness/python-harness.ts): once with the program, recording
 * what each call into the program returned as plain data, then again without the program, against the
 * record; only that second run decides, so an object that equals everything cannot pass.
 */
export interface ScriptCase {
  kind: 'script';
  code: string;
  /**
   * Names of the program the test calls: they come from the program even where they shadow a builtin
   * (MBPP's `def sum(a, b)`) or a prompt helper; other program names that shadow builtins, helpers or
   * standard modules are hidden from the test.
   */
  entryPoints: string[];
  /** Code run before the program, in its namespace (HumanEval's prompt: imports and helper functions). */
  preamble?: string;
  /** Run the LeetCode prelude (typing, collections, heapq, ..., ListNode, TreeNode) before the program. */
  prelude?: 'leetcode';
}

export type TestCase = StdioCase | CallCase | ScriptCase;

/** Every accepted ground-truth layout, normalised. */
export interface TestSuite {
  /** The language the tests are written for, when they fix one (call and script tests: Python). */
  language?: Language;
  cases: TestCase[];
  /** Per-test time limit in seconds, as given by the data (native speed; the scorer scales it). */
  timeLimitS?: number;
  memoryMb?: number;
}

export type TestsErrorCode = 'BAD_TESTS' | 'NO_TESTS' | 'TOO_MANY_TESTS';

export interface TestsError {
  error: { code: TestsErrorCode; message: string };
}

export function testsError(code: TestsErrorCode, message: string): TestsError {
  return { error: { code, message } };
}
