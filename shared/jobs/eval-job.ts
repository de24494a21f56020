import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { discoverModel } from '../eval/generate/client.ts';
import { EvalPlan } from '../eval/plan.ts';
import { htmlReport } from '../eval/report/html.ts';
import { markdownReport } from '../eval/report/markdown.ts';
import type { EvalResults } from '../eval/results.ts';
import { runEval } from '../eval/run.ts';
import type { RewardScorer } from '../reward/score.ts';
import { openStorage } from '../storage/index.ts';
import type { Storage } from '../storage/types.ts';
import { downloadCheckpoint } from './checkpoint.ts';
import {
  type CheckpointEvalStatus,
  type CheckpointRef,
  evalJobName,
  evalKeys,
  parseBenchmarkEntry,
  readCompleteCheckpoint,
  readEvalStatus,
  writeEvalStatus,
} from './checkpoint-eval.ts';
import { runKeys } from './contract.ts';
import { type ModelServer, startModelServer } from './model-server.ts';
import { RunId } from './schema.ts';

const int = (min: number) => z.coerce.number().int().min(min);

/** The eval job's environment, as `evalJobEnv` (eval-submit.ts) writes it, plus deployment settings. */
export const EvalJobEnv = z.object({
  GRADUS_STORAGE_URL: z.string().min(1),
  GRADUS_RUN_ID: RunId,
  GRADUS_STAGE: int(1),
  GRADUS_STEP: int(0),
  /** The checkpoint folder's key, as the submitter saw it; must agree with run, stage and step. */
  GRADUS_CHECKPOINT: z.string().min(1).optional(),
  GRADUS_EVAL_BENCHMARKS: z.string().min(1),
  GRADUS_EVAL_PRESET: z.string().min(1).default('paper'),
  /** An endpoint that already serves the checkpoint: no download, no server started. */
  GRADUS_EVAL_MODEL_URL: z.string().url().optional(),
  /** Starts the inference server (see model-server.ts); default: vLLM. */
  GRADUS_EVAL_SERVER_COMMAND: z.string().min(1).optional(),
  GRADUS_EVAL_PORT: int(1).default(8000),
  GRADUS_EVAL_SERVER_TIMEOUT_S: int(1).default(1800),
  /** Only the first N problems of each benchmark (smoke runs). */
  GRADUS_EVAL_LIMIT: int(1).optional(),
  GRADUS_BENCHMARKS: z.string().min(1).optional(),
  GRADUS_WORK_DIR: z.string().min(1).optional(),
});
export type EvalJobEnv = z.infer<typeof EvalJobEnv>;

export function parseEvalJobEnv(env: NodeJS.ProcessEnv): EvalJobEnv {
  const parsed = EvalJobEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`eval job environment: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

/** A benchmark source without a scheme is a path inside the run folder, like the manifest's data paths. */
function benchmarkChoices(env: EvalJobEnv, storage: Storage) {
  const root = storage.url.replace(/\/+$/, '');
  return env.GRADUS_EVAL_BENCHMARKS.split(',').map((entry) => {
    const { name, source } = parseBenchmarkEntry(entry);
    if (source === undefined || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(source)) return { name, source };
    return { name, source: `${root}/${runKeys.data(env.GRADUS_RUN_ID, source)}` };
  });
}

async function storeResults(storage: Storage, ref: CheckpointRef, results: EvalResults): Promise<void> {
  const { runId, stage, step } = ref;
  await storage.put(evalKeys.results(runId, stage, step), JSON.stringify(results));
  await storage.put(evalKeys.markdown(runId, stage, step), markdownReport([results]));
  await storage.put(evalKeys.html(runId, stage, step), htmlReport([results]));
}

const pick = (s: CheckpointEvalStatus) =>
  Object.fromEntries(
    Object.entries({ job_id: s.job_id, log_url: s.log_url, submitted_at: s.submitted_at }).filter(
      ([, v]) => v !== undefined,
    ),
  );

/**
 * The body of a checkpoint evaluation job (`gradus eval job` with GRADUS_JOB_KIND=eval): downloads the
 * complete checkpoint, serves it (vLLM by default), evaluates it on the manifest's benchmarks and writes
 * results.json, report.md, report.html and status.json under `stages/<k>/evals/<step>/`.
 */
export async function runCheckpointEval(
  env: EvalJobEnv,
  scorer: RewardScorer,
  storage: Storage = openStorage(env.GRADUS_STORAGE_URL),
): Promise<CheckpointEvalStatus> {
  const ref: CheckpointRef = { runId: env.GRADUS_RUN_ID, stage: env.GRADUS_STAGE, step: env.GRADUS_STEP };
  const now = () => new Date().toISOString();
  const claimed = await readEvalStatus(storage, ref);
  let status: CheckpointEvalStatus = {
    ...(claimed ?? {
      version: 1,
      run_id: ref.runId,
      stage: ref.stage,
      step: ref.step,
      runner: 'local',
      job_name: evalJobName(ref),
      checkpoint: runKeys.checkpoint(ref.runId, ref.stage, ref.step),
      benchmarks: env.GRADUS_EVAL_BENCHMARKS.split(','),
      preset: env.GRADUS_EVAL_PRESET,
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
    const expected = runKeys.checkpoint(ref.runId, ref.stage, ref.step);
    if (env.GRADUS_CHECKPOINT !== undefined && env.GRADUS_CHECKPOINT !== expected) {
      throw new Error(
        `GRADUS_CHECKPOINT is ${env.GRADUS_CHECKPOINT}, but run, stage and step name ${expected}`,
      );
    }
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
      benchmarks: benchmarkChoices(env, storage),
      preset: env.GRADUS_EVAL_PRESET,
      model: { baseUrl, model: await discoverModel(baseUrl) },
      limit: env.GRADUS_EVAL_LIMIT,
      label: `${ref.runId} stage ${ref.stage} step ${ref.step}`,
    });
    const results = await runEval(plan, {
      scorer,
      workDir: join(workDir, 'journals'),
      benchmarkDir: env.GRADUS_BENCHMARKS,
    });
    await storeResults(storage, ref, results);
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
