import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobRunner } from '../jobs/runner.ts';
import type { RewardScorer } from '../reward/score.ts';
import type { Storage } from '../storage/types.ts';
import { accessFromEnv, accessToEnv, checkAllowed, type EvalAccess } from './access.ts';
import { loadProblems } from './benchmarks.ts';
import { PlanError } from './errors.ts';
import type { SourceOptions } from './load.ts';
import { EvalPlan, type EvalPlanInput } from './plan.ts';
import { htmlReport } from './report/html.ts';
import { markdownReport } from './report/markdown.ts';
import type { EvalResults } from './results.ts';
import { type EvalContext, type EvalProgress, resolvePlan, runEval } from './run.ts';
import { EVAL_ID, type EvalStatus, evalKeys } from './status.ts';

export interface EvalServiceOptions {
  storage: Storage;
  scorer: RewardScorer;
  benchmarkDir?: string;
  /** Evaluations over this many samples go to the job runner, when there is one (default 50,000). */
  maxInProcessSamples?: number;
  jobs?: JobRunner;
  /** Environment handed to eval jobs (besides GRADUS_STORAGE, GRADUS_EVAL_ID and the access policy). */
  jobEnv?: Record<string, string>;
  /** What plans may reach (allow-lists, size and concurrency caps); default: from the environment. */
  access?: EvalAccess;
}

export interface EvalService {
  /** Validates the plan (throws PlanError or a zod error), then starts it. */
  start(plan: EvalPlanInput): Promise<EvalStatus>;
  /** The evaluation's status, or undefined for an unknown id. */
  get(id: string): Promise<EvalStatus | undefined>;
  /** Resolves when every in-process evaluation started so far has finished (for clean shutdown). */
  idle(): Promise<void>;
}

const STATUS_WRITE_EVERY_MS = 1000;

export function createEvalService(options: EvalServiceOptions): EvalService {
  const { storage } = options;
  const access = options.access ?? accessFromEnv(process.env);
  const sources = sourceOptionsFor(access, storage);
  const live = new Map<string, EvalStatus>();
  const running = new Set<Promise<void>>();
  const saveStatus = (status: EvalStatus) => storage.put(evalKeys.status(status.id), JSON.stringify(status));

  async function runInProcess(id: string, plan: EvalPlan, status: EvalStatus): Promise<void> {
    await executeAndRecord(storage, plan, status, {
      scorer: options.scorer,
      workDir: workDirFor(storage, id),
      benchmarkDir: options.benchmarkDir,
      sources,
    });
    live.delete(id);
  }

  return {
    async start(input) {
      const parsed = EvalPlan.safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new PlanError(`${issue?.path.join('.') || 'plan'}: ${issue?.message}`);
      }
      const plan = parsed.data;
      const { benchmarks, preset } = resolvePlan(plan, options.benchmarkDir);
      for (const source of [
        ...benchmarks.map((b) => b.source),
        ...(plan.responses ? [plan.responses] : []),
      ]) {
        checkSourceAllowed(source, [options.benchmarkDir, localRoot(storage)], sources.allowed ?? []);
      }
      checkEndpoint(plan, access);
      const id = `ev-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      const now = new Date().toISOString();
      const status: EvalStatus = {
        id,
        state: 'queued',
        mode: 'in-process',
        created: now,
        updated: now,
        progress: benchmarks.map((b) => ({
          benchmark: b.benchmark.name,
          phase: 'pending',
          done: 0,
          total: 0,
        })),
      };
      await storage.put(evalKeys.plan(id), JSON.stringify(withoutKey(plan), null, 2));
      let samples = 0;
      for (const { benchmark, source } of benchmarks) {
        const problems = (await loadProblems(benchmark, source, sources)).length;
        samples += Math.min(problems, plan.limit ?? problems) * (plan.k ?? preset.k(benchmark));
      }
      if (options.jobs && plan.model && samples > (options.maxInProcessSamples ?? 50_000)) {
        const job = await options.jobs.submit({
          name: `gradus-eval-${id}`,
          dependsOn: [],
          env: { ...options.jobEnv, ...accessToEnv(access), GRADUS_STORAGE: storage.url, GRADUS_EVAL_ID: id },
          resources: { nodes: 1, gpusPerNode: 0 },
          tags: { 'gradus:eval': id },
        });
        Object.assign(status, { mode: 'job', job: { id: job.id, logUrl: job.logUrl } });
        await saveStatus(status);
        return status;
      }
      live.set(id, status);
      await saveStatus(status);
      const task = runInProcess(id, plan, status);
      running.add(task);
      task.finally(() => running.delete(task));
      return structuredClone(status);
    },

    async get(id) {
      if (!EVAL_ID.test(id)) return undefined;
      const current = live.get(id);
      if (current) return structuredClone(current);
      const text = await storage.getText(evalKeys.status(id));
      if (text === undefined) return undefined;
      const status = JSON.parse(text) as EvalStatus;
      if (status.mode === 'job' && status.job && options.jobs && status.state !== 'succeeded') {
        const info = await options.jobs.describe(status.job.id);
        if (info) {
          status.job.state = info.state;
          if (info.state === 'failed' && status.state !== 'failed') {
            status.state = 'failed';
            status.error = info.reason ?? 'the eval job failed';
          }
        }
      }
      return status;
    },

    async idle() {
      await Promise.all([...running]);
    },
  };
}

/**
 * Runs one evaluation, keeping `status` current (in memory at once, on storage about every second) and
 * storing the results and reports at the end. Never rejects: a failure is recorded in the status.
 */
export async function executeAndRecord(
  storage: Storage,
  plan: EvalPlan,
  status: EvalStatus,
  ctx: Omit<EvalContext, 'onProgress'>,
): Promise<void> {
  // Writes go one after another: a progress write still in flight must not land after the final status.
  let writing: Promise<void> = Promise.resolve();
  const saveStatus = () => {
    const text = JSON.stringify(status);
    writing = writing.catch(() => {}).then(() => storage.put(evalKeys.status(status.id), text));
    return writing;
  };
  let lastWrite = 0;
  const onProgress = (p: EvalProgress) => {
    const entry = status.progress.find((b) => b.benchmark === p.benchmark);
    if (entry) Object.assign(entry, { phase: p.phase, done: p.done, total: p.total });
    status.updated = new Date().toISOString();
    if (Date.now() - lastWrite > STATUS_WRITE_EVERY_MS) {
      lastWrite = Date.now();
      saveStatus().catch(() => {});
    }
  };
  status.state = 'running';
  try {
    const results = await runEval(plan, { ...ctx, onProgress });
    await storeResults(storage, status.id, results);
    Object.assign(status, finished(status, results, storage));
  } catch (err) {
    status.state = 'failed';
    status.error = err instanceof Error ? err.message : String(err);
  }
  status.updated = new Date().toISOString();
  try {
    await saveStatus();
  } catch (err) {
    console.error(`eval ${status.id}: could not store its status`, err);
  }
}

/** Writes results.json, report.md and report.html under `evals/<id>/`. */
export async function storeResults(storage: Storage, id: string, results: EvalResults): Promise<void> {
  await storage.put(evalKeys.results(id), JSON.stringify(results));
  await storage.put(evalKeys.markdown(id), markdownReport([results]));
  await storage.put(evalKeys.html(id), htmlReport([results]));
}

/** The status of a finished evaluation: metrics per benchmark and where the files are. */
export function finished(status: EvalStatus, results: EvalResults, storage: Storage): EvalStatus {
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
    files: {
      results: url(evalKeys.results(status.id)),
      markdown: url(evalKeys.markdown(status.id)),
      html: url(evalKeys.html(status.id)),
    },
  };
}

/**
 * Through the API, local files are read only inside the benchmark folder or the storage root: a plan may
 * not point the server at any file it can read. http(s) and s3 URLs must be on the operator's allow-list.
 */
export function checkSourceAllowed(
  source: string,
  roots: (string | undefined)[],
  allowed: readonly string[],
): void {
  if (/^(https?|s3):/i.test(source)) {
    if (!/^(https?|s3):\/\//i.test(source)) throw new PlanError(`${source}: not a usable URL`);
    checkAllowed(source, allowed, 'source', 'GRADUS_EVAL_ALLOWED_SOURCES');
    return;
  }
  const path = resolve(source.startsWith('file://') ? fileURLToPath(source) : source);
  const inside = roots.some((root) => root !== undefined && `${path}/`.startsWith(`${resolve(root)}/`));
  if (!inside) {
    throw new PlanError(
      `${source}: local files are read only under the benchmark folder (GRADUS_BENCHMARKS) or the storage root`,
    );
  }
}

/** The model endpoint must be on the allow-list, and the plan may not ask for more requests at once than the cap. */
function checkEndpoint(plan: EvalPlan, access: EvalAccess): void {
  if (!plan.model) return;
  checkAllowed(plan.model.baseUrl, access.baseUrls, 'model.baseUrl', 'GRADUS_EVAL_ALLOWED_BASE_URLS');
  if (plan.concurrency !== undefined && plan.concurrency > access.maxConcurrency) {
    throw new PlanError(
      `concurrency: ${plan.concurrency} is over this server's maximum of ${access.maxConcurrency} ` +
        '(GRADUS_EVAL_MAX_CONCURRENCY)',
    );
  }
  plan.concurrency = Math.min(plan.concurrency ?? DEFAULT_CONCURRENCY, access.maxConcurrency);
}

const DEFAULT_CONCURRENCY = 16;

/**
 * How the server reads sources: only allow-listed URLs (and what lies under its own s3 storage root),
 * up to the size cap. Also what an eval job applies, from the same policy.
 */
export function sourceOptionsFor(access: EvalAccess, storage: Storage): SourceOptions {
  const ownRoot = storage.url.startsWith('s3://') ? [storage.url] : [];
  return { allowed: [...access.sources, ...ownRoot], maxBytes: access.maxSourceBytes };
}

/** The plan as stored: an API key is a secret and never written to storage. */
export function withoutKey(plan: EvalPlan): EvalPlan {
  if (!plan.model?.apiKey) return plan;
  const { apiKey: _, ...model } = plan.model;
  return { ...plan, model };
}

function localRoot(storage: Storage): string | undefined {
  return storage.url.startsWith('file://') ? fileURLToPath(storage.url) : undefined;
}

/** Journals live next to the results on local storage; on S3 they live in a local temp folder. */
export function workDirFor(storage: Storage, id: string): string {
  if (storage.url.startsWith('file://')) return join(fileURLToPath(storage.url), 'evals', id);
  return join(tmpdir(), 'gradus-evals', id);
}
