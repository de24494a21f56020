import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PythonSandbox } from '../../../shared/code/python/index.ts';
import type { RunLimits, RunResult } from '../../../shared/code/types.ts';
import { py, startSandbox } from './helpers.ts';

let sandbox: PythonSandbox;
let run: (program: string, stdin?: string, overrides?: Partial<RunLimits>) => Promise<RunResult>;

beforeAll(async () => {
  ({ sandbox, run } = await startSandbox());
}, 180_000);
afterAll(() => sandbox?.dispose());

/** The interpreter still works after whatever the previous run did. */
async function expectAlive() {
  const result = await run('print(sum(range(10)))');
  expect(result).toMatchObject({ status: 'ok', stdout: '45\n', stderr: '', exitCode: 0 });
}

describe('PythonSandbox: programs and their input and output', () => {
  it('runs hello world', async () => {
    const result = await run('print("hello, world")');
    expect(result).toMatchObject({ status: 'ok', stdout: 'hello, world\n', stderr: '', exitCode: 0 });
    expect(result.ms).toBeGreaterThan(0);
    expect(result.memory).toBeGreaterThan(0);
  });

  it('feeds stdin to input()', async () => {
    const result = await run(
      py('a, b = map(int, input().split())', 'name = input()', 'print(a + b, name)'),
      '20 22\nada\n',
    );
    expect(result).toMatchObject({ status: 'ok', stdout: '42 ada\n' });
  });

  it('feeds stdin to sys.stdin.read(), readline loops, open(0) and the binary buffer', async () => {
    const stdin = '3\n1 2\n3 4\n5 6\n';
    const read = await run(
      py('import sys', 'data = sys.stdin.read().split()', 'print(sum(map(int, data[1:])))'),
      stdin,
    );
    expect(read.stdout).toBe('21\n');
    const lines = await run(
      py(
        'import sys',
        'n = int(sys.stdin.readline())',
        'for _ in range(n):',
        '    a, b = map(int, sys.stdin.readline().split())',
        '    print(a * b)',
      ),
      stdin,
    );
    expect(lines.stdout).toBe('2\n12\n30\n');
    const iterate = await run(py('import sys', 'print(len([line for line in sys.stdin]))'), stdin);
    expect(iterate.stdout).toBe('4\n');
    const fd0 = await run(py('print(open(0).read().count("\\n"))'), stdin);
    expect(fd0.stdout).toBe('4\n');
    const binary = await run(py('import sys', 'print(sys.stdin.buffer.read().split())'), 'x y\n');
    expect(binary.stdout).toBe("[b'x', b'y']\n");
  });

  it('reads past the end of stdin as EOF', async () => {
    const result = await run(py('print(input())', 'input()'), 'only\n');
    expect(result.status).toBe('runtime_error');
    expect(result.stdout).toBe('only\n');
    expect(result.stderr).toContain('EOFError');
  });

  it('keeps UTF-8 text intact both ways', async () => {
    const result = await run(py('s = input()', 'print(s[::-1], len(s))'), 'héllo wörld ✓ 𝄞\n');
    expect(result.stdout).toBe('𝄞 ✓ dlröw olléh 15\n');
  });

  it('runs atexit handlers after the program, as the interpreter does', async () => {
    const result = await run(py('import atexit', 'atexit.register(print, "bye")', 'print("main")'));
    expect(result.stdout).toBe('main\nbye\n');
  });
});

describe('PythonSandbox: how a program ends', () => {
  it('reports an uncaught exception as runtime_error with the traceback on stderr', async () => {
    const result = await run(py('print("before")', 'def f(n):', '    return 10 // n', 'f(0)'));
    expect(result).toMatchObject({ status: 'runtime_error', stdout: 'before\n', exitCode: 1 });
    expect(result.stderr).toMatch(/^Traceback \(most recent call last\):/);
    expect(result.stderr).toContain('File "<solution>", line 3, in f');
    expect(result.stderr).toContain('return 10 // n');
    expect(result.stderr).toContain('ZeroDivisionError: division by zero');
    expect(result.stderr).not.toContain('_gradus');
  });

  it('reports a syntax error as compile_error without running anything', async () => {
    const result = await run(py('print("never")', 'def f(:', '    pass'));
    expect(result).toMatchObject({ status: 'compile_error', stdout: '', exitCode: 1 });
    expect(result.stderr).toContain('File "<solution>", line 2');
    expect(result.stderr).toContain('SyntaxError: invalid syntax');
    const indentation = await run(py('if True:', 'print(1)'));
    expect(indentation.status).toBe('compile_error');
    expect(indentation.stderr).toContain('IndentationError');
  });

  it('treats exit(0), sys.exit() and SystemExit(None) as a normal end', async () => {
    for (const program of [
      'print(1)\nexit(0)',
      'import sys\nprint(1)\nsys.exit()',
      'print(1)\nraise SystemExit(None)',
    ]) {
      const result = await run(`${program}\nprint("unreachable")\n`);
      expect(result).toMatchObject({ status: 'ok', stdout: '1\n', exitCode: 0 });
    }
  });

  it('reports a non-zero exit status as runtime_error with that code', async () => {
    expect(await run('import sys\nsys.exit(3)')).toMatchObject({
      status: 'runtime_error',
      exitCode: 3,
      stderr: '',
    });
    const message = await run('import sys\nsys.exit("bad input")');
    expect(message).toMatchObject({ status: 'runtime_error', exitCode: 1, stderr: 'bad input\n' });
  });

  it('handles os._exit (the interpreter is replaced) and keeps what was flushed', async () => {
    const result = await run(
      py('import os, sys', 'print("flushed", flush=True)', 'print("buffered")', 'os._exit(4)'),
    );
    expect(result).toMatchObject({ status: 'runtime_error', exitCode: 4, stdout: 'flushed\n' });
    await expectAlive();
  });
});

describe('PythonSandbox: limits', () => {
  it('stops an infinite loop at the wall clock, then runs the next program', async () => {
    const boots = sandbox.boots;
    const result = await run('while True:\n    pass\n', '', { wallMs: 300 });
    expect(result.status).toBe('timeout');
    expect(result.exitCode).toBeUndefined();
    await expectAlive();
    expect(sandbox.boots).toBe(boots + 1);
  });

  it('stops a busy program at the CPU limit when it is below the wall limit', async () => {
    const result = await run('while True:\n    pass\n', '', { wallMs: 20_000, cpuMs: 300 });
    expect(result.status).toBe('timeout');
    await expectAlive();
  });

  it('keeps what a timed-out program printed', async () => {
    const result = await run(py('print("started", flush=True)', 'while True: pass'), '', { wallMs: 300 });
    expect(result).toMatchObject({ status: 'timeout', stdout: 'started\n' });
  });

  it('reports a growing list as memory_limit (a MemoryError), then runs the next program', async () => {
    const result = await run(py('x = []', 'while True:', '    x.append([0] * 1000)'), '', { memoryMb: 128 });
    expect(result).toMatchObject({ status: 'memory_limit', exitCode: 1 });
    expect(result.stderr).toContain('MemoryError');
    await expectAlive();
  });

  it('reports bytearray(10**9) as memory_limit, allows what fits, and reports the memory used', async () => {
    const big = await run('b = bytearray(10**9)');
    expect(big.status).toBe('memory_limit');
    expect(big.stderr).toMatch(/MemoryError\n$/);
    const fits = await run('b = bytearray(100 * 2**20)\nprint(len(b))', '', { memoryMb: 256 });
    expect(fits).toMatchObject({ status: 'ok', stdout: '104857600\n' });
    expect(fits.memory).toBeGreaterThan(100 * 2 ** 20);
    // A smaller cap than the memory the last run grew: the interpreter is replaced so the cap holds.
    const capped = await run('b = bytearray(100 * 2**20)', '', { memoryMb: 96 });
    expect(capped.status).toBe('memory_limit');
    await expectAlive();
  });

  it('stops an output flood at the output cap', async () => {
    const result = await run('while True:\n    print("x" * 99)\n', '', { outputBytes: 10_000 });
    expect(result.status).toBe('output_limit');
    expect(result.stdout.length + result.stderr.length).toBeLessThanOrEqual(10_000);
    expect(result.stdout.startsWith('x'.repeat(99))).toBe(true);
    await expectAlive();
  });

  it('reports output_limit even when the program swallows the write errors', async () => {
    const program = py(
      'while True:',
      '    try:',
      '        print("y" * 99)',
      '    except BaseException:',
      '        pass',
    );
    const result = await run(program, '', { outputBytes: 1000, wallMs: 500 });
    expect(result.status).toBe('output_limit');
    expect(result.stdout.length).toBeLessThanOrEqual(1000);
    await expectAlive();
  });

  it('allows recursion depth 5000 under the default limit of 10000', async () => {
    const result = await run(
      py('def depth(n):', '    return 0 if n == 0 else depth(n - 1) + 1', 'print(depth(5000))'),
    );
    expect(result).toMatchObject({ status: 'ok', stdout: '5000\n' });
  });

  it('turns infinite recursion into a RecursionError', async () => {
    const result = await run(py('def f(n):', '    return f(n + 1)', 'f(0)'));
    expect(result.status).toBe('runtime_error');
    expect(result.stderr).toContain('RecursionError: maximum recursion depth exceeded');
    const limited = await run(py('def f(n):', '    return 0 if n == 0 else f(n - 1)', 'f(500)'), '', {
      recursionDepth: 100,
    });
    expect(limited.stderr).toContain('RecursionError');
  });

  it('turns deep C-level recursion (lru_cache) into a RecursionError instead of killing the interpreter', async () => {
    const cached = (n: number) =>
      py(
        'import functools, sys',
        'sys.setrecursionlimit(10**6)',
        '@functools.lru_cache(None)',
        'def f(n):',
        '    return 0 if n == 0 else f(n - 1) + 1',
        `print(f(${n}))`,
      );
    expect(await run(cached(1000))).toMatchObject({ status: 'ok', stdout: '1000\n' });
    const boots = sandbox.boots;
    const deep = await run(cached(100_000));
    expect(deep.status).toBe('runtime_error');
    expect(deep.stderr).toContain('RecursionError');
    expect(sandbox.boots).toBe(boots);
    await expectAlive();
  });
});

describe('PythonSandbox: recursion in C code', () => {
  it('survives C recursion that outruns the stack check: runtime_error, and a fresh interpreter', async () => {
    const program = py('x = []', 'for _ in range(10**6):', '    x = [x]', 'print(len(repr(x)))');
    const result = await run(program, '', { memoryMb: 512 });
    expect(result).toMatchObject({ status: 'runtime_error', stdout: '' });
    expect(result.stderr).toContain('RecursionError');
    await expectAlive();
  });

  it('keeps the report of a deep json.dumps short', async () => {
    const program = py('import json', 'x = []', 'for _ in range(10**5):', '    x = [x]', 'json.dumps(x)');
    const result = await run(program);
    expect(result.status).toBe('runtime_error');
    expect(result.stderr).toContain('RecursionError');
    expect(result.stderr).toContain('notes omitted');
    expect(result.stderr.length).toBeLessThan(20_000);
  });
});

describe('PythonSandbox: runs', () => {
  it('queues concurrent runs and answers each one', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((n) => run(`print(${n} * ${n})`)));
    expect(results.map((r) => r.stdout)).toEqual(['1\n', '4\n', '9\n', '16\n']);
  });

  it('refuses runs once disposed', async () => {
    const { sandbox: other } = await startSandbox();
    other.dispose();
    await expect(other.run('print(1)', '', { wallMs: 1000, memoryMb: 64, outputBytes: 100 })).rejects.toThrow(
      /disposed/,
    );
  });
});
