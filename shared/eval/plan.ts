import { z } from '@hono/zod-openapi';
import { EndpointConfig, SamplingParams } from './generate/schema.ts';

export const BenchmarkChoice = z
  .object({
    name: z.string().min(1).openapi({ example: 'aime24' }),
    source: z
      .string()
      .min(1)
      .optional()
      .openapi({
        description:
          'Local path, file://, s3:// or http(s):// URL of the benchmark file (JSONL, JSON or Parquet). ' +
          "Default: the benchmark's file in the benchmark folder. Through the API: local files only under " +
          "the benchmark folder or the storage root; URLs only on the operator's GRADUS_EVAL_ALLOWED_SOURCES " +
          '(none by default), redirects included, up to GRADUS_EVAL_MAX_SOURCE_BYTES (64 MiB by default).',
      }),
  })
  .openapi('BenchmarkChoice');
export type BenchmarkChoice = z.infer<typeof BenchmarkChoice>;

/** What to evaluate and how: the body of POST /v1/eval, and what `gradus eval` builds from its flags. */
export const EvalPlan = z
  .object({
    benchmarks: z.array(BenchmarkChoice).min(1),
    preset: z.string().default('paper'),
    model: EndpointConfig.optional().openapi({
      description: 'Generate with this endpoint; or give responses.',
    }),
    responses: z
      .string()
      .min(1)
      .optional()
      .openapi({
        description:
          'Score pre-generated responses instead: rollouts rows {benchmark?, problem_id, sample?, response, ' +
          'finish_reason?, usage?} (JSONL or Parquet; path or URL, allowed as for a benchmark source).',
      }),
    k: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .optional()
      .openapi({ description: "Samples per problem (default: the preset's)." }),
    limit: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: 'Only the first N problems of each benchmark.' }),
    sampling: SamplingParams.partial().optional(),
    template: z.string().includes('{problem}').optional(),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .optional()
      .openapi({
        description:
          'Requests in flight to the endpoint (default 16). Through the API at most ' +
          'GRADUS_EVAL_MAX_CONCURRENCY (64 by default).',
      }),
    label: z.string().min(1).optional(),
    seed: z.number().int().min(0).default(0).openapi({ description: 'Seed of the bootstrap intervals.' }),
  })
  .refine((p) => (p.model === undefined) !== (p.responses === undefined), {
    message: 'give exactly one of "model" (generate) and "responses" (score pre-generated responses)',
    path: ['model'],
  })
  .openapi('EvalPlan');
export type EvalPlan = z.output<typeof EvalPlan>;
export type EvalPlanInput = z.input<typeof EvalPlan>;
