import { type ChildProcess, spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvalService } from '../../shared/eval/service.ts';
import type { EvalStatus } from '../../shared/eval/status.ts';
import { LocalJobRunner } from '../../shared/jobs/local.ts';
import { inlineScorer } from '../../shared/reward/score.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { ROOT } from '../eval/cli.ts';
import { BENCHMARK_DIR, kindOf, readRawProblems, responder } from '../eval/fixture.ts';
import { average } from '../eval/independent.ts';
import { startStandIn } from '../eval/stand-in-server.ts';

const aime = readRawProblems('aime24');
const K = 2;
const expectedAvg = average(
  aime.map(
    (p) => Array.from({ length: K }, (_, j) => kindOf(p.index, j) === 'correct').filter(Boolean).length / K,
  ),
);

let dir: string;
let server: ChildProcess;
let api: string;
let standIn: Awaited<ReturnType<typeof startStandIn>>;

/** Starts the reward server the way `npm start` does (node.ts with its defaults), on a free port. */
function startNpmStartServer(storage: string): Promise<string> {
  server = spawn(process.execPath, ['--no-node-snapshot', 'functions/reward/node.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      GRADUS_STORAGE: storage,
      GRADUS_BENCHMARKS: BENCHMARK_DIR,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout?.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    server.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-eval-api-'));
  standIn = await startStandIn({ respond: responder(aime) });
  api = await startNpmStartServer(join(dir, 'store'));
});
afterAll(async () => {
  server?.kill('SIGTERM');
  await standIn?.close();
  await rm(dir, { recursive: true, force: true });
});

async function poll(get: () => Promise<EvalStatus>, timeoutMs = 60_000): Promise<EvalStatus> {
  const t0 = Date.now();
  for (;;) {
    const status = await get();
    if (status.state === 'succeeded' || status.state === 'failed') return status;
    if (Date.now() - t0 > timeoutMs) throw new Error(`still ${status.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const post = (body: unknown) =>
  fetch(`${api}/v1/eval`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('POST /v1/eval and GET /v1/eval/{id} through npm start', () => {
  it('runs an evaluation in the server and reports progress, metrics and the stored files', async () => {
    const res = await post({
      benchmarks: [{ name: 'aime24' }],
      model: { baseUrl: standIn.url, model: 'stand-in-model' },
      k: K,
    });
    expect(res.status).toBe(202);
    const started = (await res.json()) as EvalStatus;
    expect(started.id).toMatch(/^ev-/);
    expect(started.mode).toBe('in-process');
    expect(['queued', 'running']).toContain(started.state);
    expect(started.progress.map((p) => p.benchmark)).toEqual(['aime24']);

    const done = await poll(
      async () => (await fetch(`${api}/v1/eval/${started.id}`)).json() as Promise<EvalStatus>,
    );
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(done.progress).toEqual([
      { benchmark: 'aime24', phase: 'done', done: aime.length * K, total: aime.length * K },
    ]);
    expect(done.summary?.[0]?.metrics.avg).toBeCloseTo(expectedAvg, 12);
    const resultsFile = join(dir, 'store', 'evals', started.id, 'results.json');
    expect(done.files?.results).toBe(`file://${resultsFile}`);
    const results = JSON.parse(await readFile(resultsFile, 'utf8'));
    expect(results.benchmarks[0].samples).toHaveLength(aime.length * K);
    await access(join(dir, 'store', 'evals', started.id, 'report.html'));
  });

  it('answers 400 naming the problem for a bad plan, and 404 for an unknown id', async () => {
    const unknown = await post({ benchmarks: [{ name: 'aime99' }], responses: '/dev/null' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      error: { code: 'VALIDATION_ERROR', message: expect.stringMatching(/unknown benchmark "aime99"/) },
    });
    const both = await post({ benchmarks: [{ name: 'aime24' }] });
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR', path: 'model' } });
    const outside = await post({
      benchmarks: [{ name: 'aime24', source: '/etc/hostname' }],
      responses: '/etc/passwd',
    });
    expect(outside.status).toBe(400);
    expect(await outside.json()).toMatchObject({
      error: {
        code: 'VALIDATION_ERROR',
        message: expect.stringMatching(/^\/etc\/hostname: local files are read only under/),
      },
    });
    const missing = await fetch(`${api}/v1/eval/ev-nosuchrun`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('documents the routes in /openapi.json', async () => {
    const doc = (await (await fetch(`${api}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/eval', '/v1/eval/{id}']));
  });
});

describe('large evaluations go to the job runner', () => {
  it('submits a job that runs `gradus eval job` and records its status and results in storage', async () => {
    const storage = new LocalStorage(join(dir, 'jobs-store'));
    const jobs = new LocalJobRunner({
      command: [process.execPath, '--no-node-snapshot', join(ROOT, 'functions/cli/gradus.ts'), 'eval', 'job'],
      logDir: join(dir, 'job-logs'),
      cwd: ROOT,
    });
    const service = createEvalService({
      storage,
      scorer: inlineScorer(),
      benchmarkDir: BENCHMARK_DIR,
      jobs,
      maxInProcessSamples: 10,
      jobEnv: { GRADUS_BENCHMARKS: BENCHMARK_DIR },
    });
    const started = await service.start({
      benchmarks: [{ name: 'aime24' }],
      model: { baseUrl: standIn.url, model: 'stand-in-model' },
      k: K,
      preset: 'paper',
      seed: 0,
    });
    expect(started.mode).toBe('job');
    const job = started.job?.id as string;
    await jobs.wait(job);
    const done = await poll(async () => (await service.get(started.id)) as EvalStatus);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('succeeded');
    expect(done.summary?.[0]?.metrics.avg).toBeCloseTo(expectedAvg, 12);
  });
});
