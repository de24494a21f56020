import type { RunResult, RunStatus } from '../types.ts';
import { CRASHED, MEMORY_LIMIT, OUTPUT_LIMIT, type Outcome } from './runtime/protocol.ts';

/** How the host saw a run end, before the runtime's own outcome is taken into account. */
export type Ending =
  | 'finished'
  /** isolated-vm's timeout, the CPU budget, or an isolate that failed to stop (wedged). */
  | 'timeout'
  /** The isolate was disposed for its memory limit, or V8 ran out of memory (a catastrophic error). */
  | 'memory';

export interface Observed {
  ending: Ending;
  /** The runtime's final state; missing when the isolate died with the run. */
  outcome?: Outcome;
  ms: number;
  memory?: number;
}

/** The RunResult of a run from what the host observed and what the runtime reported. */
export function toResult({ ending, outcome, ms, memory }: Observed, outputBytes: number): RunResult {
  const [rawStdout, rawStderr, exitCode, flags] = outcome ?? ['', '', 1, 0];
  const capped = capOutput(String(rawStdout), String(rawStderr), outputBytes);
  let status: RunStatus;
  if ((flags & OUTPUT_LIMIT) !== 0 || capped.truncated) status = 'output_limit';
  else if (ending === 'memory' || (flags & MEMORY_LIMIT) !== 0) status = 'memory_limit';
  else if (ending === 'timeout') status = 'timeout';
  else if ((flags & CRASHED) !== 0 || exitCode !== 0) status = 'runtime_error';
  else status = 'ok';
  const code =
    status === 'ok'
      ? 0
      : status === 'runtime_error' && Number.isInteger(exitCode) && exitCode !== 0
        ? exitCode
        : 1;
  return {
    status,
    stdout: capped.stdout,
    stderr: capped.stderr,
    exitCode: code,
    ms,
    ...(memory === undefined ? {} : { memory }),
  };
}

export function compileErrorResult(stderr: string, ms: number, outputBytes: number): RunResult {
  const capped = capOutput('', stderr, outputBytes);
  return { status: 'compile_error', stdout: '', stderr: capped.stderr, exitCode: 1, ms };
}

/**
 * The runtime enforces the cap inside the isolate; the host checks again, so a program that broke the
 * runtime's accounting still cannot hand out more than `outputBytes`.
 */
function capOutput(stdout: string, stderr: string, outputBytes: number) {
  const outBytes = Buffer.byteLength(stdout);
  const errBytes = Buffer.byteLength(stderr);
  if (outBytes + errBytes <= outputBytes) return { stdout, stderr, truncated: false };
  const keptOut = Math.min(outBytes, outputBytes);
  return {
    stdout: truncateUtf8(stdout, keptOut),
    stderr: truncateUtf8(stderr, outputBytes - keptOut),
    truncated: true,
  };
}

function truncateUtf8(text: string, bytes: number): string {
  // Decoding drops a multi-byte character cut in half as U+FFFD; strip that replacement.
  return Buffer.from(text)
    .subarray(0, bytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}
