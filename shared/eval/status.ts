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
    created: z.string(),
    updated: z.string(),
    progress: z.array(BenchmarkProgress),
    job: z.object({ id: z.string(), state: z.string().optional(), logUrl: z.string().optional() }).optional(),
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

export const evalKeys = {
  plan: (id: string) => `evals/${id}/plan.json`,
  status: (id: string) => `evals/${id}/status.json`,
  results: (id: string) => `evals/${id}/results.json`,
  markdown: (id: string) => `evals/${id}/report.md`,
  html: (id: string) => `evals/${id}/report.html`,
};

export const EVAL_ID = /^ev-[a-z0-9-]{6,64}$/;
