import { z } from 'zod';
import { ProblemId } from './problem-id.ts';

/** Token counts the endpoint reported for a request (absent when it reported none). */
export const Usage = z.object({
  prompt_tokens: z.number().optional(),
  completion_tokens: z.number().optional(),
});
export type Usage = z.infer<typeof Usage>;

/**
 * One sampled response of one model to one problem: a line of a rollouts file (JSONL only), which is
 * also the resume journal of `gradus rollouts sample` and of an evaluation. `finish_reason` is the
 * endpoint's (`stop`, or `length` when cut at max tokens).
 */
export const RolloutRow = z.object({
  problem_id: ProblemId,
  model: z.string().min(1),
  sample: z.number().int().min(0),
  response: z.string(),
  finish_reason: z.string().nullable(),
  usage: Usage.nullable(),
});
export type RolloutRow = z.output<typeof RolloutRow>;

/**
 * The fields of a rollout row that scoring reads (`gradus rollouts score`): rollouts made by other tools
 * may carry only these, checked as RolloutRow checks them.
 */
export const ScoredRollout = RolloutRow.pick({ problem_id: true, model: true, response: true });
export type ScoredRollout = z.output<typeof ScoredRollout>;

/**
 * A rollout row as `gradus eval --responses` reads it: responses generated elsewhere may lack `model`,
 * `sample`, `finish_reason` and `usage`, and may name the `benchmark` they answer.
 */
export const ResponseRow = RolloutRow.partial({
  model: true,
  sample: true,
  finish_reason: true,
  usage: true,
}).extend({
  benchmark: z.string().optional(),
});
export type ResponseRow = z.output<typeof ResponseRow>;
