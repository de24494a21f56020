import { z } from '@hono/zod-openapi';
import { Usage } from '../formats/rollout-row.ts';
import { SamplingParams } from './generate/schema.ts';

const Interval = z.object({ low: z.number(), high: z.number() });
const LengthStats = z.object({ mean: z.number(), median: z.number(), p90: z.number(), max: z.number() });
const GroupScore = z.object({ problems: z.number(), avg: z.number() });

export const BenchmarkMetrics = z
  .object({
    problems: z.number(),
    samples: z.number(),
    k: z.number(),
    avg: z.number().openapi({ description: 'avg@k: mean over problems of the share of correct samples.' }),
    ci95: Interval.openapi({ description: 'Bootstrap 95% interval of avg (problems resampled, seeded).' }),
    passAt: z.record(z.string(), z.number()).openapi({ description: 'Unbiased pass@k by k.' }),
    majAtK: z.number().optional(),
    truncationRate: z.number().openapi({ description: 'Share of samples with finish_reason "length".' }),
    lengthChars: LengthStats,
    lengthTokens: LengthStats.optional(),
    bySubject: z.record(z.string(), GroupScore).optional(),
    byLevel: z.record(z.string(), GroupScore).optional(),
  })
  .openapi('BenchmarkMetrics');

/** One sample with its verdict, for audit. */
export const EvalSample = z
  .object({
    problem_id: z.string(),
    sample: z.number().int(),
    response: z.string(),
    finish_reason: z.string().nullable(),
    usage: Usage.nullable(),
    score: z.number(),
    correct: z.boolean(),
    status: z.string(),
    extracted: z.string().nullable(),
    reason: z.string().optional(),
  })
  .openapi('EvalSample');
export type EvalSample = z.infer<typeof EvalSample>;

export const BenchmarkResult = z
  .object({
    benchmark: z.string(),
    title: z.string(),
    task: z.enum(['math', 'code']),
    source: z.string().openapi({ description: 'The file the problems were read from.' }),
    k: z.number().int(),
    metrics: BenchmarkMetrics,
    samples: z.array(EvalSample),
  })
  .openapi('BenchmarkResult');
export type BenchmarkResult = z.infer<typeof BenchmarkResult>;

export const EvalResults = z
  .object({
    version: z.literal(1),
    label: z.string().openapi({ description: 'Names this result in comparisons (default: the model).' }),
    model: z.string(),
    endpoint: z.string().optional(),
    preset: z.string(),
    sampling: SamplingParams.optional().openapi({
      description: 'Absent when pre-generated responses were scored.',
    }),
    created: z.string(),
    benchmarks: z.array(BenchmarkResult),
  })
  .openapi('EvalResults');
export type EvalResults = z.infer<typeof EvalResults>;

/** Reads a results file's JSON; a mismatch names the first field that is wrong. */
export function parseResults(json: unknown, name: string): EvalResults {
  const parsed = EvalResults.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${name}: not a gradus eval results file (field "${issue?.path.join('.')}": ${issue?.message})`,
    );
  }
  return parsed.data;
}
