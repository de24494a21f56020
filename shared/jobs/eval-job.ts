import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { discoverModel } from '../eval/generate/client.ts';
import { runEvalJob, runStoredEval } from '../eval/job.ts';
import { EvalPlan } from '../eval/plan.ts';
import { evalIdOfPrefix, evalPrefix } from '../eval/prefix.ts';
import type { RewardScorer } from '../reward/score.ts';
import { openStorage } from '../storage/index.ts';
import type { Storage } from '../storage/types.ts';
import { downloadCheckpoint } from './checkpoint.ts';
import {
  type CheckpointEvalStatus,
  checkpointOfEvalPrefix,
  evalJobName,
  evalKeys,
  parseBenchmarkEntry,
  readCompleteCheckpoint,
  readEvalStatus,
  writeEvalStatus,
} from './checkpoint-eval.ts';
import { runKeys } from './contract.ts';
import { type ModelServer, startModelServer } from './model-server.ts';

const int = (min: number) => z.coerce.number().int().min(min);

/**
 * The eval job's environment: the storage and the prefix to evaluate into (as `evalJobEnv` writes them),
 * plus deployment settings for checkpoints.
 */
export const EvalJobEnv = z.object({
  GRADUS_STORAGE_URL: z.string().min(1),
  /** `evals/<id>/` (a stored POST /v1/eval plan) or `runs/<run>/stages/<k>/evals/<step>/` (a checkpoint). */
  GRADUS_EVAL_PREFIX: z.string().min(1),
  /** A checkpoint nobody claimed (a run by hand): its benchmarks and preset. The claim's win otherwise. */
  GRADUS_EVAL_BENCHMARKS: z.string().min(1).optional(),
  GRADUS_EVAL_PRESET: z.string().min(1).optional(),
  /** An endpoint that already serves the checkpoint: no download, no server started. */
  GRADUS_EVAL_MODEL_URL: z.string().url().optional(),
  /** Starts the inference server (see model-server.ts); default: vLLM. */
  GRADUS_EVAL_SERVER_COMMAND: z.string().min(1).optional(),
  GRADUS_EVAL_PORT: int(1).default(8000),
  GRADUS_EVAL_SERVER_TIMEOUT_S: int(1).default(1800),
  /** Only the first N problems of each benchmark of a checkpoint (smoke runs). */
  GRADUS_EVAL_LIMIT: int(1).optional(),
  GRADUS_BENCHMARKS: z.string().min(1).optional(),
  GRADUS_WORK_DIR: z.string().min(1).optional(),
});
export type EvalJobEnv = z.infer<typeof EvalJobEnv>;

/**
 * The names jobs submitted before the eval job was one: GRADUS_STORAGE for the storage, GRADUS_EVAL_ID
 * or GRADUS_RUN_ID, GRADUS_STAGE and GRADUS_STEP for the prefix. Read for one release, then dropped.
 */
function withDeprecatedNames(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const storage = env.GRADUS_STORAGE_URL || env.GRADUS_STORAGE;
  let prefix = env.GRADUS_EVAL_PREFIX;
  if (!prefix && env.GRADUS_EVAL_ID) prefix = evalPrefix(env.GRADUS_EVAL_ID);
  if (!prefix && env.GRADUS_RUN_ID && env.GRADUS_STAGE && env.GRADUS_STEP) {
    prefix = evalKeys.folder(env.GRADUS_RUN_ID, Number(env.GRADUS_STAGE), Number(env.GRADUS_STEP));
  }
  return { ...env, GRADUS_STORAGE_URL: storage || undefined, GRADUS_EVAL_PREFIX: prefix || undefined };
}

export function parseEvalJobEnv(env: NodeJS.ProcessEnv): EvalJobEnv {
  const parsed = EvalJobEnv.safeParse(withDeprecatedNames(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`eval job environment: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const prefix = parsed.data.GRADUS_EVAL_PREFIX;
  if (evalIdOfPrefix(prefix) === undefined && checkpointOfEvalPrefix(prefix) === undefined) {
    throw new Error(
      `eval job environment: GRADUS_EVAL_PREFIX: "${prefix}" is neither evals/<id>/ nor ` +
        'runs/<run>/stages/<k>/evals/<step>/',
    );
  }
  return parsed.data;
}

/** What an eval job did: the prefix it evaluated into, how it ended and why it failed. */
export interface EvalJobOutcome {
  prefix: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  reason?: string;
}

/**
 * `gradus eval job`: evaluates into GRADUS_EVAL_PREFIX. The prefix says what the model is: a stored
 * plan's endpoint for `evals/<id>/`, the checkpoint for `runs/<run>/stages/<k>/evals/<step>/`.
 */
export async function runEvalJobFromEnv(
  rawEnv: NodeJS.ProcessEnv,
  scorer: RewardScorer,
  storage?: Storage,
): Promise<EvalJobOutcome> {
  const env = parseEvalJobEnv(rawEnv);
  const store = storage ?? openStorage(env.GRADUS_STORAGE_URL);
  const prefix = env.GRADUS_EVAL_PREFIX;
  const ref = checkpointOfEvalPrefix(prefix);
  if (ref !== undefined) {
    const status = await runCheckpointEval(env, scorer, store);
    return { prefix, state: status.state, reason: status.reason };
  }
  const status = await runStoredEval(store, prefix, scorer, env.GRADUS_BENCHMARKS, rawEnv);
  return { prefix, state: status.state, reason: status.error };
}

/** A benchmark source without a scheme is a path inside the run folder, like the manifest's data paths. */
function benchmarkChoices(entries: string[], runId: string, storage: Storage) {
  const root = storage.url.replace(/\/+$/, '');
  return entries.map((entry) => {
    const { name, source } = parseBenchmarkEntry(entry);
    if (source === undefined || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(source)) return { name, source };
    return { name, source: `${root}/${runKeys.data(runId, source)}` };
  });
}

const pick = (s: CheckpointEvalStatus) =>
  Object.fromEntries(
    Object.entries({ job_id: s.job_id, log_url: s.log_url, submitted_at: s.submitted_at }).filter(
      ([, v]) => v !== undefined,
    ),
  );

/**
 * The eval job on a checkpoint's prefix: downloads the complete checkpoint, serves it (vLLM by default),
 * runs the one evaluation job (eval/job.ts) on the claim's benchmarks and records status.json for the
 * plateau rule and `gradus stage status` beside the results.
 */
export async function runCheckpointEval(
  env: EvalJobEnv,
  scorer: RewardScorer,
  storage: Storage = openStorage(env.GRADUS_STORAGE_URL),
): Promise<CheckpointEvalStatus> {
  const prefix = env.GRADUS_EVAL_PREFIX;
  const ref = checkpointOfEvalPrefix(prefix);
  if (ref === undefined) throw new Error(`"${prefix}" is not a checkpoint's evaluation folder`);
  const now = () => new Date().toISOString();
  const claimed = await readEvalStatus(storage, ref);
  const benchmarks = claimed?.benchmarks ?? env.GRADUS_EVAL_BENCHMARKS?.split(',');
  if (benchmarks === undefined) {
    throw new Error(
      `${evalKeys.status(ref.runId, ref.stage, ref.step)}: no claim, and GRADUS_EVAL_BENCHMARKS is not set`,
    );
  }
  let status: CheckpointEvalStatus = {
    ...(claimed ?? {
      version: 1,
      run_id: ref.runId,
      stage: ref.stage,
      step: ref.step,
      runner: 'local',
      job_name: evalJobName(ref),
      checkpoint: runKeys.checkpoint(ref.runId, ref.stage, ref.step),
      benchmarks,
      preset: env.GRADUS_EVAL_PRESET ?? 'paper',
      claimed_at: now(),
    }),
    state: 'running',
    attempts: (claimed?.attempts ?? 0) + 1,
    started_at: now(),
    updated_at: now(),
    finished_at: undefined,
    summary: undefined,
    reason: undefined,
  };
  await writeEvalStatus(storage, status);
  const workDir = join(env.GRADUS_WORK_DIR ?? join(tmpdir(), 'gradus'), 'evals', evalJobName(ref));
  let server: ModelServer | undefined;
  try {
    const checkpoint = await readCompleteCheckpoint(storage, ref);
    if (checkpoint === undefined) {
      throw new Error(
        `${runKeys.checkpointManifest(ref.runId, ref.stage, ref.step)}: no complete checkpoint`,
      );
    }
    let baseUrl = env.GRADUS_EVAL_MODEL_URL;
    if (baseUrl === undefined) {
      const localDir = join(workDir, 'checkpoint');
      await downloadCheckpoint(storage, checkpoint, localDir);
      const modelDir = join(localDir, ...(checkpoint.manifest.hf_model_path?.split('/') ?? []));
      server = await startModelServer({
        command: env.GRADUS_EVAL_SERVER_COMMAND,
        modelDir,
        port: env.GRADUS_EVAL_PORT,
        servedName: evalJobName(ref),
        timeoutMs: env.GRADUS_EVAL_SERVER_TIMEOUT_S * 1000,
      });
      baseUrl = server.baseUrl;
    }
    const plan = EvalPlan.parse({
      benchmarks: benchmarkChoices(status.benchmarks, ref.runId, storage),
      preset: status.preset,
      model: { baseUrl, model: await discoverModel(baseUrl) },
      limit: env.GRADUS_EVAL_LIMIT,
      label: `${ref.runId} stage ${ref.stage} step ${ref.step}`,
    });
    const { results } = await runEvalJob(storage, prefix, plan, {
      scorer,
      workDir: join(workDir, 'journals'),
      benchmarkDir: env.GRADUS_BENCHMARKS,
    });
    status = {
      ...status,
      state: 'succeeded',
      summary: results.benchmarks.map((b) => ({ benchmark: b.benchmark, k: b.k, metrics: b.metrics })),
    };
  } catch (err) {
    status = { ...status, state: 'failed', reason: err instanceof Error ? err.message : String(err) };
  } finally {
    await server?.stop();
  }
  // The submitter records the job id after submitting; a fast local job may have started before that.
  const latest = await readEvalStatus(storage, ref).catch(() => undefined);
  const { job_id, log_url, submitted_at } = { ...latest, ...pick(status) };
  status = { ...status, job_id, log_url, submitted_at, finished_at: now(), updated_at: now() };
  await writeEvalStatus(storage, status);
  return status;
}
