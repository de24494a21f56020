import { stageEndIssues } from '../curriculum/stage-end.ts';
import {
  CHECKPOINT_MANIFEST_NAME,
  CheckpointManifest,
  RunError,
  type RunError as RunErrorType,
  RunId,
  StageStatus,
  type StageStatus as StageStatusType,
} from '../formats/run-contract.ts';
import { type Stage, StageManifest } from '../formats/stage-manifest.ts';
import { findJson, parseStoredJson, StoredJsonError } from '../io/get-json.ts';
import type { Storage } from '../storage/types.ts';

/**
 * The stage contract: where a run's files live on storage and how they are read. Keys are relative to
 * the storage root (a local directory or an S3 bucket/prefix).
 *
 *   runs/<run-id>/manifest.json                                the stage manifest (issue 5)
 *   runs/<run-id>/error.json                                   why the run was rejected
 *   runs/<run-id>/stages/<k>/data/...                          stage data (paths as in the manifest)
 *   runs/<run-id>/stages/<k>/status.json                       StageStatus
 *   runs/<run-id>/stages/<k>/checkpoints/<step>/...            checkpoint files
 *   runs/<run-id>/stages/<k>/checkpoints/<step>/checkpoint.json  CheckpointManifest, written last
 */
export const runKeys = {
  run: (runId: string) => `runs/${runId}/`,
  manifest: (runId: string) => `runs/${runId}/manifest.json`,
  error: (runId: string) => `runs/${runId}/error.json`,
  stage: (runId: string, stage: number) => `runs/${runId}/stages/${stage}/`,
  status: (runId: string, stage: number) => `runs/${runId}/stages/${stage}/status.json`,
  checkpoints: (runId: string, stage: number) => `runs/${runId}/stages/${stage}/checkpoints/`,
  checkpoint: (runId: string, stage: number, step: number) =>
    `runs/${runId}/stages/${stage}/checkpoints/${step}/`,
  checkpointManifest: (runId: string, stage: number, step: number) =>
    `runs/${runId}/stages/${stage}/checkpoints/${step}/${CHECKPOINT_MANIFEST_NAME}`,
  /** A manifest data path is relative to the manifest's folder, i.e. the run folder. */
  data: (runId: string, path: string) => `runs/${runId}/${path}`,
};

const MANIFEST_KEY = /^runs\/([^/]+)\/manifest\.json$/;

/** The run id of a manifest key (`runs/<run-id>/manifest.json`), or undefined for any other key. */
export function runIdOfManifestKey(key: string): string | undefined {
  return MANIFEST_KEY.exec(key)?.[1];
}

export interface Issue {
  path: string;
  message: string;
}

export type ManifestResult =
  | { ok: true; manifest: StageManifest }
  | { ok: false; code: RunErrorType['code']; message: string; issues: Issue[] };

/** Reads and validates a run's manifest, then checks that every data file it names is on storage. */
export async function readRunManifest(storage: Storage, runId: string): Promise<ManifestResult> {
  const key = runKeys.manifest(runId);
  if (!RunId.safeParse(runId).success) {
    const message = `run id "${runId}" must be letters, digits, "_" and "-" (at most 64)`;
    return { ok: false, code: 'INVALID_MANIFEST', message, issues: [{ path: key, message }] };
  }
  let manifest: StageManifest;
  try {
    const found = await findJson(storage, key, StageManifest);
    if (found === undefined)
      return { ok: false, code: 'INVALID_MANIFEST', message: `${key} not found`, issues: [] };
    manifest = found;
  } catch (err) {
    if (!(err instanceof StoredJsonError)) throw err;
    return { ok: false, code: 'INVALID_MANIFEST', message: err.message, issues: [...err.issues] };
  }
  const ends = manifest.stages.flatMap((stage) =>
    stageEndIssues(stage.settings, manifest.eval).map((issue) => ({
      path: ['stages', stage.index - 1, 'settings', ...issue.path].join('.'),
      message: issue.message,
    })),
  );
  if (ends.length > 0) {
    const first = ends[0] as Issue;
    return {
      ok: false,
      code: 'INVALID_MANIFEST',
      message: `${key}: ${first.path}: ${first.message}`,
      issues: ends,
    };
  }
  const missing: Issue[] = [];
  for (const stage of manifest.stages) {
    for (const [i, file] of stage.data.entries()) {
      const info = await storage.head(runKeys.data(runId, file.path));
      if (info === undefined) {
        missing.push({ path: `stages.${stage.index - 1}.data.${i}.path`, message: `${file.path} not found` });
      } else if (info.size !== file.bytes) {
        const message = `${file.path} has ${info.size} bytes, the manifest says ${file.bytes}`;
        missing.push({ path: `stages.${stage.index - 1}.data.${i}.bytes`, message });
      }
    }
  }
  if (missing.length > 0) {
    const message = `${key}: ${missing.length} data file(s) missing or of the wrong size (first: ${missing[0]?.message})`;
    return { ok: false, code: 'MISSING_DATA', message, issues: missing };
  }
  return { ok: true, manifest };
}

export async function writeRunError(
  storage: Storage,
  runId: string,
  error: Omit<RunErrorType, 'version' | 'run_id' | 'at'>,
): Promise<RunErrorType> {
  const body = RunError.parse({ version: 1, run_id: runId, at: new Date().toISOString(), ...error });
  await storage.put(runKeys.error(runId), `${JSON.stringify(body, null, 2)}\n`);
  return body;
}

export interface CompleteCheckpoint {
  stage: number;
  step: number;
  /** Storage key of the checkpoint folder, ending in `/`. */
  prefix: string;
  manifest: CheckpointManifest;
}

const STEP_DIR = /^(\d+)\//;

/**
 * The stage's complete checkpoints, oldest first. A checkpoint is complete when its checkpoint manifest
 * parses and every file it lists is on storage with the listed size; anything else (a crash mid-upload)
 * is skipped, never used.
 */
export async function completeCheckpoints(
  storage: Storage,
  runId: string,
  stage: number,
): Promise<CompleteCheckpoint[]> {
  const base = runKeys.checkpoints(runId, stage);
  const sizes = new Map<string, number>();
  for await (const obj of storage.list(base)) sizes.set(obj.key, obj.size);
  const steps = new Set<number>();
  for (const key of sizes.keys()) {
    const m = STEP_DIR.exec(key.slice(base.length));
    if (m?.[1] !== undefined) steps.add(Number(m[1]));
  }
  const found: CompleteCheckpoint[] = [];
  for (const step of [...steps].sort((a, b) => a - b)) {
    const prefix = runKeys.checkpoint(runId, stage, step);
    const manifestKey = runKeys.checkpointManifest(runId, stage, step);
    if (!sizes.has(manifestKey)) continue;
    const text = await storage.getText(manifestKey);
    if (text === undefined) continue;
    let manifest: CheckpointManifest;
    try {
      manifest = parseStoredJson(manifestKey, text, CheckpointManifest);
    } catch (err) {
      if (err instanceof StoredJsonError) continue;
      throw err;
    }
    if (manifest.step !== step || manifest.stage !== stage) continue;
    const allThere = manifest.files.every((f) => sizes.get(prefix + f.path) === f.bytes);
    if (allThere) found.push({ stage, step, prefix, manifest });
  }
  return found;
}

/** The newest complete checkpoint of a stage, or undefined when it has none. */
export async function latestCompleteCheckpoint(
  storage: Storage,
  runId: string,
  stage: number,
): Promise<CompleteCheckpoint | undefined> {
  return (await completeCheckpoints(storage, runId, stage)).at(-1);
}

export type InitCheckpoint =
  | { kind: 'base'; model: string }
  | { kind: 'checkpoint'; checkpoint: CompleteCheckpoint };

const CHECKPOINT_STEP = /\/checkpoints\/(\d{1,12})\/$/;

/** The step of a checkpoint folder key (`runs/<id>/stages/<k>/checkpoints/<step>/`). */
export function stepOfCheckpointKey(key: string): number | undefined {
  const m = CHECKPOINT_STEP.exec(key);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** A short text form for status.json and the environment: `base:<model>` or the checkpoint's key. */
export function describeInit(init: InitCheckpoint): string {
  return init.kind === 'base' ? `base:${init.model}` : init.checkpoint.prefix;
}

/**
 * Where stage k starts: the base model for stage 1, the previous stage's final checkpoint after that:
 * the one its status names (`final_checkpoint`, set when its plateau rule ended it), else its newest
 * complete one. Undefined when that checkpoint is not complete.
 */
export async function initCheckpoint(
  storage: Storage,
  runId: string,
  manifest: StageManifest,
  stage: number,
  defaultBaseModel?: string,
): Promise<InitCheckpoint | undefined> {
  if (stage === 1) {
    const model = manifest.base_model ?? defaultBaseModel;
    return model === undefined ? undefined : { kind: 'base', model };
  }
  const chosen = (await readStageStatus(storage, runId, stage - 1))?.final_checkpoint;
  const previous =
    chosen === undefined
      ? await latestCompleteCheckpoint(storage, runId, stage - 1)
      : (await completeCheckpoints(storage, runId, stage - 1)).find((c) => c.prefix === chosen);
  return previous && { kind: 'checkpoint', checkpoint: previous };
}

export function stageOf(manifest: StageManifest, index: number): Stage {
  const stage = manifest.stages[index - 1];
  if (stage === undefined) throw new RangeError(`the manifest has no stage ${index}`);
  return stage;
}

export function readStageStatus(
  storage: Storage,
  runId: string,
  stage: number,
): Promise<StageStatusType | undefined> {
  return findJson(storage, runKeys.status(runId, stage), StageStatus);
}

function serialize(status: StageStatusType): string {
  return `${JSON.stringify(StageStatus.parse(status), null, 2)}\n`;
}

/** Claims a stage: writes its status only when none exists. True when this call won the claim. */
export function claimStage(storage: Storage, status: StageStatusType): Promise<boolean> {
  return storage.putIfAbsent(runKeys.status(status.run_id, status.stage), serialize(status));
}

export async function writeStageStatus(storage: Storage, status: StageStatusType): Promise<void> {
  await storage.put(runKeys.status(status.run_id, status.stage), serialize(status));
}

/** Reads, changes and writes back a stage's status (last writer wins: only one job runs a stage). */
export async function updateStageStatus(
  storage: Storage,
  runId: string,
  stage: number,
  change: (current: StageStatusType) => Partial<StageStatusType>,
): Promise<StageStatusType> {
  const current = await readStageStatus(storage, runId, stage);
  if (current === undefined)
    throw new Error(`${runKeys.status(runId, stage)} not found: claim the stage first`);
  const next = { ...current, ...change(current), updated_at: new Date().toISOString() };
  await writeStageStatus(storage, next);
  return next;
}
