import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { StageStatus } from '../formats/run-contract.ts';
import type { Stage } from '../formats/stage-manifest.ts';
import type { Storage } from '../storage/types.ts';
import { downloadCheckpoint, sealCheckpoint, sha256File } from './checkpoint.ts';
import {
  type CompleteCheckpoint,
  describeInit,
  type InitCheckpoint,
  initCheckpoint,
  latestCompleteCheckpoint,
  readRunManifest,
  readStageStatus,
  stageOf,
  writeStageStatus,
} from './contract.ts';
import { STOP_GRACE_MS, stageEnding } from './plateau-watch.ts';
import { jobName } from './runner.ts';
import type { StageEvent } from './stage-events.ts';
import { startTrainer } from './trainer-process.ts';
import {
  defaultRewardFunctionPath,
  pythonPackagesDir,
  renderVerlConfig,
  trainerCommandProblem,
} from './verl-config.ts';

/** verl writes this file in `trainer.default_local_dir` once a `global_step_<n>/` is fully saved. */
export const LATEST_STEP_FILE = 'latest_checkpointed_iteration.txt';
const HF_MODEL_DIR = 'actor/huggingface';

export interface ExecuteStageOptions {
  storage: Storage;
  runId: string;
  stage: number;
  /** Local scratch folder: data, init model, checkpoints, rendered config. */
  workDir: string;
  /** Run with `sh -c`, with the GRADUS_* variables below in its environment. */
  trainerCommand: string;
  runner: StageStatus['runner'];
  jobId?: string;
  logUrl?: string;
  nnodes?: number;
  gpusPerNode?: number;
  rewardFunctionPath?: string;
  defaultBaseModel?: string;
  env?: Record<string, string>;
  /** How often the checkpoint folder is looked at. */
  pollMs?: number;
  log?: (line: string) => void;
  /** Told when the trainer starts, reports a step, and when a checkpoint is sealed. */
  onEvent?: (event: StageEvent) => void;
}

export interface StageResult {
  state: 'succeeded' | 'failed';
  reason?: string;
  sealedSteps: number[];
  resumedFrom?: number;
  /** Set when the plateau rule ended the stage: the checkpoint it hands on (see plateau-watch.ts). */
  endedBy?: 'plateau';
  finalCheckpoint?: string;
}

async function markRunning(o: ExecuteStageOptions, init: string | undefined): Promise<StageStatus> {
  const now = new Date().toISOString();
  const current = await readStageStatus(o.storage, o.runId, o.stage);
  const jobIds = current?.job_ids ?? [];
  const next: StageStatus = {
    version: 1,
    run_id: o.runId,
    stage: o.stage,
    runner: o.runner,
    job_name: jobName(o.runId, o.stage),
    claimed_at: now,
    ...current,
    state: 'running',
    job_id: o.jobId ?? current?.job_id,
    job_ids: o.jobId && !jobIds.includes(o.jobId) ? [...jobIds, o.jobId] : jobIds,
    log_url: o.logUrl ?? current?.log_url,
    attempts: (current?.attempts ?? 0) + 1,
    init_checkpoint: init,
    ended_by: undefined,
    final_checkpoint: undefined,
    started_at: now,
    finished_at: undefined,
    reason: undefined,
    updated_at: now,
  };
  await writeStageStatus(o.storage, next);
  return next;
}

async function finish(
  o: ExecuteStageOptions,
  status: StageStatus,
  result: StageResult,
): Promise<StageResult> {
  const now = new Date().toISOString();
  await writeStageStatus(o.storage, {
    ...status,
    state: result.state,
    reason: result.reason,
    ended_by: result.endedBy,
    final_checkpoint: result.finalCheckpoint,
    finished_at: now,
    updated_at: now,
  });
  return result;
}

/** Downloads the stage's data files (checked against the manifest's sha256) into `dir`. */
async function fetchData(o: ExecuteStageOptions, files: { path: string; sha256: string }[], dir: string) {
  const local: string[] = [];
  for (const file of files) {
    const target = join(dir, ...file.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await o.storage.downloadFile(`runs/${o.runId}/${file.path}`, target);
    if ((await sha256File(target)) !== file.sha256)
      throw new Error(`${file.path}: sha256 does not match the manifest`);
    local.push(target);
  }
  return local;
}

/**
 * Runs one stage of a run, the same way on a laptop and in a Batch container: marks it running,
 * fetches its data and init checkpoint, restores its newest complete checkpoint (resume), renders the
 * verl config, runs the trainer, seals every `global_step_<n>/` the trainer finishes, and records the
 * outcome in status.json.
 */
export async function executeStage(o: ExecuteStageOptions): Promise<StageResult> {
  const log = o.log ?? ((line: string) => console.error(`[gradus stage ${o.stage}] ${line}`));
  const read = await readRunManifest(o.storage, o.runId);
  if (!read.ok) throw new Error(read.message);
  const stage = stageOf(read.manifest, o.stage);
  const init = await initCheckpoint(o.storage, o.runId, read.manifest, o.stage, o.defaultBaseModel);
  const status = await markRunning(o, init && describeInit(init));
  const problem = trainerCommandProblem(stage, o.trainerCommand);
  if (problem) return finish(o, status, { state: 'failed', reason: problem, sealedSteps: [] });
  if (init === undefined) {
    const reason =
      o.stage === 1
        ? 'no base model: set base_model in the manifest or GRADUS_BASE_MODEL'
        : `stage ${o.stage - 1} has no complete checkpoint to start from`;
    return finish(o, status, { state: 'failed', reason, sealedSteps: [] });
  }
  let sealer: CheckpointSealer | undefined;
  try {
    const prepared = await prepareStage(o, stage, init, log);
    sealer = checkpointSealer(o, prepared.checkpointDir, prepared.resume?.step ?? -1, log);
    const totalSteps = stage.settings.total_steps;
    o.onEvent?.({ type: 'started', stage: o.stage, totalSteps, resumedFrom: prepared.resume?.step });
    const onStep = (step: number) => o.onEvent?.({ type: 'step', stage: o.stage, step, totalSteps });
    const trainer = startTrainer(o.trainerCommand, { ...o.env, ...prepared.env }, onStep);
    const { storage, runId } = o;
    const stop = () => trainer.stop(STOP_GRACE_MS);
    const ending = stageEnding({ storage, runId, stage: o.stage, settings: stage.settings, stop, log });
    const poll = () => sealer?.sealNewest().then(() => ending?.poll());
    const timer = setInterval(() => poll()?.catch(() => {}), o.pollMs ?? 2000);
    const exit = await trainer.exited.finally(() => clearInterval(timer));
    // A seal that failed while the trainer ran fails here too (the chain stays rejected).
    await sealer.sealNewest();
    const base = { sealedSteps: sealer.sealed, resumedFrom: prepared.resume?.step };
    const ended = await ending?.outcome();
    if (ended) return finish(o, status, { ...base, ...ended });
    if (exit.code !== 0) {
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      return finish(o, status, { ...base, state: 'failed', reason: `trainer exited with ${how}` });
    }
    if (sealer.lastSealed() < 0) {
      return finish(o, status, {
        ...base,
        state: 'failed',
        reason:
          `trainer exited with code 0 but saved no complete checkpoint (${LATEST_STEP_FILE} in ` +
          'GRADUS_CHECKPOINT_DIR must name a global_step_<n>/ folder it wrote)',
      });
    }
    return finish(o, status, { ...base, state: 'succeeded' });
  } catch (err) {
    const reason = `stage ${o.stage} could not run: ${(err as Error).message}`;
    return finish(o, status, { state: 'failed', reason, sealedSteps: sealer?.sealed ?? [] });
  }
}

interface PreparedStage {
  checkpointDir: string;
  resume?: CompleteCheckpoint;
  /** What the trainer gets in its environment. */
  env: Record<string, string>;
}

/** Fetches data, the init checkpoint and the checkpoint to resume from, and renders the verl config. */
async function prepareStage(
  o: ExecuteStageOptions,
  stage: Stage,
  init: InitCheckpoint,
  log: (line: string) => void,
): Promise<PreparedStage> {
  const initDir = join(o.workDir, 'init');
  // Storage is the source of truth: whatever a killed attempt left locally is dropped.
  const checkpointDir = join(o.workDir, 'checkpoints');
  await rm(checkpointDir, { recursive: true, force: true });
  await mkdir(checkpointDir, { recursive: true });
  const trainFiles = await fetchData(o, stage.data, join(o.workDir, 'data'));
  let modelPath = init.kind === 'base' ? init.model : initDir;
  if (init.kind === 'checkpoint') {
    await rm(initDir, { recursive: true, force: true });
    await downloadCheckpoint(o.storage, init.checkpoint, initDir);
    const hf = init.checkpoint.manifest.hf_model_path;
    if (hf) modelPath = join(initDir, hf);
  }
  const resume = await latestCompleteCheckpoint(o.storage, o.runId, o.stage);
  if (resume) {
    await downloadCheckpoint(o.storage, resume, join(checkpointDir, `global_step_${resume.step}`));
    await writeFile(join(checkpointDir, LATEST_STEP_FILE), String(resume.step));
    log(`resuming from step ${resume.step}`);
  }
  const configPath = join(o.workDir, 'trainer-config.yaml');
  const yaml = renderVerlConfig({
    runId: o.runId,
    stage,
    paths: {
      trainFiles,
      modelPath,
      checkpointDir,
      rewardFunctionPath: o.rewardFunctionPath ?? defaultRewardFunctionPath(),
    },
    nnodes: o.nnodes ?? 1,
    gpusPerNode: o.gpusPerNode ?? stage.resources?.gpus_per_node ?? 1,
  });
  await writeFile(configPath, yaml);
  const env = {
    GRADUS_RUN_ID: o.runId,
    GRADUS_STAGE: String(o.stage),
    GRADUS_DATA_FILES: trainFiles.join(','),
    GRADUS_MODEL_PATH: modelPath,
    GRADUS_CHECKPOINT_DIR: checkpointDir,
    GRADUS_TRAINER_CONFIG: configPath,
    GRADUS_CONFIG_DIR: o.workDir,
    GRADUS_CONFIG_NAME: 'trainer-config',
    GRADUS_TOTAL_STEPS: String(stage.settings.total_steps ?? ''),
    GRADUS_SAVE_EVERY: String(stage.settings.save_every_steps ?? ''),
    // `python3 -m gradus_verl.main_ppo` imports from this checkout's batch/ without an install.
    PYTHONPATH: [pythonPackagesDir(), o.env?.PYTHONPATH ?? process.env.PYTHONPATH]
      .filter(Boolean)
      .join(delimiter),
  };
  return { checkpointDir, resume, env };
}

interface CheckpointSealer {
  /** Seals the step `latest_checkpointed_iteration.txt` names, if it is new; calls run one at a time. */
  sealNewest(): Promise<void>;
  sealed: number[];
  lastSealed(): number;
}

function checkpointSealer(
  o: ExecuteStageOptions,
  checkpointDir: string,
  alreadySealed: number,
  log: (line: string) => void,
): CheckpointSealer {
  let last = alreadySealed;
  const sealed: number[] = [];
  const sealOnce = async () => {
    const text = (await readFile(join(checkpointDir, LATEST_STEP_FILE), 'utf8').catch(() => '')).trim();
    const step = Number(text);
    if (text === '' || !Number.isInteger(step) || step <= last) return;
    const localDir = join(checkpointDir, `global_step_${step}`);
    if (!existsSync(localDir)) return;
    last = step;
    const hfModelPath = existsSync(join(localDir, HF_MODEL_DIR)) ? HF_MODEL_DIR : undefined;
    await sealCheckpoint({ storage: o.storage, runId: o.runId, stage: o.stage, step, localDir, hfModelPath });
    sealed.push(step);
    log(`checkpoint ${step} sealed`);
    o.onEvent?.({ type: 'checkpoint', stage: o.stage, step });
  };
  let chain: Promise<void> = Promise.resolve();
  return {
    sealNewest() {
      chain = chain.then(sealOnce);
      return chain;
    },
    sealed,
    lastSealed: () => last,
  };
}
