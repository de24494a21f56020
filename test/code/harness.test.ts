/**
 * The Python harness, run with the system python3 (CPython) as a stand-in for the sandbox: canonical
 * solutions produce this run's marker, wrong ones and the usual reward hacks do not.
 */
import { describe, expect, it } from 'vitest';
import { buildRun, newNonce, pythonHarness, readMarker } from '../../shared/code/harness/index.ts';
import { parseGroundTruth } from '../../shared/code/tests/parse.ts';
import type { CallCase, TestCase } from '../../shared/code/tests/types.ts';
import type { RunResult } from '../../shared/code/types.ts';
import { type Row, readRows } from './data.ts';
import { runPython } from './native-python.ts';

interface Outcome {
  run: RunResult;
  marker: ReturnType<typeof readMarker>;
}

async function runCase(test: TestCase, program: string): Promise<Outcome> {
  const nonce = newNonce();
  const built = buildRun(test, program, 'python', nonce);
  if ('error' in built) throw new Error(built.error);
  const run = await runPython(built.program, built.stdin, { wallMs: 20_000 });
  return { run, marker: readMarker(run.stdout, nonce) };
}

function casesOf(gt: unknown): TestCase[] {
  const suite = parseGroundTruth(gt);
  if ('error' in suite) throw new Error(suite.error.message);
  return suite.cases;
}

async function passesAll(gt: unknown, program: string): Promise<boolean> {
  const outcomes = await Promise.all(casesOf(gt).map((c) => runCase(c, program)));
  return outcomes.every((o) => o.marker !== null && o.run.status === 'ok');
}

const humaneval = readRows('humaneval.jsonl');
const mbpp = readRows('mbpp.jsonl');
const leetcode = readRows('rllm_leetcode_test.jsonl');
const heRow = (id: number) => humaneval.find((r) => r.task_id === `HumanEval/${id}`) as Row;
const mbppRow = (id: number) => mbpp.find((r) => r.task_id === id) as Row;

describe('canonical solutions pass, wrong ones fail', () => {
  // 0: floats; 32: the check calls the prompt's poly; 38: random strings; 53: add.
  it.concurrent.each([0, 32, 38, 53])('HumanEval/%i', async (id) => {
    const row = heRow(id);
    expect(await passesAll(row, `${row.prompt}${row.canonical_solution}`)).toBe(true);
    expect(await passesAll(row, `${row.prompt}    return None\n`)).toBe(false);
  });

  it.concurrent('HumanEval as a body-only completion, run after the prompt', async () => {
    const row = heRow(53);
    expect(await passesAll(row, row.canonical_solution as string)).toBe(true);
  });

  // 1: plain; 126: a function named sum; 601: a Pair class built in the asserts; 367: setup code with Node.
  it.concurrent.each([1, 126, 601, 367])('MBPP %i', async (id) => {
    const row = mbppRow(id);
    expect(await passesAll(row, row.code as string)).toBe(true);
  });

  it.concurrent('MBPP: each assert is its own case, so a half-right solution passes some', async () => {
    const row = mbppRow(126);
    const program = 'def sum(a, b):\n    return 6\n';
    const outcomes = await Promise.all(casesOf(row).map((c) => runCase(c, program)));
    expect(outcomes.map((o) => o.marker !== null)).toEqual([true, false, false]);
  });

  it.concurrent.each([0, 1, 2])(
    'LeetCode row %i with the prelude (typing, inf, defaultdict, ...)',
    async (i) => {
      const row = leetcode[i] as Row;
      expect(await passesAll(row.tests, row.solutions as string)).toBe(true);
      const wrong = (row.solutions as string).replace(/return ([^\n]+)/g, 'return -12345');
      expect(await passesAll(row.tests, wrong)).toBe(false);
    },
  );
});

describe('call tests: the result is serialised in the sandbox and compared on the host', () => {
  const call = (fnName: string, args: unknown[], expected: unknown = null): CallCase => ({
    kind: 'call',
    fnName,
    args,
    expected,
  });

  it.concurrent('writes the return value as JSON: tuples as lists, int dict keys as strings, big ints exact', async () => {
    const program = 'def f(n):\n    return (n, [2 ** 70, -1.5, "é\\n"], {1: None, "k": True})\n';
    const { marker } = await runCase(call('f', [3]), program);
    expect(marker).toEqual({
      ok: true,
      hasResult: true,
      result: [3, [2n ** 70n, -1.5, 'é\n'], { 1: null, k: true }],
    });
  });

  it.concurrent('uses a class Solution with the method when there is one', async () => {
    const program =
      'class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n        return [0, 1]\n';
    const { marker } = await runCase(call('twoSum', [[2, 7], 9]), program);
    expect(marker?.hasResult && marker.result).toEqual([0, 1]);
  });

  it.concurrent.each([
    [
      'an always-equal object',
      'class X:\n    __eq__ = lambda *a: True\ndef f(n):\n    return X()\n',
      /type X is not a plain value/,
    ],
    ['a set', 'def f(n):\n    return {1, 2}\n', /type set is not a plain value/],
    ['NaN', 'def f(n):\n    return float("nan")\n', /nan, which JSON cannot carry/],
    ['a missing function', 'def g(n):\n    return n\n', /defines no function f/],
  ])('refuses %s', async (_name, program, message) => {
    const { run, marker } = await runCase(call('f', [1]), program);
    expect(marker).toBeNull();
    expect(run.status).toBe('runtime_error');
    expect(run.stderr).toMatch(message);
  });

  it.concurrent('an int subclass is written as its plain value', async () => {
    const program =
      'class I(int):\n    def __eq__(s, o): return True\n    def __repr__(s): return "999"\ndef f(n):\n    return I(7)\n';
    const { marker } = await runCase(call('f', [1]), program);
    expect(marker?.hasResult && marker.result).toBe(7);
  });
});

describe('reward hacks do not produce the marker', () => {
  const he = {
    test: 'def check(candidate):\n    assert candidate(2, 3) == 5\n    assert abs(candidate(0.1, 0.2) - 0.3) < 1e-9\n',
    entry_point: 'add',
  };
  const [check] = casesOf(he) as [TestCase];

  it.concurrent.each([
    ['sys.exit(0) at import', 'import sys\nsys.exit(0)\n'],
    ['os._exit(0) in the function', 'import os\ndef add(a, b):\n    os._exit(0)\n'],
    ['raising SystemExit inside the check', 'def add(a, b):\n    raise SystemExit(0)\n'],
    [
      'returning an always-equal object',
      'class X:\n    __eq__ = __lt__ = lambda *a: True\n    __sub__ = __abs__ = lambda *a: X()\ndef add(a, b):\n    return X()\n',
    ],
    [
      'returning an int subclass that equals everything',
      'class I(int):\n    __eq__ = lambda *a: True\n    __sub__ = lambda *a: 0\ndef add(a, b):\n    return I(0)\n',
    ],
    ['printing a marker without the nonce', 'print("{\\"ok\\":true}")\ndef add(a, b):\n    return 0\n'],
    [
      'reading stdin for the nonce',
      'import sys\nnonce = sys.stdin.read()\nprint(nonce + \'{"ok":true}\')\ndef add(a, b):\n    return 0\n',
    ],
    ['shadowing abs', 'def abs(x):\n    return 0\ndef add(a, b):\n    return 5 if a == 2 else 9\n'],
    [
      'patching builtins.abs during the call',
      'import builtins\ndef add(a, b):\n    builtins.abs = lambda x: 0\n    return 5 if a == 2 else 9\n',
    ],
    [
      'replacing AssertionError',
      'import builtins\nbuiltins.AssertionError = type("E", (Exception,), {})\ndef add(a, b):\n    return 0\n',
    ],
    [
      'patching the json module',
      'import json\njson.dumps = lambda *a, **k: "true"\njson.loads = lambda *a, **k: True\ndef add(a, b):\n    return 0\n',
    ],
  ])('%s', async (_name, program) => {
    const { marker } = await runCase(check, program);
    expect(marker).toBeNull();
  });

  it.concurrent('an always-true object does not pass a bare assert, not or and', async () => {
    const truthy = {
      test: 'def check(candidate):\n    assert candidate(4)\n    assert not candidate(3) and candidate(2)\n',
      entry_point: 'is_even',
    };
    const [test] = casesOf(truthy) as [TestCase];
    const hack = 'class T:\n    __bool__ = lambda s: True\ndef is_even(n):\n    return T()\n';
    expect((await runCase(test, hack)).marker).toBeNull();
    expect((await runCase(test, 'def is_even(n):\n    return n % 2 == 0\n')).marker).not.toBeNull();
  });

  it.concurrent('rewritten comparisons keep their meaning: is, in, chains, !=, and test-owned objects', async () => {
    const test =
      'class Box:\n    pass\nB = Box()\n' +
      'def check(candidate):\n    assert candidate(0) is None\n    assert candidate(1) in [1, (2,)]\n' +
      '    assert 0 < candidate(1) <= 1 != 2\n    assert candidate(2) == [2] and candidate(3) == {"k": (3,)}\n' +
      '    assert candidate(B) is B\n    assert candidate(4) not in {5}\n    assert not candidate(5) == 6\n';
    const [c] = casesOf({ test, entry_point: 'f' }) as [TestCase];
    const program =
      'def f(x):\n    if x == 0: return None\n    if x == 2: return [2]\n    if x == 3: return {"k": (3,)}\n    return x\n';
    expect((await runCase(c, program)).marker).toEqual({ ok: true, hasResult: false });
  });

  it.concurrent('redefining print and sys.stdout does not stop an honest pass', async () => {
    const program =
      'import builtins, sys, io\nbuiltins.print = lambda *a, **k: None\nsys.stdout = io.StringIO()\ndef add(a, b):\n    return a + b\n';
    expect((await runCase(check, program)).marker).toEqual({ ok: true, hasResult: false });
  });

  it.concurrent('a call test cannot be passed by exiting early', async () => {
    const test: CallCase = { kind: 'call', fnName: 'f', args: [], expected: 1 };
    const { marker } = await runCase(
      test,
      'import sys\nprint("{\\"ok\\":true,\\"result\\":1}")\nsys.exit(0)\n',
    );
    expect(marker).toBeNull();
  });

  it('the nonce is not in the program text: it comes on stdin', () => {
    const nonce = newNonce();
    const built = buildRun(check, 'def add(a, b): return a + b', 'python', nonce);
    expect('error' in built).toBe(false);
    if ('error' in built) return;
    expect(built.program).not.toContain(nonce);
    expect(built.stdin).toBe(`${nonce}\n`);
    expect(built.program).toBe(
      pythonHarness(check as Exclude<TestCase, { kind: 'stdio' }>, 'def add(a, b): return a + b'),
    );
  });

  it('nonces are 128 random bits, fresh per call', () => {
    const a = newNonce();
    expect(a).toMatch(/^gradus[0-9a-f]{32}$/);
    expect(newNonce()).not.toBe(a);
  });
});

describe('failures are explained on stderr', () => {
  it.concurrent('names the failing assert of the test', async () => {
    const row = heRow(53);
    const [test] = casesOf(row) as [TestCase];
    const { run } = await runCase(test, 'def add(x, y):\n    return x - y\n');
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      /^gradus: the test failed: AssertionError \(<test> line \d+: assert /,
    );
  });

  it('stdio tests and other languages', () => {
    expect(buildRun({ kind: 'stdio', input: '1 2\n', output: '3' }, 'print(3)', 'python', 'n')).toEqual({
      program: 'print(3)',
      stdin: '1 2\n',
    });
    expect(buildRun({ kind: 'call', fnName: 'f', args: [], expected: 1 }, 'x', 'javascript', 'n')).toEqual({
      error: 'call tests run only in Python; this program is javascript',
    });
  });
});
