/**
 * A JavaScript runtime error's verdict names the error (issue 11): the report on stderr is the error's
 * `Name: message` and the program's frames, without the runtime's own (`node:internal/gradus-runtime`),
 * and the judge's reason starts with that name and message, wherever the error was thrown from.
 */
import { describe, expect, it } from 'vitest';
import { withoutRuntimeFrames } from '../../../shared/code/javascript/runtime/stack.ts';
import { judgeRun } from '../../../shared/code/judge.ts';
import type { RunResult } from '../../../shared/code/types.ts';
import { useSandbox } from './helpers.ts';

const TEST = { kind: 'stdio' as const, input: 'x\n', output: 'ok' };
const reasonOf = (result: RunResult) =>
  judgeRun(TEST, result, 'gradus0123456789abcdef0123456789abcdef', { floatTolerance: 1e-6 }).reason;

describe('runtime errors of JavaScript programs', () => {
  const { run } = useSandbox();

  it.each([
    [
      'the main script',
      'new WebAssembly.Module(new Uint8Array(8));',
      'ReferenceError: WebAssembly is not defined',
    ],
    [
      'a nested call',
      'function f(n) { if (n === 0) return null.x; return f(n - 1); }\nf(3);',
      "TypeError: Cannot read properties of null (reading 'x')",
    ],
    ['a timer callback', 'setTimeout(() => { throw new TypeError("late"); }, 0);', 'TypeError: late'],
    [
      'a readline handler',
      'require("readline").createInterface({ input: process.stdin }).on("line", (l) => undefinedFn(l));',
      'ReferenceError: undefinedFn is not defined',
    ],
    ['an unhandled rejection', 'Promise.reject(new RangeError("rejected"));', 'RangeError: rejected'],
    [
      'an error class of its own',
      'class MyError extends Error { name = "MyError"; }\nthrow new MyError("custom");',
      'MyError: custom',
    ],
  ])('names the error thrown in %s, then its frames in the program', async (_where, program, message) => {
    const result = await run(program, 'x\n');
    expect(result.status).toBe('runtime_error');
    expect(result.stderr.startsWith(`${message}\n    at `)).toBe(true);
    expect(result.stderr).not.toContain('gradus-runtime');
    expect(result.stderr).toMatch(/\n {4}at .*\/sandbox\/main\.js:\d+:\d+\)?\n$/);
    const reason = reasonOf(result);
    expect(reason?.startsWith(`runtime error: ${message} at `)).toBe(true);
    expect(reason).toContain('/sandbox/main.js');
  });

  it('keeps a multi-line message whole, and a message printed after other stderr output', async () => {
    const result = await run('console.error("warn");\nthrow new Error("first\\nsecond");');
    expect(result.stderr).toMatch(/^warn\nError: first\nsecond\n {4}at /);
    expect(reasonOf(result)).toMatch(/^runtime error: Error: first second at .*\/sandbox\/main\.js/);
  });

  it('leaves the stack the program itself reads as V8 made it', async () => {
    const result = await run(
      'setTimeout(() => console.log(new Error("x").stack.includes("gradus-runtime")), 0);',
    );
    expect(result).toMatchObject({ status: 'ok', stdout: 'true\n' });
  });
});

describe('withoutRuntimeFrames', () => {
  it('drops only frame lines located in the runtime, in one pass', () => {
    const stack =
      'Error: at node:internal/gradus-runtime:1 in the message\n' +
      '    at f (/sandbox/main.js:1:2)\n' +
      '    at step (node:internal/gradus-runtime:2300:15)\n' +
      '    at node:internal/gradus-runtime:12:3\n' +
      '    at g (/sandbox/main.js:3:4)\n' +
      '    at drive (node:internal/gradus-runtime:2320:16)';
    expect(withoutRuntimeFrames(stack)).toBe(
      'Error: at node:internal/gradus-runtime:1 in the message\n' +
        '    at f (/sandbox/main.js:1:2)\n' +
        '    at g (/sandbox/main.js:3:4)',
    );
    expect(withoutRuntimeFrames(`${stack}\n`).endsWith('main.js:3:4)\n')).toBe(true);
    const long = `E: m\n${'    at f (/sandbox/main.js:1:2)\n'.repeat(100_000)}    at drive (node:internal/gradus-runtime:1:1)\n`;
    const started = performance.now();
    expect(withoutRuntimeFrames(long)).toBe(`E: m\n${'    at f (/sandbox/main.js:1:2)\n'.repeat(100_000)}`);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
