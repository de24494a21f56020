/**
 * The reward server survives every hostile request family of bench/soak/requests.ts (issue 12): JavaScript
 * that V8 cannot stop or that loses its isolate, deep values, quadratic judge inputs, limits in the data
 * above the server's, invalid bodies. Run as `npm start` runs it, in a child process this test can kill,
 * since before the fixes such requests crashed the server, froze its event loop, or left it holding lost
 * isolates until it deadlocked or ignored SIGTERM. The per-run ceiling is lowered (as an operator may) so
 * that the family that asks for 600 s per test costs seconds here.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../../bench/server-process.ts';
import { sampleTree } from '../../bench/soak/process-tree.ts';
import {
  honestJavaScript,
  honestMath,
  honestPython,
  hostileRequests,
  type SoakRequest,
} from '../../bench/soak/requests.ts';

let server: ChildProcess;
let url: string;

async function startServer(): Promise<void> {
  const started = await startServerProcess({ GRADUS_CODE_MAX_RUN_S: '3', GRADUS_CODE_MAX_ITEM_S: '20' });
  server = started.child;
  url = started.url;
}

async function send(request: SoakRequest, timeoutMs: number): Promise<{ status: number; reply: unknown }> {
  const res = await fetch(url + request.path, {
    method: 'POST',
    headers: { 'content-type': request.contentType ?? 'application/json' },
    body: request.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let reply: unknown = text;
  try {
    reply = JSON.parse(text);
  } catch {}
  return { status: res.status, reply };
}

/** An honest request's verdicts, checked, within `timeoutMs`. */
async function expectScored(request: SoakRequest, timeoutMs: number): Promise<void> {
  const { status, reply } = await send(request, timeoutMs);
  expect(request.check?.(status, reply) ?? null, request.name).toBeNull();
}

/** RSS of the server and its children together, in MiB, and the server's own threads. */
function sample(): { rssMb: number; threads: number } {
  const pid = server.pid as number;
  const all = sampleTree(pid);
  const own = readFileSync(`/proc/${pid}/status`, 'utf8');
  const threads = Number(/^Threads:\s+(\d+)/m.exec(own)?.[1]);
  return { rssMb: all?.rssMb ?? Number.NaN, threads };
}

const JS_FAMILIES = hostileRequests.filter((r) => r.name.startsWith('JS '));
const MEMORY_HOGS = JS_FAMILIES.filter((r) => r.name.startsWith('JS memory hog'));

describe('a server sent hostile requests', () => {
  beforeAll(async () => {
    await startServer();
    // Warm every kind of sandbox, so what is measured below is growth, not start-up.
    for (const honest of [honestMath, honestPython, honestJavaScript]) await expectScored(honest, 120_000);
  }, 180_000);

  afterAll(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });

  it('has the families to send', () => {
    expect(JS_FAMILIES.length).toBeGreaterThanOrEqual(12);
    expect(MEMORY_HOGS.length).toBeGreaterThanOrEqual(5);
  });

  it('answers /healthz within 5 s and scores honest items within 10 s after each hostile request', async () => {
    for (const hostile of hostileRequests) {
      const { status } = await send(hostile, 60_000);
      expect(status, hostile.name).toBeLessThan(500);
      const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
      expect(health.status, `/healthz after ${hostile.name}`).toBe(200);
      for (const honest of [honestMath, honestPython, honestJavaScript]) await expectScored(honest, 10_000);
    }
  }, 600_000);

  it('gives back the memory and threads of ten memory-hog runs', async () => {
    const before = sample();
    for (let i = 0; i < 10; i++) {
      const { status } = await send(MEMORY_HOGS[i % MEMORY_HOGS.length] as SoakRequest, 30_000);
      expect(status).toBeLessThan(500);
    }
    // A replaced child is started in the background; let it settle before measuring.
    await expectScored(honestJavaScript, 30_000);
    const after = sample();
    expect(after.rssMb - before.rssMb).toBeLessThan(300);
    expect(after.threads).toBeLessThanOrEqual(before.threads);
  }, 600_000);

  it('exits promptly on SIGTERM after all that', async () => {
    const exited = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      server.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    server.kill('SIGTERM');
    expect(await exited).toBe(true);
  }, 20_000);
});
