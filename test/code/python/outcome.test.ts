import { describe, expect, it } from 'vitest';
import type { RawRun } from '../../../shared/code/python/interpreter.ts';
import { toRunResult } from '../../../shared/code/python/outcome.ts';

const raw = (overrides: Partial<RawRun>): RawRun => ({
  outcome: 'ok',
  stdout: '',
  stderr: '',
  truncated: false,
  dead: false,
  ms: 1,
  ...overrides,
});

describe('toRunResult', () => {
  it('maps normal ends and exit statuses', () => {
    expect(toRunResult(raw({ outcome: 'ok', heapBytes: 7 }))).toMatchObject({
      status: 'ok',
      exitCode: 0,
      memory: 7,
    });
    expect(toRunResult(raw({ outcome: 'exit:0' }))).toMatchObject({ status: 'ok', exitCode: 0 });
    expect(toRunResult(raw({ outcome: 'exit:3' }))).toMatchObject({ status: 'runtime_error', exitCode: 3 });
    expect(toRunResult(raw({ outcome: 'exit', exitCode: 0 }))).toMatchObject({ status: 'ok', exitCode: 0 });
    expect(toRunResult(raw({ outcome: 'exit', exitCode: 9 }))).toMatchObject({
      status: 'runtime_error',
      exitCode: 9,
    });
  });

  it('maps errors, memory and compile failures', () => {
    expect(toRunResult(raw({ outcome: 'error' }))).toMatchObject({ status: 'runtime_error', exitCode: 1 });
    expect(toRunResult(raw({ outcome: 'memory' }))).toMatchObject({ status: 'memory_limit', exitCode: 1 });
    expect(toRunResult(raw({ outcome: 'compile' }))).toMatchObject({ status: 'compile_error', exitCode: 1 });
    expect(toRunResult(raw({ outcome: 'js_memory' })).status).toBe('memory_limit');
  });

  it('reports a timeout without an exit code', () => {
    const result = toRunResult(raw({ outcome: 'timeout', stdout: 'partial' }));
    expect(result).toMatchObject({ status: 'timeout', stdout: 'partial' });
    expect(result.exitCode).toBeUndefined();
  });

  it('reports an output flood as output_limit whatever happened next', () => {
    for (const outcome of ['ok', 'error', 'timeout'] as const) {
      expect(toRunResult(raw({ outcome, truncated: true })).status).toBe('output_limit');
    }
  });

  it('explains a fatal interpreter error on stderr, as a RecursionError when V8 ran out of stack', () => {
    const stack = toRunResult(
      raw({ outcome: 'fatal', error: 'RangeError: Maximum call stack size exceeded' }),
    );
    expect(stack.status).toBe('runtime_error');
    expect(stack.stderr).toContain('RecursionError');
    const other = toRunResult(raw({ outcome: 'fatal', stderr: 'x\n', error: 'Error: boom\n  at somewhere' }));
    expect(other.stderr).toBe('x\nFatal interpreter error (the interpreter was restarted): Error: boom\n');
  });
});
