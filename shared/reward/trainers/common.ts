import { z } from '@hono/zod-openapi';
import type { core } from 'zod';
import { rewardError } from '../errors.ts';
import { checkItem } from '../options.ts';
import type { RewardError, RewardItem, RewardResult } from '../schema.ts';
import { failedResult, type RewardScorer } from '../score.ts';

/**
 * Query parameters every trainer route accepts. Trainers send fixed bodies, but their reward URL is free
 * text, so per-deployment choices (which scorer, which reward for a wrong answer) ride on the URL.
 */
export const TrainerQuery = z
  .object({
    task: z.string().min(1).optional().openapi({
      description:
        'Scorer for every sample that does not name one ("math" or "code"); default: by data_source, else math.',
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
  })
  .openapi('TrainerQuery');
export type TrainerQuery = z.infer<typeof TrainerQuery>;

/** The trainer-facing reward: `score` (0..1) mapped linearly onto [min_reward, 1]. */
export function scaledReward(score: number, query: TrainerQuery): number {
  const low = query.min_reward ?? 0;
  return low + (1 - low) * score;
}

/** A chat message as trainers store prompts (verl parquet rows, slime samples without a chat template). */
export const ChatMessage = z.looseObject({ role: z.string(), content: z.unknown() }).openapi('ChatMessage');

/** A trainer's sample mapped onto a RewardItem, or the reason it cannot be scored. */
export type Mapped = { item: RewardItem } | { problem: RewardError; item?: Partial<RewardItem> };

/**
 * Turns a dataset label (any JSON the trainer read from its label column) into a RewardItem gold:
 * strings, numbers and lists of strings stay as they are (math golds, or test data as a JSON string),
 * objects are test data, other lists are sent as JSON text (the code scorer reads test lists from it).
 */
export function goldOf(
  label: unknown,
  path: string,
): { gold: RewardItem['ground_truth'] } | { problem: RewardError } {
  if (typeof label === 'string' || (typeof label === 'number' && Number.isFinite(label)))
    return { gold: label };
  if (Array.isArray(label)) {
    if (label.length === 0)
      return { problem: rewardError('VALIDATION_ERROR', `${path} is an empty list`, path) };
    if (label.every((x) => typeof x === 'string')) return { gold: label as string[] };
    if (label.every((x) => typeof x === 'number')) return { gold: label.map(String) };
    return { gold: JSON.stringify(label) };
  }
  if (isPlainObject(label)) return { gold: label };
  const what = label === undefined ? 'missing' : `${JSON.stringify(label)}, not a gold answer or tests`;
  return { problem: rewardError('VALIDATION_ERROR', `${path} is ${what}`, path) };
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

/** Builds the item with the route-wide defaults filled in, and checks its task; never throws. */
export function mapItem(sample: TrainerSample, query: TrainerQuery): Mapped {
  const dataSource = sample.data_source ?? query.data_source;
  const base: Partial<RewardItem> = {
    ...(query.task === undefined ? {} : { task: query.task }),
    ...(dataSource === undefined ? {} : { data_source: dataSource }),
  };
  const gold = goldOf(sample.label, sample.labelPath);
  if ('problem' in gold) return { problem: gold.problem, item: base };
  const item: RewardItem = { ...base, response: sample.response, ground_truth: gold.gold };
  // Only tests come as an object: without a task or data_source saying otherwise, such a label is code.
  if (isPlainObject(gold.gold) && item.task === undefined && item.data_source === undefined)
    item.task = 'code';
  if (isPlainObject(sample.extra_info)) item.extra_info = sample.extra_info;
  const task = checkItem(item);
  return typeof task === 'string' ? { item } : { problem: task, item: base };
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
      const where = m.problem.path === undefined ? '' : ` (${m.problem.path})`;
      return failedResult(m.item, 'error', `${m.problem.code}: ${m.problem.message}${where}`);
    }
    const result = scored[next++];
    if (result === undefined) throw new Error('the scorer returned fewer results than items');
    return result;
  });
}

/**
 * A failed parse with each "no union branch matched" issue replaced by the issues of the branch that got
 * furthest (the deepest issue path), so the error names the field at fault ("0.response") instead of
 * "Invalid input" at the root. Trainer bodies are unions (one sample or a list; a string or a list).
 */
export function explainUnions(error: z.ZodError): z.ZodError {
  return new z.ZodError(error.issues.flatMap((issue) => branchIssues(issue)));
}

function branchIssues(issue: core.$ZodIssue): core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const depth = (issues: core.$ZodIssue[]) => Math.max(...issues.map((i) => i.path.length));
  const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
  return best.flatMap((inner) => branchIssues({ ...inner, path: [...issue.path, ...inner.path] }));
}
