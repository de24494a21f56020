import { z } from '@hono/zod-openapi';
import { rewardError } from '../errors.ts';
import { isProblem, parseItem } from '../job.ts';
import type { RewardError, RewardItem, RewardResult } from '../schema.ts';
import { failedResult, type RewardScorer } from '../score.ts';
import { strictObject } from '../wire.ts';

/**
 * Query parameters every trainer route accepts. Trainers send fixed bodies, but their reward URL is free
 * text, so per-deployment choices (which scorer, which reward for a wrong answer) ride on the URL.
 */
export const TrainerQuery = strictObject(
  {
    task: z.string().min(1).optional().openapi({
      description:
        'Scorer for every sample ("math" or "code"); default: by data_source, else code when the label is tests, else math.',
      example: 'math',
    }),
    data_source: z.string().min(1).optional().openapi({
      description:
        'data_source for every sample that does not carry one (routes to a scorer like RewardItem.data_source).',
    }),
    min_reward: z.coerce
      .number()
      .min(-100)
      .max(0)
      .optional()
      .openapi({
        description:
          'Reward for a wrong answer (0% of tests passed); a correct one gets 1 and pass rates scale linearly between. ' +
          'Default 0; -1 gives the +1/-1 convention of verl math_dapo.',
        example: -1,
      }),
  },
  'query parameters are',
).openapi('TrainerQuery');
export type TrainerQuery = z.infer<typeof TrainerQuery>;

/** The trainer-facing reward: `score` (0..1) mapped linearly onto [min_reward, 1]. */
export function scaledReward(score: number, query: TrainerQuery): number {
  const low = query.min_reward ?? 0;
  return low + (1 - low) * score;
}

/** A chat message as trainers store prompts (verl parquet rows, slime samples without a chat template). */
export { ChatMessage } from '../../formats/chat-message.ts';

/** A trainer's sample mapped onto a RewardItem, or the reason it cannot be scored (message without its path). */
export type Mapped = { item: RewardItem } | { problem: RewardError; item?: Partial<RewardItem> };

/**
 * Turns a dataset label (any JSON the trainer read from its label column) into a RewardItem gold: strings,
 * objects and lists stay as they are (math golds, or tests in any layout), a list of numbers becomes a list
 * of answers.
 */
export function goldOf(
  label: unknown,
  path: string,
): { gold: RewardItem['ground_truth'] } | { problem: RewardError } {
  if (typeof label === 'string' || (typeof label === 'number' && Number.isFinite(label)))
    return { gold: label };
  if (Array.isArray(label)) {
    if (label.length === 0)
      return { problem: labelProblem('an empty list is neither a gold nor tests', path) };
    if (label.every((x) => typeof x === 'number')) return { gold: label.map(String) };
    return { gold: label };
  }
  if (isPlainObject(label)) return { gold: label };
  if (label === undefined) return { problem: labelProblem('required', path) };
  const got = label === null ? 'null' : typeof label;
  return { problem: labelProblem(`expected a gold answer or tests, got ${got}`, path) };
}

/** A problem's message carries no path: whoever reports it prefixes the path it knows. */
function labelProblem(message: string, path: string): RewardError {
  return rewardError('VALIDATION_ERROR', message, path);
}

/** One sample as a trainer describes it, before mapping. */
export interface TrainerSample {
  response: string;
  label: unknown;
  /** Where the label sits in the request, for error messages ("labels.3"). */
  labelPath: string;
  data_source?: string;
  extra_info?: unknown;
}

/**
 * Builds the item with the route-wide defaults filled in, and checks it as a RewardItem is checked (its
 * task guessed by the same rules: data_source, else tests are code, else math); never throws.
 */
export function mapItem(sample: TrainerSample, query: TrainerQuery): Mapped {
  const dataSource = sample.data_source ?? query.data_source;
  const base: Partial<RewardItem> = {
    ...(query.task === undefined ? {} : { task: query.task }),
    ...(dataSource === undefined ? {} : { data_source: dataSource }),
  };
  const gold = goldOf(sample.label, sample.labelPath);
  if ('problem' in gold) return { problem: gold.problem, item: base };
  const item: RewardItem = { ...base, response: sample.response, ground_truth: gold.gold };
  if (isPlainObject(sample.extra_info)) item.extra_info = sample.extra_info;
  const job = parseItem(item);
  if (!isProblem(job)) return { item };
  // The label and the query's defaults are what the trainer sent: name those, not the item's fields.
  const path = job.path === 'ground_truth' ? sample.labelPath : job.path;
  return { problem: rewardError(job.code, job.message, path), item: base };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Scores the mappable samples in one scorer call; the others get a zero-score `error` result naming
 * the problem. Results come back in sample order.
 */
export async function scoreMapped(scorer: RewardScorer, mapped: Mapped[]): Promise<RewardResult[]> {
  const items: RewardItem[] = [];
  for (const m of mapped) if (!('problem' in m)) items.push(m.item);
  const scored = items.length > 0 ? await scorer.score(items) : [];
  let next = 0;
  return mapped.map((m) => {
    if ('problem' in m) {
      const { code, message, path } = m.problem;
      return failedResult(m.item, 'error', `${code}: ${path === undefined ? '' : `${path}: `}${message}`);
    }
    const result = scored[next++];
    if (result === undefined) throw new Error('the scorer returned fewer results than items');
    return result;
  });
}
