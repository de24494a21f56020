import { z } from 'zod';
import { evalFiles } from '../eval/prefix.ts';
import { CHECKPOINT_MANIFEST_NAME, CheckpointManifest, RunId } from '../formats/run-contract.ts';
import type { StageManifest } from '../formats/stage-manifest.ts';
import { findJson, StoredJsonError } from '../io/get-json.ts';
import type { Storage } from '../storage/types.ts';
import { type CompleteCheckpoint, runKeys } from './contract.ts';

/**
 * The checkpoint-evaluation part of the stage contract (issue 7: "a checkpoint landing on S3 can trigger an
 * evaluation, opt-in per run manifest"):
 *
 *   runs/<run-id>/stages/<k>/evals/<step>/status.json   CheckpointEvalStatus, claimed once by the trigger
 *   runs/<run-id>/stages/<k>/evals/<step>/results.json  every sample with its verdict (EvalResults)
 *   runs/<run-id>/stages/<k>/evals/<step>/report.md     and report.html
 */
export const evalKeys = {
  folder: (runId: string, stage: number, step: number) => `runs/${runId}/stages/${stage}/evals/${step}/`,
  status: (runId: string, stage: number, step: number) =>
    evalFiles(evalKeys.folder(runId, stage, step)).status,
  results: (runId: string, stage: number, step: number) =>
    evalFiles(evalKeys.folder(runId, stage, step)).results,
  markdown: (runId: string, stage: number, step: number) =>
    evalFiles(evalKeys.folder(runId, stage, step)).markdown,
  html: (runId: string, stage: number, step: number) => evalFiles(evalKeys.folder(runId, stage, step)).html,
};

export interface CheckpointRef {
  runId: string;
  stage: number;
  step: number;
}

const CHECKPOINT_MANIFEST_KEY = new RegExp(
  `^runs/([^/]+)/stages/([1-9][0-9]*)/checkpoints/(0|[1-9][0-9]*)/${CHECKPOINT_MANIFEST_NAME.replace('.', '\\.')}$`,
);

/** The checkpoint a checkpoint-manifest key names, or undefined for any other key. */
export function checkpointOfManifestKey(key: string): CheckpointRef | undefined {
  const m = CHECKPOINT_MANIFEST_KEY.exec(key);
  if (!m || !RunId.safeParse(m[1]).success) return undefined;
  return { runId: m[1] as string, stage: Number(m[2]), step: Number(m[3]) };
}

const EVAL_PREFIX = /^runs\/([^/]+)\/stages\/([1-9][0-9]*)\/evals\/(0|[1-9][0-9]*)\/$/;

/** The checkpoint whose evaluation folder a prefix is, or undefined for any other prefix. */
export function checkpointOfEvalPrefix(prefix: string): CheckpointRef | undefined {
  const m = EVAL_PREFIX.exec(prefix);
  if (!m || !RunId.safeParse(m[1]).success) return undefined;
  return { runId: m[1] as string, stage: Number(m[2]), step: Number(m[3]) };
}

/** `gradus-<run>-s<k>-eval-<step>`: deterministic, within Batch's 128 characters of `[A-Za-z0-9_-]`. */
export function evalJobName(ref: CheckpointRef): string {
  return `gradus-${ref.runId}-s${ref.stage}-eval-${ref.step}`;
}

/** `name` or `name=source`; a source without a scheme is a path inside the run folder. */
export interface EvalBenchmarkEntry {
  name: string;
  source?: string;
}

export function parseBenchmarkEntry(entry: string): EvalBenchmarkEntry {
  const eq = entry.indexOf('=');
  if (eq < 0) return { name: entry.trim() };
  return { name: entry.slice(0, eq).trim(), source: entry.slice(eq + 1).trim() };
}

export const CheckpointEvalState = z.enum(['queued', 'running', 'succeeded', 'failed']);

/** `stages/<k>/evals/<step>/status.json`: claimed once by the trigger, then updated by the eval job. */
export const CheckpointEvalStatus = z
  .object({
    version: z.literal(1),
    run_id: RunId,
    stage: z.number().int().min(1),
    step: z.number().int().min(0),
    state: CheckpointEvalState,
    runner: z.enum(['local', 'batch']),
    job_name: z.string().min(1),
    /** Unset only between the claim and the submission. */
    job_id: z.string().min(1).optional(),
    log_url: z.string().min(1).optional(),
    /** The checkpoint folder's key. */
    checkpoint: z.string().min(1),
    benchmarks: z.array(z.string().min(1)).min(1),
    preset: z.string().min(1),
    attempts: z.number().int().min(0),
    claimed_at: z.iso.datetime(),
    submitted_at: z.iso.datetime().optional(),
    started_at: z.iso.datetime().optional(),
    finished_at: z.iso.datetime().optional(),
    updated_at: z.iso.datetime(),
    /** Accuracy per benchmark once the evaluation succeeded (the samples are in results.json). */
    summary: z
      .array(z.object({ benchmark: z.string(), k: z.number(), metrics: z.record(z.string(), z.unknown()) }))
      .optional(),
    reason: z.string().optional(),
  })
  .strict();
export type CheckpointEvalStatus = z.infer<typeof CheckpointEvalStatus>;

export function readEvalStatus(
  storage: Storage,
  ref: CheckpointRef,
): Promise<CheckpointEvalStatus | undefined> {
  return findJson(storage, evalKeys.status(ref.runId, ref.stage, ref.step), CheckpointEvalStatus);
}

const serialize = (status: CheckpointEvalStatus) =>
  `${JSON.stringify(CheckpointEvalStatus.parse(status), null, 2)}\n`;

/** Writes the status only when none exists. True when this call won the claim. */
export function claimEval(storage: Storage, status: CheckpointEvalStatus): Promise<boolean> {
  return storage.putIfAbsent(evalKeys.status(status.run_id, status.stage, status.step), serialize(status));
}

export async function writeEvalStatus(storage: Storage, status: CheckpointEvalStatus): Promise<void> {
  await storage.put(evalKeys.status(status.run_id, status.stage, status.step), serialize(status));
}

/**
 * The checkpoint if it is complete: its manifest parses, names this stage and step, and every file it
 * lists is on storage with the listed size. Undefined otherwise (never evaluate a half-written one).
 */
export async function readCompleteCheckpoint(
  storage: Storage,
  ref: CheckpointRef,
): Promise<CompleteCheckpoint | undefined> {
  const prefix = runKeys.checkpoint(ref.runId, ref.stage, ref.step);
  let manifest: CheckpointManifest | undefined;
  try {
    manifest = await findJson(
      storage,
      runKeys.checkpointManifest(ref.runId, ref.stage, ref.step),
      CheckpointManifest,
    );
  } catch (err) {
    // A manifest that does not parse is a checkpoint still being written or a broken one: not complete.
    if (err instanceof StoredJsonError) return undefined;
    throw err;
  }
  if (manifest === undefined) return undefined;
  if (manifest.run_id !== ref.runId || manifest.stage !== ref.stage || manifest.step !== ref.step) {
    return undefined;
  }
  const sizes = new Map<string, number>();
  for await (const obj of storage.list(prefix)) sizes.set(obj.key, obj.size);
  if (!manifest.files.every((f) => sizes.get(prefix + f.path) === f.bytes)) return undefined;
  return { stage: ref.stage, step: ref.step, prefix, manifest };
}

/** The opt-in block of a run manifest, when evaluation on checkpoint is on. */
export function evalOptIn(manifest: StageManifest): NonNullable<StageManifest['eval']> | undefined {
  return manifest.eval?.on_checkpoint ? manifest.eval : undefined;
}
