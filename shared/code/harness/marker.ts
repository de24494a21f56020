/**
 * The result line of a call test (`<nonce>{"ok":true,"result":<json>}`) or of a script test's replay run
 * (`<nonce>{"ok":true}`), on a line of its own, written by the harness only after the call returned or
 * the test finished. The nonce is fresh per run and comes on stdin, which the harness reads before any
 * program code runs. A replay run has no program code in it; in a call run, a program that found the
 * nonce (by walking frames) can only write a result of its choice, as it could by returning it.
 */
import { parseJsonExact } from '../test-formats/json.ts';

/** 128 random bits from the platform's CSPRNG, as `gradus` + 32 hex digits. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `gradus${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export type Marker = { ok: true; hasResult: false } | { ok: true; hasResult: true; result: unknown };

/**
 * The marker in a run's stdout: the last line starting with the nonce, its rest parsed as JSON (integers
 * exact). null when there is none or it is not exactly `{"ok":true}` / `{"ok":true,"result":...}`.
 */
export function readMarker(stdout: string, nonce: string): Marker | null {
  if (nonce.length < 16) return null;
  const at = stdout.lastIndexOf(`\n${nonce}`);
  const start = at >= 0 ? at + 1 : stdout.startsWith(nonce) ? 0 : -1;
  if (start < 0) return null;
  const end = stdout.indexOf('\n', start);
  const line = stdout.slice(start + nonce.length, end < 0 ? stdout.length : end).replace(/\r$/, '');
  let payload: unknown;
  try {
    payload = parseJsonExact(line);
  } catch {
    return null;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const keys = Object.keys(payload);
  const fields = payload as Record<string, unknown>;
  if (fields.ok !== true || keys.some((k) => k !== 'ok' && k !== 'result')) return null;
  return 'result' in fields
    ? { ok: true, hasResult: true, result: fields.result }
    : { ok: true, hasResult: false };
}
