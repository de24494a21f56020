import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalFiles, evalPrefix } from '../../shared/eval/prefix.ts';
import { createEvalService, type EvalJobRunner } from '../../shared/eval/service.ts';
import { runEvalJobFromEnv } from '../../shared/jobs/eval-job.ts';
import { createScorer } from '../../shared/reward/compose.ts';
import { LocalStorage } from '../../shared/storage/local.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let benchmarks: string;
let responses: string;

// Two made-up AIME-style problems, the first answered right and the second wrong: avg 0.5.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-one-job-'));
  benchmarks = join(dir, 'benchmarks');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(benchmarks, { recursive: true });
  const rows = [
    { id: 'p1', problem: 'What is 2+3?', answer: '5' },
    { id: 'p2', problem: 'What is 4+4?', answer: '8' },
  ];
  await writeFile(join(benchmarks, 'aime24.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  responses = join(benchmarks, 'responses.jsonl');
  const answers = [
    { problem_id: 'p1', response: 'So \\boxed{5}.' },
    { problem_id: 'p2', response: 'So \\boxed{9}.' },
  ];
  await writeFile(responses, answers.map((r) => JSON.stringify(r)).join('\n'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A job runner that records what it was asked to run and runs nothing. */
function recordingRunner() {
  const specs: { name: string; env: Record<string, string> }[] = [];
  const runner: EvalJobRunner = {
    async submit(spec) {
      specs.push(spec);
      return { id: `job-${specs.length}`, logUrl: `/logs/${spec.name}.log` };
    },
    async describe() {
      return { state: 'running' };
    },
  };
  return { runner, specs };
}

describe('one eval job for POST /v1/eval, the checkpoint trigger and the CLI', () => {
  it('a job the API submits names only its storage and prefix, and `gradus eval job` runs it there', async () => {
    const storage = new LocalStorage(join(dir, 'api'));
    const { runner, specs } = recordingRunner();
    const service = createEvalService({
      storage,
      scorer: createScorer(),
      benchmarkDir: benchmarks,
      jobs: runner,
      maxInProcessSamples: 0,
    });
    // A job-mode evaluation needs a model; the stored plan is then rewritten to score responses instead,
    // so the job runs here without an endpoint.
    const started = await service.start({
      benchmarks: [{ name: 'aime24' }],
      model: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' },
      k: 1,
    });
    expect(started).toMatchObject({ mode: 'job', job: { id: 'job-1' } });
    expect(started.job?.log_url).toBe(`/logs/gradus-eval-${started.id}.log`);
    expect(Object.keys(started)).toEqual(expect.arrayContaining(['created_at', 'updated_at']));
    expect(Object.keys(started)).not.toEqual(expect.arrayContaining(['created']));
    const env = specs[0]?.env ?? {};
    expect(env).toMatchObject({
      GRADUS_JOB_KIND: 'eval',
      GRADUS_STORAGE_URL: storage.url,
      GRADUS_EVAL_PREFIX: `evals/${started.id}/`,
    });
    expect(Object.keys(env).filter((k) => k === 'GRADUS_STORAGE' || k === 'GRADUS_EVAL_ID')).toEqual([]);

    const files = evalFiles(evalPrefix(started.id));
    const plan = JSON.parse((await storage.getText(files.plan)) as string);
    await storage.put(files.plan, JSON.stringify({ ...plan, model: undefined, responses }));
    const outcome = await runEvalJobFromEnv({ ...env, GRADUS_BENCHMARKS: benchmarks }, createScorer());
    expect(outcome).toEqual({ prefix: `evals/${started.id}/`, state: 'succeeded', reason: undefined });
    const done = await service.get(started.id);
    expect(done).toMatchObject({ state: 'succeeded', job: { id: 'job-1' } });
    expect(done?.summary?.[0]?.metrics.avg).toBe(0.5);
    expect(done?.files?.results).toBe(`${storage.url}/${files.results}`);
    expect(await readdir(join(dir, 'api', 'evals', started.id))).toEqual(
      expect.arrayContaining(['plan.json', 'status.json', 'results.json', 'report.md', 'report.html']),
    );
  });

  it('reads the names jobs had before (GRADUS_STORAGE, GRADUS_EVAL_ID) for one release', async () => {
    const storage = new LocalStorage(join(dir, 'old-names'));
    const id = 'ev-old-names-1';
    const files = evalFiles(evalPrefix(id));
    await storage.put(files.plan, JSON.stringify({ benchmarks: [{ name: 'aime24' }], responses }));
    const old = { GRADUS_STORAGE: storage.url, GRADUS_EVAL_ID: id, GRADUS_BENCHMARKS: benchmarks };
    const outcome = await runEvalJobFromEnv(old, createScorer());
    expect(outcome).toMatchObject({ prefix: `evals/${id}/`, state: 'succeeded' });
  });

  it('answers a status stored before the wire went snake_case in the current shape', async () => {
    const storage = new LocalStorage(join(dir, 'legacy'));
    const id = 'ev-legacy-01';
    const at = '2026-01-01T00:00:00.000Z';
    const legacy = {
      id,
      state: 'running',
      mode: 'job',
      created: at,
      updated: at,
      progress: [],
      job: { id: 'j1', logUrl: '/logs/j1.log' },
    };
    await storage.put(evalFiles(evalPrefix(id)).status, JSON.stringify(legacy));
    const service = createEvalService({ storage, scorer: createScorer(), benchmarkDir: benchmarks });
    expect(await service.get(id)).toEqual({
      id,
      state: 'running',
      mode: 'job',
      created_at: at,
      updated_at: at,
      progress: [],
      job: { id: 'j1', log_url: '/logs/j1.log' },
    });
  });

  it('a stored status that is not one is an error naming the file, not a cast', async () => {
    const storage = new LocalStorage(join(dir, 'broken'));
    const id = 'ev-broken-01';
    await storage.put(evalFiles(evalPrefix(id)).status, JSON.stringify({ id, state: 'exploded' }));
    const service = createEvalService({ storage, scorer: createScorer(), benchmarkDir: benchmarks });
    await expect(service.get(id)).rejects.toThrow(`evals/${id}/status.json`);
  });

  it('refuses a prefix that is neither an evaluation nor a checkpoint evaluation folder', async () => {
    const env = { GRADUS_STORAGE_URL: join(dir, 'x'), GRADUS_EVAL_PREFIX: 'runs/r1/stages/1/checkpoints/3/' };
    await expect(runEvalJobFromEnv(env, createScorer())).rejects.toThrow(/GRADUS_EVAL_PREFIX.*neither/);
    await expect(runEvalJobFromEnv({ GRADUS_STORAGE_URL: 's3://b' }, createScorer())).rejects.toThrow(
      /GRADUS_EVAL_PREFIX/,
    );
  });
});

describe('eval/ does not build on jobs/ (jobs/ builds on eval/)', () => {
  it('no module under shared/eval imports from shared/jobs', async () => {
    const found: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
        const path = `${rel}/${entry.name}`;
        if (entry.isDirectory()) await walk(path);
        else if (
          entry.name.endsWith('.ts') &&
          /from '(\.\.\/)+jobs\//.test(await readFile(join(root, path), 'utf8'))
        )
          found.push(path);
      }
    };
    await walk('shared/eval');
    expect(found).toEqual([]);
  });
});
