import type { Language, RunLimits, RunResult, RunStatus } from '../types.ts';

/**
 * Messages between a host and its sandbox child (JSON over the IPC channel). Everything the host reads
 * from the child is checked here before it is believed: a child is our own code, but it shares a
 * process with V8 isolates that untrusted programs can drive into states no test has seen.
 */

/** Host to child: one run. `id` pairs the reply with its run. */
export interface RunRequest {
  type: 'run';
  id: number;
  program: string;
  stdin: string;
  limits: RunLimits;
}

/**
 * Child to host. `lost`: isolates the child lost for good so far; `rss`: its resident set, in bytes. An
 * 'rss' message comes a moment after each run: isolated-vm frees a retired isolate on its own thread,
 * so the resident set right after the reply still counts memory on its way back.
 */
export type ChildMessage =
  | { type: 'ready'; rss: number }
  | { type: 'rss'; rss: number }
  | { type: 'result'; id: number; result: RunResult; lost: number; rss: number }
  | { type: 'failed'; id: number; message: string; lost: number; rss: number };

/** Characters of program plus stdin sent to a child; larger runs are refused, not sent. */
export const MAX_REQUEST_CHARS = 64 * 1024 * 1024;
/** Characters of an error message kept from a child. */
const MAX_MESSAGE_CHARS = 4096;

export const LANGUAGES: readonly Language[] = ['python', 'javascript', 'typescript'];
const STATUSES: readonly RunStatus[] = [
  'ok',
  'runtime_error',
  'compile_error',
  'timeout',
  'memory_limit',
  'output_limit',
];

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The child's message if it is one, else undefined. Output longer than the run's cap is cut to it. */
export function readChildMessage(message: unknown, outputBytes: number): ChildMessage | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const m = message as Record<string, unknown>;
  if (m.type === 'ready' || m.type === 'rss')
    return isCount(m.rss) ? { type: m.type, rss: m.rss } : undefined;
  if (!isCount(m.id) || !isCount(m.lost) || !isCount(m.rss)) return undefined;
  if (m.type === 'failed') {
    const text = typeof m.message === 'string' ? m.message.slice(0, MAX_MESSAGE_CHARS) : 'unknown error';
    return { type: 'failed', id: m.id, message: text, lost: m.lost, rss: m.rss };
  }
  if (m.type !== 'result') return undefined;
  const result = readResult(m.result, outputBytes);
  return result && { type: 'result', id: m.id, result, lost: m.lost, rss: m.rss };
}

function readResult(value: unknown, outputBytes: number): RunResult | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const r = value as Record<string, unknown>;
  if (!STATUSES.includes(r.status as RunStatus)) return undefined;
  if (typeof r.stdout !== 'string' || typeof r.stderr !== 'string' || !isCount(r.ms)) return undefined;
  // A UTF-8 byte is at least one UTF-16 unit, so a run within its cap never has more characters than this.
  const cap = outputBytes + MAX_MESSAGE_CHARS;
  const result: RunResult = {
    status: r.status as RunStatus,
    stdout: r.stdout.slice(0, cap),
    stderr: r.stderr.slice(0, cap),
    ms: r.ms,
  };
  if (typeof r.exitCode === 'number' && Number.isInteger(r.exitCode)) result.exitCode = r.exitCode;
  if (isCount(r.memory)) result.memory = r.memory;
  return result;
}
