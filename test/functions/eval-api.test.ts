import { type ChildProcess, spawn } from 'node:child_process';
import { access, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvalService } from '../../shared/eval/service.ts';
import type { EvalStatus } from '../../shared/eval/status.ts';
import { LocalJobRunner } from '../../shared/jobs/local.ts';
import { createScorer } from '../../shared/reward/compose.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { ROOT } from '../eval/cli.ts';
import { BENCHMARK_DIR, kindOf, readRawProblems, responder } from '../eval/fixture.ts';
import { average } from '../eval/independent.ts';
import { startSourceServer } from '../eval/source-server.ts';
import { startStandIn } from '../eval/stand-in-server.ts';
import { needData } from '../helpers/data.ts';

const BENCHMARKS = needData(
  'the evaluations of AIME24 through the API (the refusals still run)',
  'benchmarks',
);
const noBenchmarks = !BENCHMARKS.has();
const aime = noBenchmarks ? [] : readRawProblems('aime24');
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
function startServer(
  storage: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--no-node-snapshot', 'functions/reward/node.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      GRADUS_STORAGE: storage,
      GRADUS_BENCHMARKS: BENCHMARK_DIR,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
}

async function startNpmStartServer(storage: string): Promise<string> {
  const started = await startServer(storage);
  server = started.child;
  return started.url;
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

const post = (body: unknown, base = api) =>
  fetch(`${base}/v1/eval`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('POST /v1/eval and GET /v1/eval/{id} through npm start', () => {
  it.skipIf(noBenchmarks)(
    'runs an evaluation in the server and reports progress, metrics and the stored files',
    async () => {
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
    },
  );

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
    const doc = (await (await fetch(`${api}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties: Record<string, { properties?: object }> }> };
    };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/eval', '/v1/eval/{id}']));
    // The status is snake_case like the rest of the wire.
    const status = doc.components.schemas.EvalStatus?.properties ?? {};
    expect(Object.keys(status)).toEqual(expect.arrayContaining(['created_at', 'updated_at']));
    expect(Object.keys(status)).not.toEqual(expect.arrayContaining(['created']));
    expect(Object.keys(status.job?.properties ?? {})).toEqual(['id', 'state', 'log_url']);
  });
});

describe.skipIf(noBenchmarks)('large evaluations go to the job runner', () => {
  it('submits a job that runs `gradus eval job` and records its status and results in storage', async () => {
    const storage = new LocalStorage(join(dir, 'jobs-store'));
    const jobs = new LocalJobRunner({
      command: [process.execPath, '--no-node-snapshot', join(ROOT, 'functions/cli/gradus.ts'), 'eval', 'job'],
      logDir: join(dir, 'job-logs'),
      cwd: ROOT,
    });
    const service = createEvalService({
      storage,
      scorer: createScorer(),
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

describe('what a plan may reach through the API', () => {
  const plan = (extra: Record<string, unknown>) => ({ benchmarks: [{ name: 'aime24' }], k: K, ...extra });
  const model = (baseUrl: string, more: Record<string, unknown> = {}) => ({
    model: { baseUrl, model: 'stand-in-model', ...more },
  });
  const refusal = async (res: Response, message: RegExp) => {
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'VALIDATION_ERROR', message: expect.stringMatching(message) },
    });
  };

  it('by default: no http(s) or foreign s3 source, no endpoint but loopback, no concurrency over 64', async () => {
    const remote = await post({
      benchmarks: [{ name: 'aime24', source: `${standIn.url}/aime24.jsonl` }],
      responses: '/x',
    });
    await refusal(
      remote,
      /^source "http:\/\/127\.0\.0\.1:\d+\/v1\/aime24\.jsonl" is not allowed on this server; its operator allows: none \(GRADUS_EVAL_ALLOWED_SOURCES\)/,
    );
    const s3 = await post(
      plan({ benchmarks: [{ name: 'aime24', source: 's3://bucket/aime24.jsonl' }], responses: '/x' }),
    );
    await refusal(s3, /s3:\/\/bucket\/aime24\.jsonl" is not allowed on this server/);
    const endpoint = await post(plan(model('http://10.1.2.3:8000/v1')));
    await refusal(
      endpoint,
      /^model\.baseUrl "http:\/\/10\.1\.2\.3:8000\/v1" is not allowed.*allows: loopback \(GRADUS_EVAL_ALLOWED_BASE_URLS\)/,
    );
    const wide = await post(plan({ ...model(standIn.url), concurrency: 1024 }));
    await refusal(
      wide,
      /^concurrency: 1024 is over this server's maximum of 64 \(GRADUS_EVAL_MAX_CONCURRENCY\)/,
    );
  });

  it.each([
    ['S3://bucket/aime24.jsonl', /lower case: s3:\/\//],
    ['s3://bucket/../aime24.jsonl', /"\.\." segments are not allowed/],
    ['s3:///aime24.jsonl', /no bucket/],
    ['s3://bucket/', /no object key/],
    ['s3:bucket/aime24.jsonl', /not a usable URL/],
  ])('a bad s3 source %s is a 400 that says what is wrong', async (source, message) => {
    await refusal(await post({ benchmarks: [{ name: 'aime24', source }], responses: '/x' }), message);
    await refusal(await post({ benchmarks: [{ name: 'aime24' }], responses: source }), message);
  });

  it.skipIf(noBenchmarks)('sends the API key to the endpoint but never writes it to storage', async () => {
    const secret = 'sk-do-not-store-0123456789';
    const res = await post(plan(model(standIn.url, { apiKey: secret })));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as EvalStatus;
    const done = await poll(async () => (await fetch(`${api}/v1/eval/${id}`)).json() as Promise<EvalStatus>);
    expect(done.state).toBe('succeeded');
    expect(standIn.requests.some((r) => r.authorization === `Bearer ${secret}`)).toBe(true);
    const evalDir = join(dir, 'store', 'evals', id);
    const stored = JSON.parse(await readFile(join(evalDir, 'plan.json'), 'utf8'));
    expect(stored.model).toEqual({
      baseUrl: standIn.url,
      model: 'stand-in-model',
      promptMode: 'chat',
      requestMode: 'n',
    });
    for (const file of await readdir(evalDir, { recursive: true })) {
      const path = join(evalDir, file);
      if ((await stat(path)).isFile()) expect(await readFile(path, 'utf8'), file).not.toContain(secret);
    }
  });

  describe('with an operator allow-list (a second npm start)', () => {
    let src: Awaited<ReturnType<typeof startSourceServer>>;
    let open: { child: ChildProcess; url: string };
    beforeAll(async () => {
      src = await startSourceServer();
      open = await startServer(join(dir, 'open-store'), {
        GRADUS_EVAL_ALLOWED_SOURCES: `${src.url}/public/`,
        GRADUS_EVAL_MAX_SOURCE_BYTES: String(1024 ** 2),
      });
    });
    afterAll(async () => {
      open?.child.kill('SIGKILL');
      await src?.close();
    });
    const responses = join(BENCHMARK_DIR, 'aime24.jsonl');

    it.skipIf(noBenchmarks)(
      'reads an allowed source, also through a redirect that stays inside the list',
      async () => {
        const source = `${src.url}/public/redirect?to=/public/aime24.jsonl`;
        const res = await post(
          plan({ benchmarks: [{ name: 'aime24', source }], ...model(standIn.url) }),
          open.url,
        );
        expect(res.status).toBe(202);
      },
    );

    it('refuses a redirect out of the list, a body over the cap and a Parquet bomb with a 400, and lives on', async () => {
      const outside = `${src.url}/public/redirect?to=/private/aime24.jsonl`;
      await refusal(
        await post({ benchmarks: [{ name: 'aime24', source: outside }], responses }, open.url),
        /redirected to http:\/\/127\.0\.0\.1:\d+\/private\/aime24\.jsonl, which is not an allowed source/,
      );
      const endless = `${src.url}/public/endless.jsonl`;
      await refusal(
        await post({ benchmarks: [{ name: 'aime24', source: endless }], responses }, open.url),
        /endless\.jsonl: larger than 1048576 bytes/,
      );
      expect(src.endlessBytesSent()).toBeLessThan(64 * 1024 ** 2);
      // ~100 bytes whose row group claims 60M rows: decoding it aborted the server ("heap out of memory").
      const bomb = `${src.url}/public/hostile.parquet`;
      await refusal(
        await post({ benchmarks: [{ name: 'aime24', source: bomb }], responses }, open.url),
        /hostile\.parquet: row group 1 of 1 claims 60000000 rows; the limit is 1000000 per row group/,
      );
      expect(open.child.exitCode).toBeNull();
      expect((await fetch(`${open.url}/healthz`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    });
  });
});
