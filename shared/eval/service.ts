import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findJson } from '../io/get-json.ts';
import type { RewardScorer } from '../reward/score.ts';
import type { Storage } from '../storage/types.ts';
import { accessFromEnv, accessToEnv, checkAllowed, type EvalAccess } from './access.ts';
import { loadProblems } from './benchmarks.ts';
import { PlanError } from './errors.ts';
import { executeAndRecord, sourceOptionsFor, workDirFor } from './job.ts';
import { EvalPlan, type EvalPlanInput } from './plan.ts';
import { EVAL_ID, evalFiles, evalJobEnv, evalPrefix } from './prefix.ts';
import { resolvePlan } from './run.ts';
import { type EvalStatus, StoredEvalStatus } from './status.ts';

/**
 * What the service needs of a job runner: shared/jobs' runners (local, AWS Batch) fit. Declared here so
 * that eval/ does not depend on jobs/ (jobs/ builds on eval/).
 */
export interface EvalJobRunner {
  submit(spec: {
    name: string;
    dependsOn: string[];
    env: Record<string, string>;
    resources: { nodes: number; gpusPerNode: number };
    tags?: Record<string, string>;
  }): Promise<{ id: string; logUrl?: string }>;
  describe(id: string): Promise<{ state: string; reason?: string } | undefined>;
}

export interface EvalServiceOptions {
  storage: Storage;
  scorer: RewardScorer;
  benchmarkDir?: string;
  /** Evaluations over this many samples go to the job runner, when there is one (default 50,000). */
  maxInProcessSamples?: number;
  jobs?: EvalJobRunner;
  /** Environment handed to eval jobs (besides their storage, prefix and the access policy: see evalJobEnv). */
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

export function createEvalService(options: EvalServiceOptions): EvalService {
  const { storage } = options;
  const access = options.access ?? accessFromEnv(process.env);
  const sources = sourceOptionsFor(access, storage);
  const live = new Map<string, EvalStatus>();
  const running = new Set<Promise<void>>();
  const saveStatus = (status: EvalStatus) =>
    storage.put(evalFiles(evalPrefix(status.id)).status, JSON.stringify(status));

  async function runInProcess(id: string, plan: EvalPlan, status: EvalStatus): Promise<void> {
    await executeAndRecord(storage, plan, status, {
      scorer: options.scorer,
      workDir: workDirFor(storage, evalPrefix(id)),
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
        created_at: now,
        updated_at: now,
        progress: benchmarks.map((b) => ({
          benchmark: b.benchmark.name,
          phase: 'pending',
          done: 0,
          total: 0,
        })),
      };
      await storage.put(evalFiles(evalPrefix(id)).plan, JSON.stringify(withoutKey(plan), null, 2));
      let samples = 0;
      for (const { benchmark, source } of benchmarks) {
        const problems = (await loadProblems(benchmark, source, sources)).length;
        samples += Math.min(problems, plan.limit ?? problems) * (plan.k ?? preset.k(benchmark));
      }
      if (options.jobs && plan.model && samples > (options.maxInProcessSamples ?? 50_000)) {
        const name = `gradus-eval-${id}`;
        const job = await options.jobs.submit({
          name,
          dependsOn: [],
          env: {
            ...options.jobEnv,
            ...accessToEnv(access),
            ...evalJobEnv(storage.url, evalPrefix(id), name),
          },
          resources: { nodes: 1, gpusPerNode: 0 },
          tags: { 'gradus:eval': id },
        });
        Object.assign(status, { mode: 'job', job: { id: job.id, log_url: job.logUrl } });
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
      const status = await findJson(storage, evalFiles(evalPrefix(id)).status, StoredEvalStatus);
      if (status === undefined) return undefined;
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

/** The plan as stored: an API key is a secret and never written to storage. */
export function withoutKey(plan: EvalPlan): EvalPlan {
  if (!plan.model?.apiKey) return plan;
  const { apiKey: _, ...model } = plan.model;
  return { ...plan, model };
}

function localRoot(storage: Storage): string | undefined {
  return storage.url.startsWith('file://') ? fileURLToPath(storage.url) : undefined;
}
