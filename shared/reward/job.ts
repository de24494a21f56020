/**
 * An item made ready to score: its task and its options resolved once, typed, and its gold read as that
 * task's gold. Every route checks its items with `parseItem` (RewardItem's refinement, trainer samples)
 * and the scorer reads the same jobs, so no later step guesses the task again or casts the options.
 */
import type { z } from '@hono/zod-openapi';
import type { Language } from '../code/types.ts';
import type { RewardError } from './error-schema.ts';
import { looksLikeTests, MATH_GOLD, mathGolds } from './gold.ts';
import { describeIssue } from './issues.ts';
import { type CodeOptionsInput, type MathOptionsInput, OPTIONS_SCHEMAS } from './options.ts';
import { resolveTask, type TaskHints } from './tasks.ts';

/** What a job keeps of its item (a RewardItem's fields; typed here since schema.ts checks items with this). */
export interface ItemFields extends TaskHints {
  id?: string | number | undefined;
  response: string;
  ground_truth: unknown;
  language?: Language | undefined;
  options?: Record<string, unknown> | undefined;
}

export interface MathJob {
  task: 'math';
  item: ItemFields;
  /** The acceptable answers: the item is correct when any matches. */
  golds: string[];
  options: MathOptionsInput;
}

export interface CodeJob {
  task: 'code';
  item: ItemFields;
  options: CodeOptionsInput;
}

export type Job = MathJob | CodeJob;

/** Why an item cannot be scored: `path` relative to the item (the caller prefixes where the item sits). */
export type ItemProblem = RewardError & { path: string };

export function parseItem(item: ItemFields): Job | ItemProblem {
  const task = resolveTask(item);
  if (typeof task !== 'string') return { ...task, path: task.path ?? 'task' };
  if (task === 'math') {
    if (looksLikeTests(item.ground_truth)) {
      const why =
        item.task === 'math' ? 'task is "math"' : `data_source "${item.data_source}" is a math source`;
      const message = `these are tests (an object, a list of test cases, or their JSON), but ${why}: set "task": "code"`;
      return { code: 'VALIDATION_ERROR', message, path: 'ground_truth' };
    }
    const golds = mathGolds(item.ground_truth);
    if (golds === undefined)
      return { code: 'VALIDATION_ERROR', message: `a math gold is ${MATH_GOLD}`, path: 'ground_truth' };
    const read = readOptions(OPTIONS_SCHEMAS.math, item.options);
    return 'problem' in read ? read.problem : { task, item, golds, options: read.options };
  }
  const read = readOptions(OPTIONS_SCHEMAS.code, item.options);
  return 'problem' in read ? read.problem : { task, item, options: read.options };
}

export function isProblem(x: Job | ItemProblem): x is ItemProblem {
  return !('task' in x);
}

/** The options as their task's schema reads them (its defaults filled in), or the first problem. */
function readOptions<S extends z.ZodType>(
  schema: S,
  options: Record<string, unknown> | undefined,
): { options: z.output<S> } | { problem: ItemProblem } {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return { options: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue === undefined)
    return { problem: { code: 'VALIDATION_ERROR', message: 'invalid', path: 'options' } };
  const text = describeIssue(issue, options);
  const path = ['options', ...text.path].join('.');
  return { problem: { code: 'VALIDATION_ERROR', message: text.message, path } };
}
