/**
 * The wire rules every route shares, at the schema level: one RewardItem accepts every ground-truth layout
 * docs/reward-api.md lists; unknown keys are refused naming the first one (however many there are); messages name the
 * field and what was expected.
 */
import { describe, expect, it } from 'vitest';
import { validationError } from '../../shared/reward/errors.ts';
import { RewardItem, RewardRequest } from '../../shared/reward/schema.ts';

const add = { inputs: ['1 2\n'], outputs: ['3\n'] };

/** Every layout of docs/reward-api.md "Code items", as an object or list and as JSON text. */
const CODE_GOLDS: [string, unknown][] = [
  ['APPS/TACO', add],
  ['APPS row', { input_output: JSON.stringify(add) }],
  ['LiveCodeBench list', [{ input: '1 2\n', output: '3\n', testtype: 'stdin' }]],
  [
    'LiveCodeBench row',
    { public_test_cases: JSON.stringify([{ input: '1 2\n', output: '3\n', testtype: 'stdin' }]) },
  ],
  ['Codeforces list', [{ input: '1 2\n', output: '3\n' }]],
  ['HumanEval', { test: 'def check(candidate):\n    assert candidate(1) == 1\n', entry_point: 'f' }],
  ['MBPP', { test_list: ['assert f(1) == 1'] }],
  ['LeetCode', { functional: 'def check(candidate):\n    assert candidate(1) == 1\n' }],
  ['wrapped', { language: 'python', tests: [{ input: '1 2\n', output: '3\n' }], time_limit_s: 2 }],
];

function firstError(body: unknown) {
  const parsed = RewardRequest.safeParse(body);
  if (parsed.success) throw new Error('expected the request to be refused');
  return validationError(parsed.error, body);
}

describe('RewardItem ground_truth', () => {
  it.each(CODE_GOLDS)('accepts the %s layout as tests, and as JSON text, without a task', (_, gold) => {
    for (const ground_truth of [gold, JSON.stringify(gold)]) {
      const parsed = RewardItem.safeParse({ response: 'x', ground_truth });
      expect(parsed.error?.issues).toBeUndefined();
    }
  });

  it('accepts math golds: a string, a number, a list of strings', () => {
    for (const ground_truth of ['7', 7, ['7', 'seven']]) {
      expect(RewardItem.safeParse({ response: '7', ground_truth }).success).toBe(true);
    }
  });

  it('refuses tests on an item that is math by its task or data_source, saying how to fix it', () => {
    const tests = [{ input: '1\n', output: '1\n' }];
    expect(firstError({ items: [{ task: 'math', response: 'x', ground_truth: tests }] })).toMatchObject({
      code: 'VALIDATION_ERROR',
      path: 'items.0.ground_truth',
      message: expect.stringMatching(
        /^items\.0\.ground_truth: these are tests .*task is "math".*"task": "code"/,
      ),
    });
    expect(
      firstError({ items: [{ data_source: 'gsm8k', response: 'x', ground_truth: JSON.stringify(tests) }] }),
    ).toMatchObject({ path: 'items.0.ground_truth', message: expect.stringMatching(/data_source "gsm8k"/) });
  });
});

describe('unknown keys', () => {
  it.each(['timeout_ms', 'memory_mb', 'constructor', '__proto__', 'toString'])(
    'refuses an item key %s with the item path, naming the key and extra_info',
    (key) => {
      const item = JSON.parse(`{"response": "1", "ground_truth": "1", ${JSON.stringify(key)}: 5}`);
      const error = firstError({ items: [{ response: '1', ground_truth: '1' }, item] });
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR', path: 'items.1' });
      expect(error.message).toMatch(
        new RegExp(`^items\\.1: unknown key '${key}' \\(item fields are: id, task,`),
      );
      expect(error.message).toMatch(/extra_info/);
    },
  );

  it('names only the first of 200,000 unknown keys, in a message of bounded length', () => {
    const item: Record<string, unknown> = { response: '1', ground_truth: '1' };
    for (let i = 0; i < 200_000; i++) item[`k${i}`] = i;
    const error = firstError({ items: [item] });
    expect(error.message).toMatch(/unknown key 'k0' /);
    expect(error.message.length).toBeLessThan(300);
  });

  it('cuts a long unknown key in the message', () => {
    const error = firstError({ items: [{ response: '1', ground_truth: '1', ['x'.repeat(10_000)]: 1 }] });
    expect(error.message.length).toBeLessThan(300);
  });

  it('refuses unknown keys of the request and of options, listing the known ones of the task', () => {
    expect(firstError({ items: [{ response: '1', ground_truth: '1' }], item: [] }).message).toBe(
      "unknown key 'item' (a request has only: items)",
    );
    const math = firstError({ items: [{ response: '1', ground_truth: '1', options: { foo: 1 } }] });
    expect(math).toMatchObject({ path: 'items.0.options' });
    expect(math.message).toMatch(
      /^items\.0\.options: unknown key 'foo' \(math options are: timeoutMs, precision/,
    );
    const code = firstError({
      items: [{ task: 'code', response: '1', ground_truth: add, options: { timeoutMs: 5 } }],
    });
    expect(code.message).toMatch(/^items\.0\.options: unknown key 'timeoutMs' \(code options are: scoring/);
  });
});

describe('validation messages', () => {
  it('says "required" for a missing field, union or not', () => {
    expect(firstError({ items: [{ response: '1' }] })).toMatchObject({
      path: 'items.0.ground_truth',
      message: 'items.0.ground_truth: required',
    });
    expect(firstError({ items: [{ ground_truth: '1' }] }).message).toBe('items.0.response: required');
  });

  it('says what a union expected and what came', () => {
    expect(firstError({ items: [{ response: '1', ground_truth: true }] }).message).toMatch(
      /^items\.0\.ground_truth: expected a string, a number or a non-empty list of strings \(math\), or tests \(code\)/,
    );
    expect(firstError({ items: [{ id: null, response: '1', ground_truth: '1' }] }).message).toBe(
      'items.0.id: expected a string or a number',
    );
    expect(firstError({ items: [{ response: 5, ground_truth: '1' }] }).message).toBe(
      'items.0.response: expected a string, got a number',
    );
  });

  it('keeps UNKNOWN_TASK as its own code, with the path', () => {
    expect(firstError({ items: [{ task: 'chess', response: 'e4', ground_truth: 'e4' }] })).toMatchObject({
      code: 'UNKNOWN_TASK',
      path: 'items.0.task',
    });
  });
});
