import { z } from 'zod';
import { StageEval, StageResources, StageSettings } from '../formats/stage-manifest.ts';
import { Condition } from './rules.ts';
import { mergeSettings } from './settings.ts';
import { crossCheckSpec } from './spec-checks.ts';

/**
 * A curriculum spec: which reference models were scored, the rules that put problems into difficulty
 * levels, and the stages that train on those levels. Written as YAML or JSON; see presets/paper.yaml.
 */

const Name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only');

/** Where a model's pass rate comes from: rows of the long table with this `model`, or a wide table's column. */
export const ModelSource = z.union([
  z.object({ model: z.string().min(1), description: z.string().optional() }).strict(),
  z.object({ column: z.string().min(1), description: z.string().optional() }).strict(),
]);
export type ModelSource = z.infer<typeof ModelSource>;

export const LevelSpec = z
  .object({
    description: z.string().optional(),
    when: Condition,
  })
  .strict();
export type LevelSpec = z.infer<typeof LevelSpec>;

/** One place a stage draws problems from: a level, optionally only one ability (e.g. L3 code). */
export const StageSource = z.object({ level: Name, ability: z.string().min(1).optional() }).strict();
export type StageSource = z.infer<typeof StageSource>;

/** Relative weights per ability, e.g. {math: 2.1, code: 1}. */
export const Mix = z
  .record(z.string().min(1), z.number().positive())
  .refine((m) => Object.keys(m).length > 0, 'at least one ability weight, e.g. {math: 2.1, code: 1}');

export const StageSpec = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only'),
    description: z.string().optional(),
    /** Shorthand for `sources` with every ability of each level. */
    levels: z.array(Name).min(1).optional(),
    sources: z.array(StageSource).min(1).optional(),
    /** Subsample abilities to these proportions (abilities not listed are left out). */
    mix: Mix.optional(),
    /** Merged over the spec's `defaults`; the result must be a complete `StageSettings`. */
    settings: StageSettings.partial().default({}),
    resources: StageResources.optional(),
  })
  .strict();
export type StageSpec = z.infer<typeof StageSpec>;

export const CurriculumSpecShape = z
  .object({
    name: Name,
    description: z.string().optional(),
    /** Seeds every sampling decision; same seed and inputs, same output. */
    seed: z.number().int({ error: 'expected an integer' }).default(0),
    data: z
      .object({
        /** Dotted path of the problem id in a dataset row (matched to the pass rates' `problem_id`). */
        id_field: z.string().min(1).default('extra_info.problem_id'),
        /** Dotted path of the ability ("math", "code", ...) in a dataset row. */
        ability_field: z.string().min(1).default('ability'),
      })
      .strict()
      .default({ id_field: 'extra_info.problem_id', ability_field: 'ability' }),
    models: z
      .record(Name, ModelSource)
      .refine((m) => Object.keys(m).length > 0, 'at least one model, e.g. {"1.5b": {model: "..."}}'),
    /** A problem without a pass rate for a model the rules use: leave it out, or stop with an error. */
    missing_pass_rate: z.enum(['drop', 'error']).default('drop'),
    /** Problems failing this are in no level (the paper drops what R1 never solves). */
    filter: Condition.optional(),
    /** Level name -> rule. A problem may be in several levels. */
    levels: z.record(Name, LevelSpec).refine((l) => Object.keys(l).length > 0, 'at least one level'),
    /** Settings every stage starts from. */
    defaults: StageSettings.partial().default({}),
    base_model: z.string().min(1).optional(),
    stages: z.array(StageSpec).min(1),
    eval: StageEval.optional(),
  })
  .strict()
  .strict();

/** The spec, with its names checked against each other (see spec-checks.ts). */
export const CurriculumSpec = CurriculumSpecShape.superRefine((spec, ctx) => {
  for (const issue of crossCheckSpec(spec)) ctx.addIssue({ code: 'custom', ...issue });
});
export type CurriculumSpec = z.infer<typeof CurriculumSpec>;

/** The stage's sources, with `levels` expanded. */
export function stageSources(stage: StageSpec): StageSource[] {
  return stage.sources ?? (stage.levels ?? []).map((level) => ({ level }));
}

/** The complete settings of a stage (the spec was validated, so this parses). */
export function stageSettings(spec: CurriculumSpec, stage: StageSpec): StageSettings {
  return StageSettings.parse(mergeSettings(spec.defaults, stage.settings));
}
