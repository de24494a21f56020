import { z } from 'zod';

/**
 * Wire formats of a staged run on storage (see docs/staged-training.md). Every file a job, the
 * trigger or the CLI writes under `runs/<run-id>/` is one of these.
 */

export const RunId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, "_" and "-" only, starting with a letter or digit');

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');
const CheckpointPath = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith('/') && !p.split('/').includes('..') && p !== CHECKPOINT_MANIFEST_NAME,
    'a path inside the checkpoint folder, without "..", other than the checkpoint manifest',
  );

/** The checkpoint manifest's file name inside `stages/<k>/checkpoints/<step>/`. Written last. */
export const CHECKPOINT_MANIFEST_NAME = 'checkpoint.json';

export const CheckpointFile = z.object({
  path: CheckpointPath,
  bytes: z.number().int().min(0),
  sha256: Sha256,
});
export type CheckpointFile = z.infer<typeof CheckpointFile>;

/** The fields every file of a stage starts with: the format version, the run and the stage. */
export const stageFileFields = {
  version: z.literal(1),
  run_id: RunId,
  stage: z.number().int().min(1),
};

/** `stages/<k>/checkpoints/<step>/checkpoint.json`: its presence is what makes a checkpoint complete. */
export const CheckpointManifest = z
  .object({
    ...stageFileFields,
    step: z.number().int().min(0),
    created_at: z.iso.datetime(),
    /** Where the model in HF format sits inside the checkpoint, when the trainer exported one. */
    hf_model_path: z.string().min(1).optional(),
    files: z.array(CheckpointFile).min(1),
  })
  .strict();
export type CheckpointManifest = z.infer<typeof CheckpointManifest>;

export const StageState = z.enum(['queued', 'running', 'succeeded', 'failed']);
export type StageState = z.infer<typeof StageState>;

/** `stages/<k>/status.json`. Claimed once with a conditional write, then updated by the job. */
export const StageStatus = z
  .object({
    ...stageFileFields,
    state: StageState,
    runner: z.enum(['local', 'batch']),
    job_name: z.string().min(1),
    /** Unset only between the claim and the submission. */
    job_id: z.string().min(1).optional(),
    /** Every job id this stage has had (a local re-run gets a new one). */
    job_ids: z.array(z.string().min(1)).default([]),
    attempts: z.number().int().min(0),
    log_url: z.string().min(1).optional(),
    /** The checkpoint the stage started from: `base:<model>` or `stages/<k>/checkpoints/<step>/`. */
    init_checkpoint: z.string().min(1).optional(),
    /** Set when the stage ended before `total_steps` by its plateau rule (`reason` says why). */
    ended_by: z.literal('plateau').optional(),
    /** Set with `ended_by`: the checkpoint the next stage starts from (else the newest complete one). */
    final_checkpoint: z.string().min(1).optional(),
    claimed_at: z.iso.datetime(),
    submitted_at: z.iso.datetime().optional(),
    started_at: z.iso.datetime().optional(),
    finished_at: z.iso.datetime().optional(),
    updated_at: z.iso.datetime(),
    reason: z.string().optional(),
  })
  .strict();
export type StageStatus = z.infer<typeof StageStatus>;

export const RunErrorIssue = z.object({ path: z.string(), message: z.string() });

/** `runs/<run-id>/error.json`: why the run was not started. Nothing is submitted when it is written. */
export const RunError = z
  .object({
    version: z.literal(1),
    run_id: z.string(),
    code: z.enum(['INVALID_MANIFEST', 'MISSING_DATA', 'SUBMIT_FAILED']),
    message: z.string(),
    issues: z.array(RunErrorIssue).default([]),
    source_key: z.string(),
    at: z.iso.datetime(),
  })
  .strict();
export type RunError = z.infer<typeof RunError>;
