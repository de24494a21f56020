import { z } from '@hono/zod-openapi';
import { BenchmarkMetrics } from './results.ts';

export const EvalState = z.enum(['queued', 'running', 'succeeded', 'failed']);
export type EvalState = z.infer<typeof EvalState>;

export const BenchmarkProgress = z
  .object({
    benchmark: z.string(),
    phase: z.enum(['pending', 'load', 'generate', 'score', 'done']),
    done: z.number(),
    total: z.number(),
  })
  .openapi('BenchmarkProgress');
export type BenchmarkProgress = z.infer<typeof BenchmarkProgress>;

/** What GET /v1/eval/<id> answers: progress while running, metrics once done (samples are in the files). */
export const EvalStatus = z
  .object({
    id: z.string(),
    state: EvalState,
    mode: z.enum(['in-process', 'job']),
    created_at: z.string(),
    updated_at: z.string(),
    progress: z.array(BenchmarkProgress),
    job: z
      .object({ id: z.string(), state: z.string().optional(), log_url: z.string().optional() })
      .optional(),
    error: z.string().optional(),
    summary: z
      .array(z.object({ benchmark: z.string(), title: z.string(), k: z.number(), metrics: BenchmarkMetrics }))
      .optional(),
    files: z.object({ results: z.string(), markdown: z.string(), html: z.string() }).optional().openapi({
      description: 'Storage URLs of the results (every sample with its verdict) and the reports.',
    }),
  })
  .openapi('EvalStatus');
export type EvalStatus = z.infer<typeof EvalStatus>;

/**
 * A stored status as read back: written before the wire went snake_case (`created`, `updated`,
 * `job.logUrl`), it is read as the current shape. Remove once no such status is kept (one release).
 */
export const StoredEvalStatus = z.preprocess((value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const { created, updated, ...rest } = value as Record<string, unknown>;
  const status: Record<string, unknown> = { created_at: created, updated_at: updated, ...rest };
  const job = status.job as Record<string, unknown> | undefined;
  if (job && typeof job === 'object' && 'logUrl' in job) {
    const { logUrl, ...others } = job;
    status.job = { log_url: logUrl, ...others };
  }
  return status;
}, EvalStatus);
