/**
 * The real reward server with the real sandboxes, for the security suites. The canary variable is set in
 * this process before the server (and its sandboxes) start, so a sandbox that could read the host's
 * environment would find it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type RunningServer, startServer } from '../../shared/api/node-server.ts';
import type { RunResult } from '../../shared/code/types.ts';
import { createNodeScorer } from '../../shared/reward/node-scorer.ts';
import type { RewardResult } from '../../shared/reward/schema.ts';

export const REPO = join(import.meta.dirname, '..', '..');

/** Sets the canary in this process's environment; call before the server starts. */
export function setCanary(): string {
  const canary = `canary-${randomUUID()}`;
  process.env.GRADUS_CANARY = canary;
  return canary;
}

/**
 * Text that exists only on the host: if any of it shows up in a program's output, the program read a host
 * file or the host's environment. The canary is added by the caller.
 */
export function hostMarkers(): string[] {
  const markers: string[] = [];
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { description: string };
  markers.push(pkg.description);
  // A line of a repo file that no program in the suites spells out.
  markers.push("include: ['test/**/*.test.ts'],");
  if (existsSync('/etc/passwd')) {
    const first = readFileSync('/etc/passwd', 'utf8').split('\n')[0] ?? '';
    if (first.length >= 10) markers.push(first);
  }
  const path = process.env.PATH ?? '';
  if (path.length >= 20) markers.push(path);
  const host = hostname();
  if (host.length >= 8 && !['localhost', 'sandbox'].includes(host)) markers.push(host);
  return markers;
}

/** One server per suite: a single sandbox per language, so consecutive runs share an interpreter. */
export async function startSecurityServer(): Promise<RunningServer> {
  const { scorer, runner } = createNodeScorer({ poolSize: 1, sandboxesPerLanguage: 1 });
  return startServer({ port: 0, scorer, runner });
}

/** Boots one interpreter per language, so the first timed case does not pay for it. */
export async function warmUpSandboxes(server: RunningServer): Promise<void> {
  for (const language of ['python', 'javascript'] as const) {
    const [r] = await codeRun(server, {
      language,
      program: language === 'python' ? 'print(1)' : 'console.log(1)',
    });
    expect(r?.status).toBe('ok');
  }
}

export function poster(server: () => RunningServer) {
  return async (path: string, body: unknown): Promise<Response> =>
    fetch(`${server().url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
}

export type Lang = 'python' | 'javascript' | 'typescript';

export interface CodeRun {
  language: Lang;
  program: string;
  inputs?: string[];
  timeLimitS?: number;
  memoryMb?: number;
}

/** POST /v1/code/run; every reply must be a 200 with one result per input. */
export async function codeRun(server: RunningServer, body: CodeRun): Promise<RunResult[]> {
  const res = await fetch(`${server.url}/v1/code/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  expect(res.status, text.slice(0, 500)).toBe(200);
  const { results } = JSON.parse(text) as { results: RunResult[] };
  expect(results).toHaveLength(body.inputs?.length ?? 1);
  return results;
}

/** POST /v1/reward with code items; a 200 with one result per item. */
export async function reward(server: RunningServer, items: unknown[]): Promise<RewardResult[]> {
  const res = await fetch(`${server.url}/v1/reward`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items }),
    signal: AbortSignal.timeout(90_000),
  });
  const text = await res.text();
  expect(res.status, text.slice(0, 500)).toBe(200);
  const { results } = JSON.parse(text) as { results: RewardResult[] };
  expect(results).toHaveLength(items.length);
  return results;
}

/** GET /healthz answers 200 {ok: true}; the timeout only guards against a hung server. */
export async function expectHealthy(server: RunningServer): Promise<void> {
  const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
}

/** A program in a Markdown fence, as a model would answer. */
export const fence = (lang: string, code: string): string =>
  `Here is my solution.\n\`\`\`${lang}\n${code}\n\`\`\``;

export const lines = (...l: string[]): string => `${l.join('\n')}\n`;

/**
 * Python that reaches the isolate's JavaScript without importing anything blocked: `JsException` (a
 * Pyodide FFI type still listed in `object.__subclasses__()`) builds a JS Error, whose
 * `constructor.constructor` is the isolate's `Function`. Binds `F` (that Function) or raises.
 */
export const PY_REACH_JS = lines(
  'import warnings',
  "warnings.simplefilter('ignore')",
  'def _gradus_find(name):',
  '    seen, todo = set(), [object]',
  '    while todo:',
  '        c = todo.pop()',
  '        try:',
  '            subs = type.__subclasses__(c)',
  '        except Exception:',
  '            continue',
  '        for s in subs:',
  '            if s not in seen:',
  '                seen.add(s)',
  '                todo.append(s)',
  '                if s.__name__ == name:',
  '                    return s',
  "    raise LookupError(name + ' is not reachable')",
  "F = _gradus_find('JsException')('Error', 'x').constructor.constructor",
);
