import { describe, expect, it } from 'vitest';
import { type Row, readRows } from '../../scripts/data/code-rows.ts';
import { nativePythonRunner } from '../../scripts/native-python.ts';
import { RECORD_OUTPUT_BYTES } from '../../shared/code/harness/index.ts';
import { type CodeRunner, scoreCode, selectTests } from '../../shared/code/score.ts';
import type { TestCase } from '../../shared/code/test-formats/types.ts';
import type { Language, RunLimits, RunResult } from '../../shared/code/types.ts';
import { needData } from '../helpers/data.ts';

interface Call {
  language: Language;
  program: string;
  stdin: string;
  limits: RunLimits;
}

/** A runner that runs nothing: `answer` maps stdin to stdout, every call is recorded. */
function fakeRunner(answer: (stdin: string) => Partial<RunResult>): { runner: CodeRunner; calls: Call[] } {
  const calls: Call[] = [];
  const runner: CodeRunner = async (language, program, stdin, limits) => {
    calls.push({ language, program, stdin, limits });
    return { status: 'ok', stdout: '', stderr: '', ms: 1, ...answer(stdin) };
  };
  return { runner, calls };
}

const py = (code: string) => `Here you go:\n\`\`\`python\n${code}\n\`\`\`\n`;
const doubling = { inputs: ['1\n', '2\n', '3\n', '40\n'], outputs: ['2\n', '4\n', '6\n', '80\n'] };
const doubles = fakeRunner((stdin) => ({ stdout: `${Number(stdin) * 2}\n` }));

describe('scoreCode with a fake runner', () => {
  it('scores every test; pass_rate by default', async () => {
    const { runner } = fakeRunner((stdin) => ({
      stdout: stdin === '3\n' ? '7\n' : `${Number(stdin) * 2}\n`,
    }));
    const v = await scoreCode({ response: py('print(int(input()) * 2)'), ground_truth: doubling }, runner);
    expect(v).toMatchObject({ score: 0.75, correct: false, status: 'ok', language: 'python' });
    expect(v.extracted).toBe('print(int(input()) * 2)');
    expect(v.tests.map((t) => t.passed)).toEqual([true, true, false, true]);
    expect(v.tests[2]).toMatchObject({ status: 'ok', firstDiff: { line: 1, expected: '6', got: '7' } });
    expect(v.reason).toBe('test 3 of 4: wrong answer on line 1');
  });

  it('all_or_nothing gives 0 for any failure, 1 when all pass', async () => {
    const { runner } = fakeRunner((stdin) => ({
      stdout: stdin === '3\n' ? '7\n' : `${Number(stdin) * 2}\n`,
    }));
    const response = py('print(int(input()) * 2)');
    const failing = await scoreCode(
      { response, ground_truth: doubling, options: { scoring: 'all_or_nothing' } },
      runner,
    );
    expect(failing.score).toBe(0);
    const passing = await scoreCode(
      { response, ground_truth: doubling, options: { scoring: 'all_or_nothing' } },
      doubles.runner,
    );
    expect(passing).toMatchObject({ score: 1, correct: true });
  });

  it('stopAtFirstFailure skips the rest, which count as failed', async () => {
    const { runner, calls } = fakeRunner(() => ({ stdout: '0\n' }));
    const v = await scoreCode(
      { response: py('print(0)'), ground_truth: doubling, options: { stopAtFirstFailure: true } },
      runner,
    );
    expect(calls).toHaveLength(1);
    expect(v.tests.map((t) => t.status)).toEqual(['ok', 'skipped', 'skipped', 'skipped']);
    expect(v.score).toBe(0);
  });

  it('passes limits: the time limit scaled for Python, the data limit unless the options give one', async () => {
    const { runner, calls } = fakeRunner((stdin) => ({ stdout: `${Number(stdin) * 2}\n` }));
    const gt = { tests: doubling, time_limit_s: 1.5, memory_mb: 512 };
    await scoreCode({ response: py('x'), ground_truth: gt }, runner);
    expect(calls[0]?.limits).toMatchObject({ wallMs: 3000, memoryMb: 512 });
    await scoreCode(
      { response: py('x'), ground_truth: gt, options: { timeLimitS: 4, pythonTimeMultiplier: 3 } },
      runner,
    );
    expect(calls[4]?.limits.wallMs).toBe(12_000);
    await scoreCode({ response: '```js\nconsole.log(1)\n```', ground_truth: doubling }, runner);
    expect(calls[8]).toMatchObject({ language: 'javascript', limits: { wallMs: 6000, memoryMb: 256 } });
  });

  it('runs stdio programs as they are, with the test input on stdin', async () => {
    const { runner, calls } = fakeRunner(() => ({ stdout: '2\n' }));
    await scoreCode({ response: py('print(2)'), ground_truth: [{ input: '1\n', output: '2\n' }] }, runner);
    expect(calls).toEqual([expect.objectContaining({ program: 'print(2)', stdin: '1\n' })]);
  });

  it('maxTests keeps the first tests, or the longest inputs', async () => {
    const { runner, calls } = fakeRunner((stdin) => ({ stdout: `${Number(stdin) * 2}\n` }));
    await scoreCode({ response: py('x'), ground_truth: doubling, options: { maxTests: 2 } }, runner);
    expect(calls.map((c) => c.stdin)).toEqual(['1\n', '2\n']);
    const cases: TestCase[] = ['a', 'bbb', 'cc', 'dddd'].map((input) => ({
      kind: 'stdio',
      input,
      output: '',
    }));
    expect(
      selectTests(cases, { maxTests: 2, testSelection: 'longest' }).map((c) => c.kind === 'stdio' && c.input),
    ).toEqual(['bbb', 'dddd']);
  });

  it('no program in the response is no_answer, without running anything', async () => {
    const { runner, calls } = fakeRunner(() => ({}));
    const v = await scoreCode({ response: 'I think the answer is to sort.', ground_truth: doubling }, runner);
    expect(v).toMatchObject({ score: 0, correct: false, status: 'no_answer', extracted: null, tests: [] });
    expect(calls).toHaveLength(0);
  });

  it('a bad ground truth is an error with its code', async () => {
    const v = await scoreCode({ response: py('x'), ground_truth: { foo: 1 } }, doubles.runner);
    expect(v.status).toBe('error');
    expect(v.reason).toMatch(/^BAD_TESTS: unrecognised ground truth/);
  });

  it('call tests in another language are an error; an oversized program is too_large', async () => {
    const gt = { inputs: [[1]], outputs: [1], fn_name: 'f' };
    const js = await scoreCode(
      { response: '```js\nx\n```', ground_truth: gt, language: 'javascript' },
      doubles.runner,
    );
    expect(js).toMatchObject({
      status: 'error',
      reason: 'call and script tests run only in Python, not javascript',
    });
    const big = await scoreCode(
      { response: py('x = 1\n'.repeat(50)), ground_truth: doubling, options: { maxProgramChars: 100 } },
      doubles.runner,
    );
    expect(big.status).toBe('too_large');
  });

  it('caps the echoed program', async () => {
    const v = await scoreCode(
      { response: py(`# ${'x'.repeat(10_000)}`), ground_truth: doubling },
      doubles.runner,
    );
    expect(v.extracted?.length).toBeLessThan(4200);
  });

  it('a run status other than ok fails the test and says why', async () => {
    const { runner } = fakeRunner(() => ({ status: 'timeout', stdout: '2\n' }));
    const v = await scoreCode({ response: py('x'), ground_truth: [{ input: '1', output: '2' }] }, runner);
    expect(v.tests[0]).toMatchObject({ passed: false, status: 'timeout', reason: 'time limit exceeded' });
  });

  it('a script test is two runs: the record run, then the replay with its record, which decides', async () => {
    const gt = { test_list: ['assert f(1) == 2'] };
    const { runner, calls } = fakeRunner((stdin) =>
      stdin.startsWith('{')
        ? { stdout: 'noise\ngradus-record:{"events":[]}\n' }
        : { stdout: `\n${stdin.split('\n')[0]}{"ok":true}\n` },
    );
    const v = await scoreCode({ response: py('def f(x):\n    return 2'), ground_truth: gt }, runner);
    expect(v).toMatchObject({ score: 1, correct: true });
    expect(v.tests[0]).toMatchObject({ passed: true, status: 'ok', ms: 2 });
    expect(calls).toHaveLength(2);
    const [record, replay] = calls as [Call, Call];
    expect(record.stdin).toContain('def f(x)');
    expect(record.limits.outputBytes).toBe(RECORD_OUTPUT_BYTES);
    expect(replay.stdin).not.toContain('def f(x)');
    expect(replay.stdin.endsWith('\n{"events":[]}')).toBe(true);
    expect(replay.limits.outputBytes).toBe(1 << 20);
  });

  it('a record run that fails or writes no record fails the test, without a replay', async () => {
    const gt = { test_list: ['assert f(1) == 2'] };
    const crash = fakeRunner(() => ({
      status: 'runtime_error',
      stderr: 'gradus: loading the program failed: X',
    }));
    const v = await scoreCode({ response: py('x'), ground_truth: gt }, crash.runner);
    expect(crash.calls).toHaveLength(1);
    expect(v.tests[0]).toMatchObject({
      passed: false,
      status: 'runtime_error',
      reason: 'runtime error: gradus: loading the program failed: X',
    });
    const silent = fakeRunner(() => ({ stdout: '{"ok":true}\n' }));
    const w = await scoreCode({ response: py('x'), ground_truth: gt }, silent.runner);
    expect(silent.calls).toHaveLength(1);
    expect(w.tests[0]?.reason).toMatch(/^no record: the program ended before the test finished/);
  });

  it('lets the runner’s own errors through (a full queue is not a verdict)', async () => {
    const runner: CodeRunner = async () => {
      throw new Error('the sandbox queue is full');
    };
    await expect(scoreCode({ response: py('x'), ground_truth: doubling }, runner)).rejects.toThrow(
      /queue is full/,
    );
  });
});

const CODE = needData(
  'the native-python scoring of code data rows (stdin solutions, HumanEval, MBPP)',
  'code',
);

describe('scoreCode through native python3', () => {
  // Read at collection, to name the cases; without the data there are none.
  const solutions = CODE.has() ? readRows('stdin_solutions.jsonl') : [];
  const wrong = CODE.has() ? readRows('stdin_wrong_solutions.jsonl') : [];
  const tests = (row: Row) => (readRows(`${row.source as string}.jsonl`)[row.line as number] as Row).tests;
  const few = (row: Row) => {
    const t = tests(row) as { inputs?: unknown[] } | unknown[];
    return (Array.isArray(t) ? t.length : (t.inputs?.length ?? 0)) <= 3;
  };

  it.concurrent.each(
    solutions
      .filter(few)
      .slice(0, 3)
      .map((r) => [`${r.source}:${r.line}`, r] as const),
  )('a reference stdin solution scores 1: %s', async (_id, row) => {
    const v = await scoreCode(
      { response: py(row.python as string), ground_truth: tests(row) },
      nativePythonRunner,
    );
    expect(v).toMatchObject({ score: 1, correct: true, status: 'ok' });
  });

  it.concurrent.each(
    wrong
      .filter((r) => r.kind !== 'too-slow' && few(r))
      .slice(0, 3)
      .map((r) => [`${r.source}:${r.line}`, r] as const),
  )('a wrong stdin solution scores below 1: %s', async (_id, row) => {
    const v = await scoreCode(
      { response: py(row.python as string), ground_truth: tests(row) },
      nativePythonRunner,
    );
    expect(v.status).toBe('ok');
    expect(v.score).toBeLessThan(1);
  });

  it.skipIf(!CODE.has()).concurrent(
    'HumanEval: canonical completion in a fence scores 1, an always-equal hack 0',
    async () => {
      const row = readRows('humaneval.jsonl')[2] as Row;
      const good = await scoreCode(
        { response: py(`${row.prompt}${row.canonical_solution}`), ground_truth: row },
        nativePythonRunner,
      );
      expect(good).toMatchObject({ score: 1, correct: true });
      const hack = `class X:\n    __eq__ = __lt__ = lambda *a: True\n    __sub__ = __abs__ = lambda *a: X()\ndef ${row.entry_point}(*a):\n    return X()`;
      const bad = await scoreCode({ response: py(hack), ground_truth: row }, nativePythonRunner);
      expect(bad).toMatchObject({ score: 0, correct: false, status: 'ok' });
      expect(bad.tests[0]?.reason).toMatch(/runtime error: gradus: the test failed: TypeError/);
    },
  );

  it.skipIf(!CODE.has()).concurrent('MBPP: a solution right on one assert of three scores 1/3', async () => {
    const row = readRows('mbpp.jsonl').find((r) => r.task_id === 126) as Row;
    const v = await scoreCode(
      { response: py('def sum(a, b):\n    return 6'), ground_truth: row },
      nativePythonRunner,
    );
    expect(v.score).toBeCloseTo(1 / 3);
  });

  it.concurrent('LiveCodeBench functional: the host compares the returned JSON', async () => {
    const gt = {
      public_test_cases: JSON.stringify([
        { input: '[2, 7, 11, 15]\n9', output: '[0, 1]', testtype: 'functional' },
        { input: '[3, 3]\n6', output: '[0, 1]', testtype: 'functional' },
      ]),
      metadata: JSON.stringify({ func_name: 'twoSum' }),
    };
    const solution =
      'class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n        seen = {}\n' +
      '        for i, x in enumerate(nums):\n            if target - x in seen:\n                return (seen[target - x], i)\n            seen[x] = i';
    const v = await scoreCode({ response: py(solution), ground_truth: gt }, nativePythonRunner);
    expect(v).toMatchObject({ score: 1, correct: true });
    const off = await scoreCode(
      { response: py(solution.replace('return (seen[target - x], i)', 'return [i, i]')), ground_truth: gt },
      nativePythonRunner,
    );
    expect(off.score).toBe(0);
    expect(off.tests[0]?.firstDiff).toEqual({ line: 1, expected: '[0,1]', got: '[1,1]' });
  });
});
