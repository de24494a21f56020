import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findJson, getJson } from '../io/get-json.ts';
import type { RewardScorer } from '../reward/score.ts';
import type { Storage } from '../storage/types.ts';
import { accessFromEnv, type EvalAccess } from './access.ts';
import type { SourceOptions } from './load.ts';
import { EvalPlan } from './plan.ts';
import { type EvalFiles, evalFiles, evalIdOfPrefix, evalPrefix } from './prefix.ts';
import { htmlReport } from './report/html.ts';
import { markdownReport } from './report/markdown.ts';
import type { EvalResults } from './results.ts';
import { type EvalContext, type EvalProgress, runEval } from './run.ts';
import { type EvalStatus, StoredEvalStatus } from './status.ts';

/**
 * The one evaluation job: evaluate a model (an endpoint, or pre-generated responses) on the plan's
 * benchmarks into a storage prefix. POST /v1/eval (in process or as a job), a checkpoint evaluation
 * (shared/jobs/eval-job.ts, which serves the checkpoint first) and `gradus eval --out` all end here; only
 * the prefix, and how the status is kept, differ.
 */
export async function runEvalJob(
  storage: Storage,
  prefix: string,
  plan: EvalPlan,
  ctx: EvalContext,
): Promise<{ results: EvalResults; files: EvalFiles }> {
  const results = await runEval(plan, ctx);
  return { results, files: await storeResults(storage, prefix, results) };
}

/** Writes results.json (every sample with its verdict), report.md and report.html under the prefix. */
export async function storeResults(
  storage: Storage,
  prefix: string,
  results: EvalResults,
): Promise<EvalFiles> {
  const files = evalFiles(prefix);
  await storage.put(files.results, `${JSON.stringify(results, null, 1)}\n`);
  await storage.put(files.markdown, markdownReport([results]));
  await storage.put(files.html, htmlReport([results]));
  return files;
}

const STATUS_WRITE_EVERY_MS = 1000;

/**
 * Runs an API evaluation (prefix `evals/<id>/`), keeping `status` current (in memory at once, on storage
 * about every second) and storing the results and reports at the end. Never rejects: a failure is recorded
 * in the status.
 */
export async function executeAndRecord(
  storage: Storage,
  plan: EvalPlan,
  status: EvalStatus,
  ctx: Omit<EvalContext, 'onProgress'>,
): Promise<void> {
  const prefix = evalPrefix(status.id);
  const key = evalFiles(prefix).status;
  // Writes go one after another: a progress write still in flight must not land after the final status.
  let writing: Promise<void> = Promise.resolve();
  const saveStatus = () => {
    const text = JSON.stringify(status);
    writing = writing.catch(() => {}).then(() => storage.put(key, text));
    return writing;
  };
  let lastWrite = 0;
  const onProgress = (p: EvalProgress) => {
    const entry = status.progress.find((b) => b.benchmark === p.benchmark);
    if (entry) Object.assign(entry, { phase: p.phase, done: p.done, total: p.total });
    status.updated_at = new Date().toISOString();
    if (Date.now() - lastWrite > STATUS_WRITE_EVERY_MS) {
      lastWrite = Date.now();
      saveStatus().catch(() => {});
    }
  };
  status.state = 'running';
  try {
    const { results, files } = await runEvalJob(storage, prefix, plan, { ...ctx, onProgress });
    Object.assign(status, finished(status, results, files, storage));
  } catch (err) {
    status.state = 'failed';
    status.error = err instanceof Error ? err.message : String(err);
  }
  status.updated_at = new Date().toISOString();
  try {
    await saveStatus();
  } catch (err) {
    console.error(`eval ${status.id}: could not store its status`, err);
  }
}

/** The status of a finished evaluation: metrics per benchmark and where the files are. */
function finished(status: EvalStatus, results: EvalResults, files: EvalFiles, storage: Storage): EvalStatus {
  const url = (key: string) => `${storage.url.replace(/\/+$/, '')}/${key}`;
  return {
    ...status,
    state: 'succeeded',
    progress: results.benchmarks.map((b) => ({
      benchmark: b.benchmark,
      phase: 'done',
      done: b.samples.length,
      total: b.samples.length,
    })),
    summary: results.benchmarks.map((b) => ({
      benchmark: b.benchmark,
      title: b.title,
      k: b.k,
      metrics: b.metrics,
    })),
    files: { results: url(files.results), markdown: url(files.markdown), html: url(files.html) },
  };
}

/**
 * The body of an eval job for an API evaluation (`gradus eval job` on prefix `evals/<id>/`): reads the plan
 * the service stored, runs it, and records status and results where an in-process evaluation would, under
 * the access policy the service handed on in the environment. The stored plan holds no API key: the
 * endpoint's key, if it needs one, comes from GRADUS_EVAL_API_KEY. Returns the final status.
 */
export async function runStoredEval(
  storage: Storage,
  prefix: string,
  scorer: RewardScorer,
  benchmarkDir?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EvalStatus> {
  const id = evalIdOfPrefix(prefix);
  if (id === undefined) throw new Error(`"${prefix}" is not the prefix of an evaluation (evals/<id>/)`);
  const files = evalFiles(prefix);
  const plan = await getJson(storage, files.plan, EvalPlan);
  if (plan.model && !plan.model.apiKey && env.GRADUS_EVAL_API_KEY)
    plan.model.apiKey = env.GRADUS_EVAL_API_KEY;
  const now = new Date().toISOString();
  const status = (await findJson(storage, files.status, StoredEvalStatus)) ?? {
    id,
    state: 'queued',
    mode: 'job',
    created_at: now,
    updated_at: now,
    progress: [],
  };
  await executeAndRecord(storage, plan, status, {
    scorer,
    workDir: workDirFor(storage, prefix),
    benchmarkDir,
    sources: sourceOptionsFor(accessFromEnv(env), storage),
  });
  return status;
}

/**
 * How the server reads sources: only allow-listed URLs (and what lies under its own s3 storage root),
 * up to the size cap. Also what an eval job applies, from the same policy.
 */
export function sourceOptionsFor(access: EvalAccess, storage: Storage): SourceOptions {
  const ownRoot = storage.url.startsWith('s3://') ? [storage.url] : [];
  return { allowed: [...access.sources, ...ownRoot], maxBytes: access.maxSourceBytes };
}

/** Journals live next to the results on local storage; on S3 they live in a local temp folder. */
export function workDirFor(storage: Storage, prefix: string): string {
  const parts = prefix.split('/').filter(Boolean);
  if (storage.url.startsWith('file://')) return join(fileURLToPath(storage.url), ...parts);
  return join(tmpdir(), 'gradus-evals', ...parts);
}
