import { z } from 'zod';
import { HandOff, StageUntil } from '../curriculum/stage-end.ts';

/**
 * The stage manifest: what `gradus curate` writes next to the stage datasets and what the staged
 * training jobs read. Paths inside it are relative to the manifest's own folder, so a run copied from
 * local disk to S3 (or back) stays valid.
 */

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');
const RelativePath = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith('/') && !p.split('/').includes('..'),
    'a path relative to the manifest, without ".."',
  );

export const StageDataFile = z
  .object({
    path: RelativePath,
    rows: z.number().int().min(0),
    bytes: z.number().int().min(0),
    sha256: Sha256,
  })
  .strict();
export type StageDataFile = z.infer<typeof StageDataFile>;

/** Trainer settings of one stage; names follow the paper (section 4), values feed the trainer config. */
export const StageSettings = z
  .object({
    max_response_length: z.number().int().min(1),
    max_prompt_length: z.number().int().min(1).optional(),
    learning_rate: z.number().positive().optional(),
    samples_per_prompt: z.number().int().min(1).optional(),
    train_batch_size: z.number().int().min(1).optional(),
    kl_coef: z.number().min(0).optional(),
    entropy_coef: z.number().min(0).optional(),
    /** Stage 2 of the paper: truncated responses are left out of the loss. */
    mask_truncated: z.boolean().optional(),
    temperature: z.number().min(0).optional(),
    total_steps: z.number().int().min(1).optional(),
    save_every_steps: z.number().int().min(1).optional(),
    /** Ends the stage before `total_steps` (see stage-end.ts): `{plateau: {metric, min_delta, patience, mode}}`. */
    until: StageUntil.optional(),
    /** What a stage the plateau rule ended hands on: `best` or `last` (default) checkpoint. */
    checkpoint: HandOff.optional(),
    /** Raw trainer overrides (e.g. verl's dotted keys), applied last. */
    trainer_overrides: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .strict();
export type StageSettings = z.infer<typeof StageSettings>;

export const StageResources = z
  .object({
    nodes: z.number().int().min(1).optional(),
    gpus_per_node: z.number().int().min(1).optional(),
  })
  .strict();

export const Stage = z
  .object({
    /** 1-based position; stage k+1 starts from stage k's final checkpoint. */
    index: z.number().int().min(1),
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only'),
    levels: z.array(z.string().min(1)).min(1),
    data: z.array(StageDataFile).min(1),
    settings: StageSettings,
    /** Resources the job asks for; defaults come from the deployment. */
    resources: StageResources.optional(),
  })
  .strict();
export type Stage = z.infer<typeof Stage>;

/** Evaluation of each checkpoint as it lands: the spec's `eval` and the manifest's. */
export const StageEval = z
  .object({
    on_checkpoint: z.boolean(),
    benchmarks: z.array(z.string().min(1)).min(1),
    preset: z.string().optional(),
  })
  .strict();
export type StageEval = z.infer<typeof StageEval>;

export const StageManifest = z
  .object({
    version: z.literal(1),
    /** Name of the curriculum spec (or preset) that produced it. */
    curriculum: z.string().min(1),
    created_at: z.string().datetime(),
    seed: z.number().int(),
    /** Checkpoint stage 1 starts from: a model id, a path or an s3:// URL. */
    base_model: z.string().min(1).optional(),
    stages: z
      .array(Stage)
      .min(1)
      .refine(
        (stages) => stages.every((s, i) => s.index === i + 1),
        'stages are numbered 1, 2, ... in order',
      ),
    /** Opt-in evaluation when a checkpoint lands (issue: benchmark evaluation). */
    eval: StageEval.optional(),
    /** Free-form provenance: spec hash, inputs, counts per level. */
    info: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type StageManifest = z.infer<typeof StageManifest>;
