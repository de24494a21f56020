/**
 * The Python harness, run with the system python3 (CPython) as a stand-in for the sandbox. Script tests
 * run as the scorer runs them: the record run (program and test), then the replay run (test and record,
 * no program), whose marker decides. Canonical solutions pass, wrong ones and the usual reward hacks do
 * not.
 */
import { describe, expect, it } from 'vitest';
import { type Row, readRows } from '../../scripts/data/code-rows.ts';
import { runPython } from '../../scripts/native-python.ts';
import {
  buildRecordRun,
  buildReplayRun,
  buildRun,
  harnessProgram,
  newNonce,
  pythonHarness,
  readMarker,
  readRecord,
} from '../../shared/code/harness/index.ts';
import { parseGroundTruth } from '../../shared/code/test-formats/parse.ts';
import type { CallCase, ScriptCase, TestCase } from '../../shared/code/test-formats/types.ts';
import type { RunResult } from '../../shared/code/types.ts';
import { needData } from '../helpers/data.ts';

interface Outcome {
  /** The run that decided: the call run, the replay run, or the record run when it wrote no record. */
  run: RunResult;
  marker: ReturnType<typeof readMarker>;
  /** Script tests: the record run and its record line. */
  recorded?: RunResult;
  record?: string | null;
}

const LIMITS = { wallMs: 20_000 };

async function runCase(test: TestCase, program: string): Promise<Outcome> {
  const nonce = newNonce();
  if (test.kind === 'script') {
    const rec = buildRecordRun(test, program);
    const recorded = await runPython(rec.program, rec.stdin, LIMITS);
    const record = readRecord(recorded.stdout);
    if (recorded.status !== 'ok' || record === null) return { run: recorded, marker: null, recorded, record };
    const rep = buildReplayRun(test, record, nonce);
    const run = await runPython(rep.program, rep.stdin, LIMITS);
    return { run, marker: readMarker(run.stdout, nonce), recorded, record };
  }
  const built = buildRun(test, program, 'python', nonce);
  if ('error' in built) throw new Error(built.error);
  const run = await runPython(built.program, built.stdin, LIMITS);
  return { run, marker: readMarker(run.stdout, nonce) };
}

/** The replay run alone, against a record line of our choosing (what a program could print). */
async function replay(test: ScriptCase, record: string): Promise<Outcome> {
  const nonce = newNonce();
  const rep = buildReplayRun(test, record, nonce);
  const run = await runPython(rep.program, rep.stdin, LIMITS);
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

const CODE = needData('the harness tests over HumanEval, MBPP and LeetCode rows', 'code');
const heRow = (id: number) => readRows('humaneval.jsonl').find((r) => r.task_id === `HumanEval/${id}`) as Row;
const mbppRow = (id: number) => readRows('mbpp.jsonl').find((r) => r.task_id === id) as Row;

describe.skipIf(!CODE.has())('canonical solutions pass, wrong ones fail', () => {
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
      const row = readRows('rllm_leetcode_test.jsonl')[i] as Row;
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

  it.concurrent('comparisons keep their meaning: is, in, chains, !=, and test-owned objects handed back', async () => {
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

  it('the nonce is not in the program text: it comes on stdin; the record run gets none', () => {
    const nonce = newNonce();
    const call: CallCase = { kind: 'call', fnName: 'add', args: [1, 2], expected: 3 };
    const built = buildRun(call, 'def add(a, b): return a + b', 'python', nonce);
    expect('error' in built).toBe(false);
    if ('error' in built) return;
    expect(built.program).toBe(harnessProgram('call'));
    expect(built.program).toBe(`${pythonHarness('call')}\n__gradus_main()\n`);
    expect(built.stdin.startsWith(`${nonce}\n{`)).toBe(true);
    const script = check as ScriptCase;
    const rec = buildRecordRun(script, 'def add(a, b): return a + b');
    expect(rec.program).toBe(harnessProgram('record'));
    expect(rec.stdin).not.toContain('gradus');
    expect(rec.stdin).toContain('def add(a, b): return a + b');
    const rep = buildReplayRun(script, '{"events":[]}', nonce);
    expect(rep.program).toBe(harnessProgram('replay'));
    // Each mode compiles only its own parts: the replay has no program loader, the record no nonce.
    expect(pythonHarness('replay')).not.toContain('def skeleton');
    expect(pythonHarness('record')).not.toContain('nonce');
    expect(pythonHarness('call')).not.toContain('ProgramValue');
    expect(rep.stdin.startsWith(`${nonce}\n`)).toBe(true);
    expect(rep.stdin.endsWith('\n{"events":[]}')).toBe(true);
    expect(rep.stdin).not.toContain('def add');
  });

  it('stdin is one line of ASCII JSON per part', () => {
    const script: ScriptCase = { kind: 'script', code: 'assert f("é") == "\u2028"\n', entryPoints: ['f'] };
    const rec = buildRecordRun(script, 'def f(x):\n    return "é"\n');
    expect(rec.stdin.split('\n')).toHaveLength(1);
    expect(/^[\x20-\x7e]*$/.test(rec.stdin)).toBe(true);
  });

  it('nonces are 128 random bits, fresh per call', () => {
    const a = newNonce();
    expect(a).toMatch(/^gradus[0-9a-f]{32}$/);
    expect(newNonce()).not.toBe(a);
  });
});

describe('record and replay: the replay decides, without the program', () => {
  const he = {
    test: 'def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(10, -4) == 6\n',
    entry_point: 'add',
  };
  const [check] = casesOf(he) as [ScriptCase];
  /** Finds the harness's frame from the program, as a determined program would. */
  const TO_HARNESS =
    'import sys\ndef harness_frame(f=None):\n    f = f or sys._getframe()\n' +
    "    while f is not None and f.f_code.co_name != '__gradus_main':\n        f = f.f_back\n    return f\n";

  it.concurrent('the record run writes a record line; the replay passes an honest program', async () => {
    const o = await runCase(check, 'def add(a, b):\n    return a + b\n');
    expect(o.recorded?.status).toBe('ok');
    expect(o.record).toMatch(/^\{"events":\[\{"d":"add","r":\{"o":0\}\}/);
    expect(o.marker).toEqual({ ok: true, hasResult: false });
  });

  it.concurrent('the record run ignores failing asserts; the replay fails them and names the assert', async () => {
    const o = await runCase(check, 'def add(a, b):\n    return a * b\n');
    expect(o.recorded?.status).toBe('ok');
    expect(o.marker).toBeNull();
    expect(o.run.stderr.trim().split('\n').at(-1)).toMatch(
      /^gradus: the test failed: AssertionError \(<test> line 2: assert candidate\(2, 3\) == 5\)/,
    );
  });

  it.concurrent('the record run holds no expected value of an assert, nor the test text', async () => {
    // The program looks at everything it can reach: the check frame's code constants and locals, every
    // frame's code, linecache and the harness's locals. The expected 5 and 6 are nowhere.
    const program =
      TO_HARNESS +
      'import linecache\nseen = []\ndef consts(c):\n' +
      "    return [x for k in c.co_consts for x in (consts(k) if hasattr(k, 'co_consts') else [k])]\n" +
      'def add(a, b):\n    f = sys._getframe(1)\n    while f is not None:\n' +
      '        seen.append(repr(consts(f.f_code)))\n        seen.append(repr(sorted(f.f_locals)))\n        f = f.f_back\n' +
      "    seen.append(repr(linecache.cache.get('<test>')))\n    seen.append(repr(harness_frame().f_locals.get('spec')))\n" +
      "    print('SEEN', ' '.join(seen))\n    return a + b\n";
    const o = await runCase(check, program);
    const seen = o.recorded?.stdout.split('\n').filter((l) => l.startsWith('SEEN')) ?? [];
    expect(seen).toHaveLength(2);
    for (const line of seen) {
      expect(line).toContain('2, 3, None, 10, -4'); // the inputs: the record run needs them
      expect(line).not.toMatch(/\b[56]\b/);
      expect(line).not.toContain('candidate(2, 3)');
    }
    expect(o.marker).not.toBeNull();
  });

  it.concurrent.each([
    [
      'an object whose difference with anything is 0',
      'class Zero:\n    __sub__ = __rsub__ = lambda *a: 0.0\ndef f(x):\n    return Zero()\n',
      'def check(candidate):\n    assert abs(candidate([1.0, 2.0]) - 0.5) < 1e-6\n',
    ],
    [
      'an always-true object in a bare assert',
      'class T:\n    __bool__ = lambda s: True\ndef f(x):\n    return T()\n',
      'def check(candidate):\n    assert candidate(4)\n',
    ],
    [
      'an object not equal to anything (assert x != y)',
      'class N:\n    __eq__ = lambda *a: False\n    __ne__ = lambda *a: True\ndef f(x):\n    return N()\n',
      'def check(candidate):\n    assert candidate(4) != 5\n',
    ],
    [
      'a float subclass whose __abs__ is 0',
      'class F(float):\n    __abs__ = lambda s: 0.0\n    __sub__ = lambda *a: F(1.0)\ndef f(x):\n    return F(9.0)\n',
      'def check(candidate):\n    assert abs(candidate([1.0]) - 1.0) < 1e-6\n',
    ],
  ])('refuses %s: the replay sees a plain value or a program value', async (_name, program, test) => {
    const [c] = casesOf({ test, entry_point: 'f' }) as [ScriptCase];
    expect((await runCase(c, program)).marker).toBeNull();
  });

  it.concurrent.each([
    ['the nonce from the harness frame', `${TO_HARNESS}nonce = harness_frame().f_locals.get('nonce')\n`],
    [
      'the test from linecache',
      "import linecache\nassert not any('== 5' in ''.join(v[2]) for v in list(linecache.cache.values()) if len(v) > 2)\n",
    ],
  ])('the record run has nothing to forge a pass with: %s', async (_name, prefix) => {
    const program = `${prefix}import os\nos.write(1, b'\\ngradus-record:{"events":[]}\\n')\nos._exit(0)\n`;
    const o = await runCase(check, program);
    expect(o.record).toBe('{"events":[]}');
    expect(o.marker).toBeNull();
    expect(o.run.stderr).toMatch(/NameError: name 'add' is not defined/);
  });

  it.concurrent('changing the harness through frames in the record run changes nothing in the replay', async () => {
    // (Writing f_locals needs Python 3.13; on older versions the writes are silently dropped.)
    const program =
      TO_HARNESS +
      "f = harness_frame()\nf.f_locals['test_code'] = compile('pass', '<test>', 'exec')\n" +
      "f.f_locals['exported'] = lambda name: True\ndef add(a, b):\n    return 999\n";
    expect((await runCase(check, program)).marker).toBeNull();
  });

  it.concurrent('a forged record: a call it lacks aborts the test even where the test catches everything', async () => {
    const test: ScriptCase = {
      kind: 'script',
      code: 'def check(candidate):\n    try:\n        candidate(1)\n    except BaseException:\n        pass\ncheck(f)\n',
      entryPoints: ['f'],
    };
    const o = await replay(test, '{"events":[{"d":"f","r":{"o":0}}]}');
    expect(o.marker).toBeNull();
    expect(o.run.stderr).toMatch(/Abort: the test made a call .* that the record run did not/);
    // The honest program's record passes the same test.
    expect((await runCase(test, 'def f(x):\n    raise ValueError(x)\n')).marker).not.toBeNull();
  });

  it.concurrent.each([
    ['not JSON', 'nope'],
    ['no events', '{"calls":[]}'],
    ['an unknown tag', '{"events":[{"d":"f","r":{"zz":1}}]}'],
    ['a ListNode outside LeetCode', '{"events":[{"d":"f","r":{"ln":[1]}}]}'],
    ['a test object that was never passed', '{"events":[{"d":"f","r":{"to":0}}]}'],
    ['nesting 100000 deep', `{"events":[{"d":"f","r":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`],
  ])('a malformed record fails the replay: %s', async (_name, record) => {
    const test: ScriptCase = { kind: 'script', code: 'assert f is not None\n', entryPoints: ['f'] };
    const o = await replay(test, record);
    expect(o.marker).toBeNull();
    expect(o.run.status).toBe('runtime_error');
  });

  it.concurrent('exceptions: the nearest builtin class is raised in the replay; SystemExit cannot be caught', async () => {
    const test =
      'def check(candidate):\n    try:\n        candidate(-1)\n    except ValueError as e:\n        assert str(e) == "negative"\n' +
      '    else:\n        assert False\n    assert candidate(4) == 2\n';
    const [c] = casesOf({ test, entry_point: 'root' }) as [ScriptCase];
    const good =
      'class Negative(ValueError):\n    pass\ndef root(x):\n    if x < 0:\n        raise Negative("negative")\n    return int(x ** 0.5)\n';
    expect((await runCase(c, good)).marker).not.toBeNull();
    const bare = 'def check(candidate):\n    try:\n        candidate(-1)\n    except:\n        pass\n';
    const [catchAll] = casesOf({ test: bare, entry_point: 'root' }) as [ScriptCase];
    const exits = 'def root(x):\n    raise SystemExit(0)\n';
    const o = await runCase(catchAll, exits);
    expect(o.marker).toBeNull();
  });

  it.concurrent('StopIteration from the program cannot end a map() in the test early', async () => {
    const test: ScriptCase = {
      kind: 'script',
      code: 'assert all(map(lambda x: f(x) == x * 2, [1, 2, 3]))\n',
      entryPoints: ['f'],
    };
    expect((await runCase(test, 'def f(x):\n    raise StopIteration\n')).marker).toBeNull();
    expect((await runCase(test, 'def f(x):\n    return 2 * x\n')).marker).not.toBeNull();
  });

  it.concurrent('arguments changed in place are replayed (and a wrong change fails)', async () => {
    const test: ScriptCase = {
      kind: 'script',
      code: 'xs = [3, 1, 2]\nd = {}\nassert sort_in_place(xs, d) is None\nassert xs == [1, 2, 3] and d == {"n": 3}\n',
      entryPoints: ['sort_in_place'],
    };
    const good = 'def sort_in_place(xs, d):\n    xs.sort()\n    d["n"] = len(xs)\n';
    expect((await runCase(test, good)).marker).not.toBeNull();
    expect((await runCase(test, good.replace('xs.sort()', 'xs.reverse()'))).marker).toBeNull();
  });

  it.concurrent('LeetCode: ListNode and TreeNode results cross as lists and are rebuilt', async () => {
    const test: ScriptCase = {
      kind: 'script',
      code:
        'def check(candidate):\n    assert is_same_list(candidate(head = list_node([1, 2, 3])), list_node([3, 2, 1]))\n' +
        '    assert candidate(head = None) is None\n\ncheck(Solution().reverseList)\n',
      entryPoints: ['Solution'],
      prelude: 'leetcode',
    };
    const good =
      'class Solution:\n    def reverseList(self, head: Optional[ListNode]) -> Optional[ListNode]:\n' +
      '        prev = None\n        while head:\n            head.next, prev, head = prev, head, head.next\n        return prev\n';
    expect((await runCase(test, good)).marker).not.toBeNull();
    expect((await runCase(test, good.replace('return prev', 'return head'))).marker).toBeNull();
    const tree: ScriptCase = {
      kind: 'script',
      code:
        'def check(candidate):\n    assert is_same_tree(candidate(root = tree_node([4, 2, 7, 1, 3, 6, 9])), tree_node([4, 7, 2, 9, 6, 3, 1]))\n' +
        '    assert is_same_tree(candidate(root = tree_node([1, None, 2])), tree_node([1, 2]))\n\ncheck(Solution().invertTree)\n',
      entryPoints: ['Solution'],
      prelude: 'leetcode',
    };
    const invert =
      'class Solution:\n    def invertTree(self, root):\n        if root:\n' +
      '            root.left, root.right = self.invertTree(root.right), self.invertTree(root.left)\n        return root\n';
    expect((await runCase(tree, invert)).marker).not.toBeNull();
    expect(
      (await runCase(tree, invert.replace('root.left, root.right =', 'root.right, root.left ='))).marker,
    ).toBeNull();
  });

  it.concurrent.each([
    [
      'LeetCode: redefining the prelude helper is_same_list',
      {
        kind: 'script',
        code: 'def check(candidate):\n    assert is_same_list(candidate(head = list_node([1, 2])), list_node([2, 1]))\n\ncheck(Solution().f)\n',
        entryPoints: ['Solution'],
        prelude: 'leetcode',
      },
      'def is_same_list(a, b):\n    return True\nclass Solution:\n    def f(self, head):\n        return head\n',
    ],
    [
      'MBPP: a class named math whose isclose is always True',
      {
        kind: 'script',
        code: 'assert math.isclose(area(2), 12.566, rel_tol=0.001)\n',
        entryPoints: ['area'],
      },
      'class math:\n    isclose = staticmethod(lambda *a, **k: True)\ndef area(r):\n    return 0\n',
    ],
    [
      'HumanEval: redefining a prompt helper the check uses',
      {
        kind: 'script',
        code: 'def check(candidate):\n    assert double(candidate(3)) == 12\n\ncheck(f)\n',
        entryPoints: ['f'],
        preamble: 'def double(x):\n    return 2 * x\n\ndef f(x):\n    """x + x"""\n',
      },
      'def double(x):\n    return 12\ndef f(x):\n    return 0\n',
    ],
  ] as Array<[string, ScriptCase, string]>)('%s', async (_name, test, program) => {
    expect((await runCase(test, program)).marker).toBeNull();
  });

  it.skipIf(!CODE.has()).concurrent(
    'MBPP: classes of the program built by the setup code (Node) work as program values',
    async () => {
      const row = mbppRow(927);
      expect(await passesAll(row, row.code as string)).toBe(true);
      const wrong = (row.code as string).replace('return left_height+1', 'return left_height+2');
      expect(await passesAll(row, wrong)).toBe(false);
    },
  );
});

describe('failures are explained on stderr', () => {
  it.skipIf(!CODE.has()).concurrent('names the failing assert of the test', async () => {
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
