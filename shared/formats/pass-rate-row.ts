import { z } from 'zod';
import type { ColumnSpec } from '../io/columns.ts';
import { ProblemId } from './problem-id.ts';

/** A pass rate: the share of a problem's samples a model got right. */
export const PassRate = z.number().min(0).max(1);

/** One row of the pass-rate table: what `gradus rollouts score` writes and `gradus curate` reads. */
export const PassRateRow = z.object({
  problem_id: ProblemId,
  model: z.string().min(1),
  n: z.number().int().min(0),
  correct: z.number().int().min(0),
  pass_rate: PassRate,
});
export type PassRateRow = z.output<typeof PassRateRow>;

/** Its Parquet columns. */
export const PASS_RATE_COLUMNS: ColumnSpec[] = [
  { name: 'problem_id', type: 'string' },
  { name: 'model', type: 'string' },
  { name: 'n', type: 'int' },
  { name: 'correct', type: 'int' },
  { name: 'pass_rate', type: 'double' },
];

/**
 * A pass-rate row as curate reads it: tables made by other tools may give only `pass_rate`, or only `n`
 * and `correct` (`correct` may be fractional, e.g. partial credit).
 */
export const PassRateInput = PassRateRow.extend({
  n: PassRateRow.shape.n.optional(),
  correct: z.number().min(0).optional(),
  pass_rate: PassRate.nullable().optional(),
}).refine((r) => r.pass_rate != null || (r.n !== undefined && r.correct !== undefined && r.n > 0), {
  message: 'a `pass_rate` in [0, 1], or `n` > 0 and `correct`',
  path: ['pass_rate'],
});
export type PassRateInput = z.output<typeof PassRateInput>;
