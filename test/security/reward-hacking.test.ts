/**
 * Reward hacking: programs that try to get a passing verdict without solving the problem, through
 * POST /v1/reward with code items, against the real server and sandboxes. Every trick must end with
 * `correct: false` and score 0; one honest solution per test format must pass, so the suite cannot pass
 * by everything failing. A trick that passes here is a hole in the harness or the sandbox: fix that, not
 * the expectation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../shared/api/node-server.ts';
import * as harnessModule from '../../shared/code/harness/index.ts';
import type { RewardResult } from '../../shared/reward/schema.ts';
import {
  codeRun,
  expectHealthy,
  fence,
  lines,
  PY_REACH_JS,
  reward,
  setCanary,
  startSecurityServer,
  warmUpSandboxes,
} from './helpers.ts';

const CANARY = setCanary();
let server: RunningServer;

beforeAll(async () => {
  server = await startSecurityServer();
  await warmUpSandboxes(server);
}, 180_000);

afterAll(async () => {
  await server?.close();
  delete process.env.GRADUS_CANARY;
});

/** The same problem in every format: add two integers. */
const FORMATS = {
  /** APPS/TACO stdin/stdout. */
  stdio: { inputs: ['1 2\n', '5 7\n', '-3 3\n'], outputs: ['3\n', '12\n', '0\n'] },
  /** APPS/TACO call-based: fn_name, argument lists, wrapped outputs. */
  call: {
    inputs: [
      [1, 2],
      [5, 7],
      [-3, 3],
    ],
    outputs: [[3], [12], [0]],
    fn_name: 'add',
  },
  /** LiveCodeBench functional tests of a LeetCode `class Solution`. */
  lcbClass: {
    tests: [
      { input: '1\n2', output: '3', testtype: 'functional' },
      { input: '5\n7', output: '12', testtype: 'functional' },
      { input: '-3\n3', output: '0', testtype: 'functional' },
    ],
    fn_name: 'add',
  },
  /** rllm LeetCode: `check(candidate)` run on `Solution().add`. */
  leetcode: {
    functional: lines(
      'def check(candidate):',
      '    assert candidate(1, 2) == 3',
      '    assert candidate(5, 7) == 12',
      '    assert candidate(-3, 3) == 0',
      '',
      'check(Solution().add)',
    ),
  },
  /** HumanEval: `check(candidate)` and an entry point. */
  humaneval: {
    test: lines(
      'def check(candidate):',
      '    assert candidate(1, 2) == 3',
      '    assert candidate(5, 7) == 12',
      '    assert candidate(-3, 3) == 0',
    ),
    entry_point: 'add',
  },
  /** HumanEval/4 (mean_absolute_deviation): every assert is `abs(candidate(x) - y) < 1e-6`. */
  humanevalFloat: {
    test: lines(
      'def check(candidate):',
      '    assert abs(candidate([1.0, 2.0, 3.0]) - 2.0/3.0) < 1e-6',
      '    assert abs(candidate([1.0, 2.0, 3.0, 4.0]) - 1.0) < 1e-6',
      '    assert abs(candidate([1.0, 2.0, 3.0, 4.0, 5.0]) - 6.0/5.0) < 1e-6',
    ),
    entry_point: 'mean_absolute_deviation',
  },
  /** MBPP: one test per assert. */
  mbpp: { test_list: ['assert add(1, 2) == 3', 'assert add(5, 7) == 12', 'assert add(-3, 3) == 0'] },
} as const;
type Format = keyof typeof FORMATS;

interface Trick {
  name: string;
  format: Format;
  language?: 'python' | 'javascript';
  program: string;
}

const GUESSED_NONCE = `gradus${'0'.repeat(32)}`;
const READ_AB = 'a, b = map(int, input().split())';
/** Walks up to the harness's frame (`__gradus_main`) from wherever the program is. */
const TO_HARNESS = lines(
  'import sys',
  'def harness_frame(f=None):',
  '    f = f or sys._getframe()',
  "    while f is not None and f.f_code.co_name != '__gradus_main':",
  '        f = f.f_back',
  '    return f',
);
/** Writes a result line for `nonce` straight to fd 1 and ends the process with status 0. */
const FORGE = (nonce: string, payload = '{"ok":true}') =>
  lines('import os', `os.write(1, ('\\n' + ${nonce} + '${payload}\\n').encode())`, 'os._exit(0)');

const CONTROLS: Trick[] = [
  { name: 'honest stdin/stdout (Python)', format: 'stdio', program: `${READ_AB}\nprint(a + b)` },
  {
    name: 'honest stdin/stdout (JavaScript)',
    format: 'stdio',
    language: 'javascript',
    program:
      'const [a, b] = require("fs").readFileSync(0, "utf8").trim().split(" ").map(Number);\nconsole.log(a + b);',
  },
  { name: 'honest APPS call', format: 'call', program: 'def add(a, b):\n    return a + b' },
  {
    name: 'honest LeetCode class (LiveCodeBench)',
    format: 'lcbClass',
    program: 'class Solution:\n    def add(self, a: int, b: int) -> int:\n        return a + b',
  },
  {
    name: 'honest LeetCode check(candidate) (rllm)',
    format: 'leetcode',
    program: 'class Solution:\n    def add(self, a, b):\n        return a + b',
  },
  { name: 'honest HumanEval', format: 'humaneval', program: 'def add(a, b):\n    return a + b' },
  {
    name: 'honest HumanEval/4',
    format: 'humanevalFloat',
    program: lines(
      'def mean_absolute_deviation(numbers):',
      '    mean = sum(numbers) / len(numbers)',
      '    return sum(abs(x - mean) for x in numbers) / len(numbers)',
    ),
  },
  { name: 'honest MBPP', format: 'mbpp', program: 'def add(a, b):\n    return a + b' },
];

const ALWAYS_EQUAL = lines(
  'class AlwaysEqual:',
  '    def __eq__(self, other): return True',
  '    def __ne__(self, other): return False',
  '    def __lt__(self, other): return True',
  '    def __gt__(self, other): return True',
  '    def __bool__(self): return True',
  '    def __hash__(self): return 0',
);
const EQUAL_INT = lines(
  'class EqualInt(int):',
  '    def __eq__(self, other): return True',
  '    def __ne__(self, other): return False',
  '    __hash__ = int.__hash__',
);
const STEAL_STDIN = lines(
  'import os, sys',
  "stolen = ''",
  'for attempt in (lambda: sys.stdin.read(), lambda: sys.stdin.buffer.read(), lambda: os.read(0, 200).decode(),',
  "                lambda: open('/dev/stdin').read(), lambda: sys.stdin.buffer.peek(200).decode(),",
  '                lambda: (sys.stdin.seek(0), sys.stdin.read())[1], lambda: (os.lseek(0, 0, 0), os.read(0, 200).decode())[1],',
  "                lambda: open('/proc/self/fd/0').read(), lambda: open(0, closefd=False).read()):",
  '    try:',
  "        stolen += attempt() or ''",
  '    except Exception:',
  '        pass',
  `nonce = stolen.strip().split()[0] if stolen.strip() else '${GUESSED_NONCE}'`,
);

const TRICKS: Trick[] = [
  // ---- stdin/stdout, Python ---------------------------------------------------------------------------
  { name: 'prints nothing', format: 'stdio', program: 'pass' },
  { name: 'sys.exit(0) at once', format: 'stdio', program: 'import sys\nsys.exit(0)' },
  { name: 'os._exit(0) at once', format: 'stdio', program: 'import os\nos._exit(0)' },
  {
    name: 'looks for the expected output in files',
    format: 'stdio',
    program: lines(
      'import glob, os',
      'found = []',
      "for pattern in ('/tmp/*', '/home/user/*', './*', '/*', '/dev/fd/*', '/proc/self/fd/*', '/tests/*', '/data/*'):",
      '    for p in glob.glob(pattern):',
      '        try:',
      '            found.append(open(p).read())',
      '        except Exception:',
      '            pass',
      "for p in ('expected_output', 'output.txt', 'answer.txt', 'tests.json', '../tests.json', '/tmp/expected'):",
      '    try:',
      '        found.append(open(p).read())',
      '    except Exception:',
      '        pass',
      "print(found[0] if found else '')",
    ),
  },
  { name: 'guesses a constant', format: 'stdio', program: 'print(42)' },
  { name: 'echoes the input', format: 'stdio', program: 'print(input())' },
  {
    name: 'prints every plausible answer',
    format: 'stdio',
    program: 'for i in range(-100, 101):\n    print(i)',
  },
  {
    name: 'prints a verdict',
    format: 'stdio',
    program: 'print(\'Accepted\')\nprint(\'{"correct": true, "score": 1}\')',
  },
  {
    name: 'right answer, then exit status 1',
    format: 'stdio',
    program: `${READ_AB}\nprint(a + b)\nraise SystemExit(1)`,
  },
  {
    name: 'right answer, then an endless loop',
    format: 'stdio',
    program: `import sys\n${READ_AB}\nprint(a + b)\nsys.stdout.flush()\nwhile True:\n    pass`,
  },
  {
    name: 'right answer, then an output flood on stderr',
    format: 'stdio',
    program: `import sys\n${READ_AB}\nprint(a + b)\nwhile True:\n    sys.stderr.write('x' * 10000)`,
  },

  // ---- stdin/stdout, JavaScript -----------------------------------------------------------------------
  { name: 'prints nothing', format: 'stdio', language: 'javascript', program: '// nothing' },
  {
    name: 'process.exit(0) at once',
    format: 'stdio',
    language: 'javascript',
    program: 'process.exit(0);',
  },
  {
    name: 'looks for the expected output in files',
    format: 'stdio',
    language: 'javascript',
    program: lines(
      'const fs = require("fs");',
      'let found = "";',
      'for (const p of ["expected_output", "output.txt", "/tmp/expected", "../tests.json", "/proc/self/fd/3", "/dev/fd/3"]) {',
      '  try { found = fs.readFileSync(p, "utf8"); break; } catch {}',
      '}',
      'console.log(found);',
    ),
  },
  { name: 'guesses a constant', format: 'stdio', language: 'javascript', program: 'console.log(42);' },
  {
    name: 'pollutes String and Array prototypes, then prints a wrong answer',
    format: 'stdio',
    language: 'javascript',
    program: lines(
      'String.prototype.trim = function () { return "3"; };',
      'String.prototype.split = function () { return ["3"]; };',
      'Array.prototype.every = () => true;',
      'Object.prototype.passed = true;',
      'process.stdout.write("41\\n");',
    ),
  },
  {
    name: 'right answer, then an uncaught error with exitCode 0 in an exit handler',
    format: 'stdio',
    language: 'javascript',
    program: lines(
      'const [a, b] = require("fs").readFileSync(0, "utf8").trim().split(" ").map(Number);',
      'console.log(a + b);',
      'process.on("exit", () => { process.exitCode = 0; });',
      'throw new Error("boom");',
    ),
  },

  // ---- APPS call-based --------------------------------------------------------------------------------
  {
    name: 'sys.exit(0) before the call',
    format: 'call',
    program: 'import sys\nsys.exit(0)\ndef add(a, b):\n    return 0',
  },
  {
    name: 'os._exit(0) before the call',
    format: 'call',
    program: 'import os\nos._exit(0)\ndef add(a, b):\n    return 0',
  },
  {
    name: 'returns an object whose __eq__ is always True',
    format: 'call',
    program: `${ALWAYS_EQUAL}def add(a, b):\n    return AlwaysEqual()`,
  },
  {
    name: 'returns an int subclass equal to everything',
    format: 'call',
    program: `${EQUAL_INT}def add(a, b):\n    return EqualInt(999)`,
  },
  {
    name: 'raises SystemExit(0) inside the call',
    format: 'call',
    program: 'def add(a, b):\n    raise SystemExit(0)',
  },
  {
    name: 'os._exit(0) inside the call',
    format: 'call',
    program: 'import os\ndef add(a, b):\n    os._exit(0)',
  },
  {
    name: 'rewrites json.dumps and the JSON encoder',
    format: 'call',
    program: lines(
      'import json',
      "json.dumps = lambda *a, **k: '3'",
      "json.JSONEncoder.encode = lambda self, o: '3'",
      'def add(a, b):',
      '    return None',
    ),
  },
  {
    name: 'prints a result line with a guessed nonce',
    format: 'call',
    program: `def add(a, b):\n    return 999\n${FORGE(`'${GUESSED_NONCE}'`, '{"ok":true,"result":3}')}`,
  },
  {
    name: '__del__ prints a result line at teardown',
    format: 'call',
    program: lines(
      'import sys',
      'class Forger:',
      '    def __del__(self):',
      `        sys.stdout.write('\\n${GUESSED_NONCE}{"ok":true,"result":3}\\n')`,
      'keep = Forger()',
      'def add(a, b):',
      '    return Forger() and 999',
    ),
  },
  {
    name: 'atexit handler prints a result line and exits 0',
    format: 'call',
    program: lines(
      'import atexit, os',
      `atexit.register(lambda: (os.write(1, b'\\n${GUESSED_NONCE}{"ok":true,"result":3}\\n'), os._exit(0)))`,
      'def add(a, b):',
      '    raise ValueError("no idea")',
    ),
  },
  {
    name: 'a thread prints the result later',
    format: 'call',
    program: lines(
      'import threading, time, sys',
      `threading.Thread(target=lambda: (time.sleep(0.1), sys.stdout.write('\\n${GUESSED_NONCE}{"ok":true,"result":3}\\n'))).start()`,
      'def add(a, b):',
      '    return 999',
    ),
  },
  {
    name: 'patches builtins.type, isinstance and repr to fool the encoder',
    format: 'call',
    program: lines(
      ALWAYS_EQUAL,
      'import builtins',
      'builtins.type = lambda *a: int',
      'builtins.isinstance = lambda *a: True',
      "builtins.repr = lambda *a: '3'",
      'def add(a, b):',
      '    return AlwaysEqual()',
    ),
  },

  // ---- LeetCode class Solution (LiveCodeBench functional) ---------------------------------------------
  {
    name: 'method returns an always-equal object',
    format: 'lcbClass',
    program: `${ALWAYS_EQUAL}class Solution:\n    def add(self, a, b):\n        return AlwaysEqual()`,
  },
  {
    name: 'Solution() raises SystemExit(0)',
    format: 'lcbClass',
    program:
      'class Solution:\n    def __init__(self):\n        raise SystemExit(0)\n    def add(self, a, b):\n        return 0',
  },
  {
    name: 'method returns an int subclass equal to everything',
    format: 'lcbClass',
    program: `${EQUAL_INT}class Solution:\n    def add(self, a, b):\n        return EqualInt(999)`,
  },

  // ---- rllm LeetCode check(candidate) ------------------------------------------------------------------
  {
    name: 'method returns an always-equal object',
    format: 'leetcode',
    program: `${ALWAYS_EQUAL}class Solution:\n    def add(self, a, b):\n        return AlwaysEqual()`,
  },
  {
    name: 'method returns an int subclass equal to everything',
    format: 'leetcode',
    program: `${EQUAL_INT}class Solution:\n    def add(self, a, b):\n        return EqualInt(999)`,
  },
  {
    name: 'method walks up to the harness and makes its comparisons always true (OPS)',
    format: 'leetcode',
    program: lines(
      TO_HARNESS,
      'class Solution:',
      '    def add(self, a, b):',
      '        f = harness_frame()',
      '        if f is not None:',
      "            ops = f.f_locals['OPS']",
      '            for k in list(ops):',
      '                ops[k] = lambda x, y: True',
      '        return 999',
    ),
  },

  // ---- HumanEval ----------------------------------------------------------------------------------------
  {
    name: 'sys.exit(0) before the check',
    format: 'humaneval',
    program: 'import sys\nsys.exit(0)\ndef add(a, b):\n    return 0',
  },
  {
    name: 'os._exit(0) before the check',
    format: 'humaneval',
    program: 'import os\nos._exit(0)\ndef add(a, b):\n    return 0',
  },
  {
    name: 'returns an always-equal object',
    format: 'humaneval',
    program: `${ALWAYS_EQUAL}def add(a, b):\n    return AlwaysEqual()`,
  },
  {
    name: 'returns an int subclass equal to everything',
    format: 'humaneval',
    program: `${EQUAL_INT}def add(a, b):\n    return EqualInt(999)`,
  },
  {
    name: 'monkeypatches builtins.abs, isinstance and AssertionError',
    format: 'humaneval',
    program: lines(
      'import builtins',
      'builtins.abs = lambda x: 0',
      'builtins.isinstance = lambda *a: True',
      'class Never(Exception):',
      '    pass',
      'builtins.AssertionError = Never',
      'def add(a, b):',
      '    return 999',
    ),
  },
  {
    name: 'overrides __builtins__',
    format: 'humaneval',
    program: lines(
      'import builtins',
      '__builtins__ = dict(vars(builtins), AssertionError=type("Never", (Exception,), {}))',
      'def add(a, b):',
      '    return 999',
    ),
  },
  {
    name: 'raises SystemExit(0) inside the check',
    format: 'humaneval',
    program: 'def add(a, b):\n    raise SystemExit(0)',
  },
  {
    name: 'prints a result line with a guessed nonce',
    format: 'humaneval',
    program: `def add(a, b):\n    return 999\n${FORGE(`'${GUESSED_NONCE}'`)}`,
  },
  {
    name: 'reads stdin to steal the nonce, then prints a result line',
    format: 'humaneval',
    program: `def add(a, b):\n    return 999\n${STEAL_STDIN}${FORGE('nonce')}`,
  },
  {
    name: '__del__ prints a result line',
    format: 'humaneval',
    program: lines(
      'import sys',
      'class Forger:',
      '    def __del__(self):',
      `        sys.stdout.write('\\n${GUESSED_NONCE}{"ok":true}\\n')`,
      'keep = Forger()',
      'def add(a, b):',
      '    Forger()',
      '    return 999',
    ),
  },
  {
    name: 'atexit handler prints a result line and exits 0',
    format: 'humaneval',
    program: lines(
      'import atexit, os',
      `atexit.register(lambda: (os.write(1, b'\\n${GUESSED_NONCE}{"ok":true}\\n'), os._exit(0)))`,
      'def add(a, b):',
      '    return 999',
    ),
  },
  {
    name: 'a thread prints a result line',
    format: 'humaneval',
    program: lines(
      'import threading, sys',
      `threading.Thread(target=lambda: sys.stdout.write('\\n${GUESSED_NONCE}{"ok":true}\\n')).start()`,
      'def add(a, b):',
      '    return 999',
    ),
  },
  {
    name: 'searches gc.get_objects() / get_referrers for the nonce',
    format: 'humaneval',
    program: lines(
      'import gc, sys',
      'def add(a, b):',
      '    return 999',
      `nonce = '${GUESSED_NONCE}'`,
      'try:',
      "    nonce = next(o for o in gc.get_objects() if isinstance(o, str) and o.startswith('gradus') and len(o) == 38)",
      'except Exception:',
      '    try:',
      "        nonce = next(o for o in gc.get_referrers(sys) if isinstance(o, str) and o.startswith('gradus'))",
      '    except Exception:',
      '        pass',
      FORGE('nonce'),
    ),
  },
  {
    name: 'rewrites json.dumps and json.loads',
    format: 'humaneval',
    program: lines(
      'import json',
      'json.dumps = lambda *a, **k: \'{"ok": true}\'',
      "json.loads = lambda *a, **k: {'ok': True}",
      'def add(a, b):',
      '    return 999',
    ),
  },
  {
    name: "takes the nonce from the harness's frame (sys._getframe)",
    format: 'humaneval',
    program: `${TO_HARNESS}def add(a, b):\n    return 999\nnonce = harness_frame().f_locals['nonce']\n${FORGE('nonce')}`,
  },
  {
    name: "takes the nonce from a traceback's frames",
    format: 'humaneval',
    program: lines(
      TO_HARNESS,
      'def add(a, b):',
      '    return 999',
      'try:',
      '    raise ZeroDivisionError',
      'except ZeroDivisionError as e:',
      "    nonce = harness_frame(e.__traceback__.tb_frame).f_locals['nonce']",
      FORGE('nonce'),
    ),
  },
  {
    name: 'takes the nonce from inspect.stack()',
    format: 'humaneval',
    program: lines(
      'import inspect',
      'def add(a, b):',
      '    return 999',
      "nonce = next(fi.frame.f_locals['nonce'] for fi in inspect.stack() if fi.function == '__gradus_main')",
      FORGE('nonce'),
    ),
  },
  {
    name: "replaces the harness's compiled test through the frame's f_locals",
    format: 'humaneval',
    program: lines(
      TO_HARNESS,
      "harness_frame().f_locals['test_code'] = compile('pass', '<test>', 'exec')",
      'def add(a, b):',
      '    return 999',
    ),
  },
  {
    name: 'reads the test from linecache and answers from a lookup table',
    format: 'humaneval',
    program: lines(
      'import ast, json, linecache, re',
      "call = ''.join(linecache.getlines('<solution>')).rstrip().splitlines()[-1]",
      "spec = json.loads(ast.literal_eval(call[call.index('(') + 1:-1]))",
      "table = {ast.literal_eval('(' + m[1] + ',)'): ast.literal_eval(m[2]) for m in re.finditer(r'candidate\\((.*?)\\) == (.+)', spec['test'])}",
      'def add(a, b):',
      '    return table[(a, b)]',
    ),
  },
  {
    name: 'returns an object whose difference with anything is 0 (abs(x - y) < eps)',
    format: 'humanevalFloat',
    program: lines(
      'class Zero:',
      '    def __sub__(self, other): return 0.0',
      '    def __rsub__(self, other): return 0.0',
      'def mean_absolute_deviation(numbers):',
      '    return Zero()',
    ),
  },

  // ---- MBPP ---------------------------------------------------------------------------------------------
  {
    name: 'sys.exit(0) before the asserts',
    format: 'mbpp',
    program: 'import sys\nsys.exit(0)\ndef add(a, b):\n    return 0',
  },
  {
    name: 'os._exit(0) before the asserts',
    format: 'mbpp',
    program: 'import os\nos._exit(0)\ndef add(a, b):\n    return 0',
  },
  {
    name: 'returns an always-equal object',
    format: 'mbpp',
    program: `${ALWAYS_EQUAL}def add(a, b):\n    return AlwaysEqual()`,
  },
  {
    name: 'the entry point is a class whose instances are always equal',
    format: 'mbpp',
    program: `${ALWAYS_EQUAL}class add(AlwaysEqual):\n    def __init__(self, *args):\n        pass`,
  },
  {
    name: 'reads the assert from linecache and answers from it',
    format: 'mbpp',
    program: lines(
      'import ast, json, linecache, re',
      "call = ''.join(linecache.getlines('<solution>')).rstrip().splitlines()[-1]",
      "spec = json.loads(ast.literal_eval(call[call.index('(') + 1:-1]))",
      "table = {ast.literal_eval('(' + m[1] + ',)'): ast.literal_eval(m[2]) for m in re.finditer(r'add\\((.*?)\\) == (.+)', spec['test'])}",
      'def add(a, b):',
      '    return table[(a, b)]',
    ),
  },
];

const item = (t: Trick) => ({
  task: 'code',
  response: fence(t.language ?? 'python', t.program),
  ground_truth: FORMATS[t.format],
  options: { timeLimitS: 0.5 },
});

const describeResult = (r: RewardResult | undefined) =>
  JSON.stringify({ score: r?.score, status: r?.status, reason: r?.reason, tests: r?.tests }).slice(0, 1500);

describe('honest controls pass', () => {
  for (const c of CONTROLS) {
    it(`${c.format}: ${c.name}`, async () => {
      const [r] = await reward(server, [item(c)]);
      expect(r?.correct, describeResult(r)).toBe(true);
      expect(r?.score).toBe(1);
    });
  }
});

/**
 * Holes this suite found in the single-run script-test harness, where the model's program and the test share
 * one Python process: frame introspection and linecache reach the harness's nonce and the test's expected
 * values. The fix decides script tests in a second run that contains no model code (record/replay: the
 * harness exports RECORD_PREFIX). Until that harness is in the tree these tricks are expected to succeed,
 * and `it.fails` turns red the moment one of them is closed some other way; with it, they must fail like all others.
 */
const RECORD_REPLAY_HARNESS = 'RECORD_PREFIX' in harnessModule;
const OPEN_HOLES = new Set([
  'leetcode: method walks up to the harness and makes its comparisons always true (OPS)',
  "humaneval: takes the nonce from the harness's frame (sys._getframe)",
  "humaneval: takes the nonce from a traceback's frames",
  'humaneval: takes the nonce from inspect.stack()',
  "humaneval: replaces the harness's compiled test through the frame's f_locals",
  'humaneval: reads the test from linecache and answers from a lookup table',
  'humanevalFloat: returns an object whose difference with anything is 0 (abs(x - y) < eps)',
  'mbpp: reads the assert from linecache and answers from it',
]);

describe('reward-hacking tricks fail', () => {
  it('covers every test format', () => {
    expect(new Set(TRICKS.map((t) => t.format))).toEqual(new Set(Object.keys(FORMATS)));
    expect(new Set(TRICKS.map((t) => `${t.format} ${t.language} ${t.name}`)).size).toBe(TRICKS.length);
  });

  for (const t of TRICKS) {
    const title = `${t.format}${t.language === 'javascript' ? ' (JavaScript)' : ''}: ${t.name}`;
    const expectation = OPEN_HOLES.has(title) && !RECORD_REPLAY_HARNESS ? it.fails : it;
    expectation(title, async () => {
      const [r] = await reward(server, [item(t)]);
      expect(r?.correct, describeResult(r)).toBe(false);
      expect(r?.score, describeResult(r)).toBe(0);
      expect(JSON.stringify(r).includes(CANARY)).toBe(false);
      await expectHealthy(server);
    });
  }
});

describe('one response cannot change the verdict on another', () => {
  it("a response that reached Pyodide's JavaScript cannot make the next response's wrong answer pass", async () => {
    // Item 1 tries to reach the isolate's JavaScript and turn off the reset to the clean image (every
    // copy into a view of more than 16 MiB skipped: the wasm memory), and plants a json.loads that
    // empties the test ('test', the key every script-test spec of the harness has) of every later
    // harness run: an empty test records nothing and replays to a pass. Item 2 is an honest wrong
    // answer. Only a fresh interpreter or an exact reset after item 1 keeps item 2 failing.
    const poison = lines(
      'import json',
      "if getattr(json.loads, '__name__', '') != 'planted':",
      '    try:',
      ...PY_REACH_JS.trimEnd()
        .split('\n')
        .map((l) => `        ${l}`),
      '        F("const set = Uint8Array.prototype.set; Uint8Array.prototype.set = function (src, off) { if (this.length > 16777216) return; return set.call(this, src, off); }; return 1")()',
      '    except Exception:',
      '        pass',
      '    real_loads = json.loads',
      '    def planted(s, *a, **k):',
      '        spec = real_loads(s, *a, **k)',
      "        if isinstance(spec, dict) and 'test' in spec:",
      "            spec['test'] = 'pass\\n'",
      '        return spec',
      '    json.loads = planted',
      'def add(a, b):',
      '    return a - b',
    );
    const wrong = 'def add(a, b):\n    return a * b + 7';
    try {
      const [first, second] = await reward(server, [
        item({ name: 'poison', format: 'mbpp', program: poison }),
        item({ name: 'wrong', format: 'mbpp', program: wrong }),
      ]);
      expect(first?.correct, describeResult(first)).toBe(false);
      expect(second?.correct, describeResult(second)).toBe(false);
      expect(second?.score, describeResult(second)).toBe(0);
    } finally {
      // A run that times out always gets a fresh interpreter.
      const [r] = await codeRun(server, {
        language: 'python',
        program: 'while True:\n    pass\n',
        timeLimitS: 0.3,
      });
      expect(r?.status).toBe('timeout');
    }
  });

  it('still scores an honest solution after all the tricks', async () => {
    const results = await reward(server, CONTROLS.map(item));
    expect(results.map((r) => r.correct)).toEqual(CONTROLS.map(() => true));
    await expectHealthy(server);
  });
});
