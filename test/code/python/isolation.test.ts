import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRun, newNonce, readMarker } from '../../../shared/code/harness/index.ts';
import type { PythonSandbox } from '../../../shared/code/python/index.ts';
import { PRECOMPILED_PROGRAMS, PRECOMPILED_SOURCES } from '../../../shared/code/python/precompiled.ts';
import type { RunLimits, RunResult } from '../../../shared/code/types.ts';
import { py, startSandbox } from './helpers.ts';

const CANARY = `canary-${process.pid}-${Date.now()}`;

let sandbox: PythonSandbox;
let run: (program: string, stdin?: string, overrides?: Partial<RunLimits>) => Promise<RunResult>;

beforeAll(async () => {
  process.env.GRADUS_CANARY = CANARY;
  ({ sandbox, run } = await startSandbox());
}, 180_000);
afterAll(() => {
  sandbox?.dispose();
  delete process.env.GRADUS_CANARY;
});

/** Runs a program that must fail with `error` (an exception type name) and nothing else. */
async function expectFailure(program: string, error: string) {
  const result = await run(program);
  expect(result.status).toBe('runtime_error');
  expect(result.stderr).toContain(error);
  return result;
}

describe('PythonSandbox: every run starts clean', () => {
  it('forgets globals, files, builtins, modules, cwd, environment and limits of the previous run', async () => {
    const first = await run(
      py(
        'import builtins, os, sys, types',
        'LEFTOVER = 1',
        'open("/tmp/leftover.txt", "w").write("x")',
        'open("/home/user/leftover.txt", "w").write("x")',
        'os.mkdir("/tmp/leftover")',
        'builtins.print = lambda *a, **k: None',
        'builtins.LEFTOVER = 2',
        'sys.modules["leftover"] = types.ModuleType("leftover")',
        'sys.setrecursionlimit(50)',
        'os.environ["LEFTOVER"] = "1"',
        'os.chdir("/tmp")',
        'import math; math.pi = 3',
      ),
    );
    expect(first.status).toBe('ok');
    const second = await run(
      py(
        'import builtins, math, os, sys',
        'print("LEFTOVER" in globals(), hasattr(builtins, "LEFTOVER"), "leftover" in sys.modules)',
        'print(os.listdir("/tmp"), os.path.exists("/home/user/leftover.txt"), os.getcwd())',
        'print(sys.getrecursionlimit(), "LEFTOVER" in os.environ, math.pi > 3.14)',
      ),
    );
    expect(second).toMatchObject({
      status: 'ok',
      stdout: 'False False False\n[] False /home/user\n10000 False True\n',
    });
  });

  it('does not carry stdin over to the next run', async () => {
    await run('print(input())', 'first\nsecond\n');
    const next = await run('import sys\nprint(repr(sys.stdin.read()))', '');
    expect(next.stdout).toBe("''\n");
  });

  it('is deterministic: the same random numbers in every run', async () => {
    const program = py('import random, os', 'print(random.random(), os.urandom(4).hex())');
    const [a, b] = [await run(program), await run(program)];
    expect(a.status).toBe('ok');
    expect(a.stdout).toBe(b.stdout);
  });

  it('restores the memory exactly: fresh objects get the same addresses after a run that dirtied it', async () => {
    const addresses = py('xs = [object() for _ in range(1000)]', 'print(sum(map(id, xs)), id([]), id({}))');
    const before = await run(addresses);
    expect(before.status).toBe('ok');
    const dirty = await run(
      py(
        'import sys',
        'sys.setrecursionlimit(5000)',
        'def down(n, pad):',
        '    return n if n == 0 else down(n - 1, pad)',
        'keep = [bytearray(b"x" * 100_000) for _ in range(200)]',
        'print(down(4000, keep))',
      ),
    );
    expect(dirty).toMatchObject({ status: 'ok', stdout: '0\n' });
    expect(await run(addresses)).toMatchObject({ status: 'ok', stdout: before.stdout });
  });

  it('keeps the interpreter files read-only, chmod included', async () => {
    const site = '/lib/python3.14/site-packages';
    await expectFailure('open("/lib/python314.zip", "wb").write(b"")', 'PermissionError');
    await expectFailure('open("/evil.py", "w")', 'PermissionError');
    await expectFailure('open("/dev/evil", "w")', 'PermissionError');
    await expectFailure(`import os\nos.chmod("${site}", 0o777)`, 'PermissionError');
    await expectFailure(`import os\nos.fchmod(os.open("${site}", os.O_RDONLY), 0o777)`, 'PermissionError');
    await expectFailure(
      `import os\nos.symlink("${site}", "/tmp/link")\nos.chmod("/tmp/link", 0o777)`,
      'PermissionError',
    );
    const planted = await run(`import os\nprint(os.listdir("${site}"), os.listdir("/tmp"))`);
    expect(planted.stdout).toBe('[] []\n');
  });

  it('restores file metadata: timestamps (os.utime on read-only paths too), inode numbers, pipe names', async () => {
    const paths = ['/', '/lib', '/lib/python314.zip', '/tmp', '/home/user', '/dev/null', '/dev'];
    const observe = py(
      'import os',
      `for p in ${JSON.stringify(paths)}:`,
      '    s = os.stat(p)',
      '    print(p, s.st_atime_ns, s.st_mtime_ns, s.st_ctime_ns, s.st_mode)',
      'open("/tmp/probe", "w").close()',
      'r, w = os.pipe()',
      'print(os.stat("/tmp/probe").st_ino, os.fstat(r).st_ino, os.readlink(f"/proc/self/fd/{r}"))',
      'print(os.statvfs("/").f_ffree)',
    );
    const before = await run(observe);
    expect(before.status).toBe('ok');
    const meddle = await run(
      py(
        'import os',
        `for p in ${JSON.stringify(paths)}:`,
        '    os.utime(p, (12345, 67890))',
        '    print(os.stat(p).st_mtime)',
        'for i in range(100): open(f"/tmp/f{i}", "w").close()',
        'pipes = [os.pipe() for _ in range(10)]',
      ),
    );
    // The channel must exist for the test to mean anything: utime works on read-only paths.
    expect(meddle).toMatchObject({ status: 'ok', stdout: '67890.0\n'.repeat(paths.length) });
    expect(await run(observe)).toMatchObject({ status: 'ok', stdout: before.stdout });
  });

  it('lets a program use its scratch directories freely, and still cleans them up', async () => {
    const boots = sandbox.boots;
    const result = await run(
      py(
        'import os',
        'os.makedirs("/tmp/a/b")',
        'open("/tmp/a/b/f", "w").write("x")',
        'os.chmod("/tmp/a/b", 0o500)',
        'print(open("/tmp/a/b/f").read())',
      ),
    );
    expect(result).toMatchObject({ status: 'ok', stdout: 'x\n' });
    expect((await run('import os\nprint(os.listdir("/tmp"))')).stdout).toBe('[]\n');
    expect(sandbox.boots).toBe(boots);
  });

  it('runs the precompiled harness as it is, even after a run replaced its code objects', async () => {
    // The harness's code objects and the LeetCode prelude's live in the snapshot (runner.py, _PRECOMPILED
    // and _PRECOMPILED_SOURCES), reachable by walking frames; a run that swaps them must not change what
    // the next harness run executes (a call test runs both).
    const swap = await run(
      py(
        'import sys',
        'runner = sys._getframe(0).f_back.f_globals',
        'hijack = compile("print(\'hijacked\')", "<solution>", "exec")',
        'for cache in (runner["_PRECOMPILED"], runner["_PRECOMPILED_SOURCES"]):',
        '    for key in cache: cache[key] = hijack',
        'print(len(runner["_PRECOMPILED"]), len(runner["_PRECOMPILED_SOURCES"]))',
      ),
    );
    expect(swap).toMatchObject({
      status: 'ok',
      stdout: `${PRECOMPILED_PROGRAMS.length} ${PRECOMPILED_SOURCES.length}\n`,
    });
    const nonce = newNonce();
    const call = buildRun(
      { kind: 'call', fnName: 'double', args: [21], expected: 42 },
      'def double(n):\n    return n * 2\n',
      'python',
      nonce,
    );
    if ('error' in call) throw new Error(call.error);
    const harnessed = await run(call.program, call.stdin);
    expect(harnessed.stdout).not.toContain('hijacked');
    expect(readMarker(harnessed.stdout, nonce)).toEqual({ ok: true, hasResult: true, result: 42 });
  });
});

describe('PythonSandbox: no way out of the interpreter', () => {
  it('has no js, pyodide_js, pyodide.ffi, pyodide or ctypes module', async () => {
    for (const statement of [
      'import js',
      'from js import eval',
      'import pyodide_js',
      'from pyodide.ffi import to_js',
      'import pyodide.code',
      'import _pyodide',
      'import _pyodide_core',
      'import ctypes',
      'import micropip',
    ]) {
      const result = await run(statement);
      expect(result.status, statement).toBe('runtime_error');
      expect(result.stderr, statement).toContain('ModuleNotFoundError');
    }
  });

  it('cannot reach the FFI through the import machinery or the object graph', async () => {
    await expectFailure(
      py('import _imp, importlib.machinery as m', '_imp.create_builtin(m.ModuleSpec("_pyodide_core", None))'),
      'ModuleNotFoundError',
    );
    // Without the blocking finder the pure-Python pyodide package loads, but not its C core: to_js is
    // then Pyodide's documentation stub, which returns its argument.
    const unblocked = await run(
      py(
        'import sys, importlib',
        'sys.meta_path[:] = sys.meta_path[1:]',
        'ffi = importlib.import_module("pyodide.ffi")',
        'print(type(ffi.to_js([1])).__name__, "_pyodide_core" in sys.modules)',
      ),
    );
    expect(unblocked).toMatchObject({ status: 'ok', stdout: 'list False\n' });
    await expectFailure('import gc\ngc.get_objects()', 'RuntimeError: gc.get_objects is not available');
    await expectFailure('import gc\ngc.get_referrers(int)', 'RuntimeError');
    await expectFailure('import gc, _imp\n_imp.exec_builtin(gc)', 'ImportError');
    await expectFailure('import gc, importlib\nimportlib.reload(gc)', 'ImportError');
    const hidden = await run(
      py(
        'import sys',
        'print([m for m in sys.modules if m.split(".")[0] in ("js", "pyodide", "_pyodide", "pyodide_js")])',
      ),
    );
    expect(hidden.stdout).toBe('[]\n');
  });

  it('shows no host environment variable, in os.environ or anywhere else', async () => {
    const results = [
      await run('import os\nprint(dict(os.environ))'),
      await run('print(open("/proc/self/environ").read())'),
      await run('import os\nprint(os.listdir("/"), os.listdir("/proc"))'),
      await run('import os\nprint(os.getenv("GRADUS_CANARY"), os.getenv("PATH"), os.getenv("HOME"))'),
    ];
    for (const result of results) {
      expect(result.stdout + result.stderr).not.toContain(CANARY);
    }
    expect(results[0]?.stdout).not.toContain(process.env.HOME ?? '/root');
    expect(results[1]?.stderr).toContain('FileNotFoundError');
    expect(results[3]?.stdout).toBe('None / /home/user\n');
  });

  it('fails cleanly on processes, threads and sockets', async () => {
    await expectFailure('import subprocess\nsubprocess.run(["ls"])', 'OSError');
    await expectFailure('import os\nos.fork()', 'OSError');
    await expectFailure(
      'import threading\nthreading.Thread(target=print).start()',
      "RuntimeError: can't start new thread",
    );
    await expectFailure('import socket\nsocket.create_connection(("example.com", 80), timeout=1)', 'OSError');
    await expectFailure('import urllib.request\nurllib.request.urlopen("http://example.com")', 'URLError');
    const system = await run('import os\nprint(os.system("ls") != 0)');
    expect(system).toMatchObject({ status: 'ok', stdout: 'True\n' });
  });
});
