import type { RunResult, RunStatus } from '../types.ts';
import type { RawRun } from './interpreter.ts';

/**
 * What a run means for the caller. An output flood is reported as `output_limit` whatever happened after
 * it; `exit(0)` / `SystemExit(None)` is a normal end; a non-zero exit status is a runtime error with that
 * code; a MemoryError nobody caught is `memory_limit`.
 */
export function toRunResult(raw: RawRun): RunResult {
  const { status, exitCode } = statusOf(raw);
  const result: RunResult = {
    status: raw.truncated ? 'output_limit' : status,
    stdout: raw.stdout,
    stderr: raw.stderr + note(raw),
    ms: raw.ms,
  };
  if (exitCode !== undefined) result.exitCode = exitCode;
  if (raw.heapBytes !== undefined) result.memory = raw.heapBytes;
  return result;
}

function statusOf(raw: RawRun): { status: RunStatus; exitCode?: number } {
  switch (raw.outcome) {
    case 'ok':
      return { status: 'ok', exitCode: 0 };
    case 'error':
      return { status: 'runtime_error', exitCode: 1 };
    case 'memory':
      return { status: 'memory_limit', exitCode: 1 };
    case 'compile':
      return { status: 'compile_error', exitCode: 1 };
    case 'fatal':
      return { status: 'runtime_error', exitCode: 1 };
    case 'timeout':
      return { status: 'timeout' };
    case 'js_memory':
      return { status: 'memory_limit' };
    case 'exit': {
      const code = raw.exitCode ?? 1;
      return { status: code === 0 ? 'ok' : 'runtime_error', exitCode: code };
    }
    default: {
      const code = Number(raw.outcome.slice('exit:'.length));
      return { status: code === 0 ? 'ok' : 'runtime_error', exitCode: code };
    }
  }
}

/** A line for stderr when the run ended outside Python, so the report says why. */
function note(raw: RawRun): string {
  if (raw.outcome === 'fatal') {
    const stack = /Maximum call stack size exceeded/.test(raw.error ?? '');
    return stack
      ? 'RecursionError: native stack overflow (the interpreter was restarted)\n'
      : `Fatal interpreter error (the interpreter was restarted): ${firstLine(raw.error)}\n`;
  }
  if (raw.outcome === 'js_memory') return 'MemoryError: the JavaScript heap of the sandbox is exhausted\n';
  return '';
}

function firstLine(text: string | undefined): string {
  return (text ?? 'unknown error').split('\n', 1)[0] ?? '';
}
