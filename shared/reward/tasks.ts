/**
 * Which scorer an item goes to. Every route that has to guess (a RewardItem without `task`, a trainer's
 * sample) asks `resolveTask`, so they all guess alike: the item's `task`, else its `data_source` route,
 * else the shape of its ground truth (tests are code), else math.
 */

import type { RewardError } from './error-schema.ts';
import { looksLikeTests } from './gold.ts';

/** The scorers there are (registry.ts maps each to its function). */
export const TASK_NAMES = ['math', 'code'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/**
 * data_source -> task, in verl's spirit. Matched case-insensitively against the whole data_source and
 * against its last path segment ("openai/gsm8k" -> "gsm8k"); a trailing `*` matches any rest.
 */
const DATA_SOURCE_ROUTES: ReadonlyArray<readonly [pattern: string, task: TaskName]> = [
  ['math*', 'math'], // math, math500, math-500, math_dapo*, math-lighteval, lighteval/MATH
  ['gsm8k*', 'math'],
  ['aime*', 'math'],
  ['amc*', 'math'],
  ['minerva*', 'math'],
  ['olympiad*', 'math'],
  ['numina_*', 'math'],
  ['deepscaler*', 'math'],
  ['dapo*', 'math'],
  ['codecontests*', 'code'],
  ['code_contests*', 'code'],
  ['taco*', 'code'],
  ['apps*', 'code'],
  ['livecodebench*', 'code'],
  ['humaneval*', 'code'],
  ['openai_humaneval*', 'code'],
  ['mbpp*', 'code'],
  ['leetcode*', 'code'],
  ['codeforces*', 'code'],
  ['primeintellect*', 'code'],
];

/** The task used when nothing about an item says otherwise. */
export const DEFAULT_TASK: TaskName = 'math';

export function isTaskName(name: string): name is TaskName {
  return (TASK_NAMES as readonly string[]).includes(name);
}

export function taskForDataSource(dataSource: string): TaskName | undefined {
  const full = dataSource.toLowerCase();
  const last = full.slice(full.lastIndexOf('/') + 1);
  for (const [pattern, task] of DATA_SOURCE_ROUTES) {
    if (matches(pattern, full) || matches(pattern, last)) return task;
  }
  return undefined;
}

function matches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** What resolveTask reads of an item. */
export interface TaskHints {
  task?: string;
  data_source?: string;
  ground_truth?: unknown;
}

/**
 * The task an item goes to: its `task`; else its `data_source` route; else code when its ground truth is
 * tests (only code golds are objects, lists of objects or JSON text of them); else, with a data_source
 * nothing is registered for, UNKNOWN_TASK; else DEFAULT_TASK.
 */
export function resolveTask(item: TaskHints): TaskName | RewardError {
  if (item.task !== undefined) {
    if (isTaskName(item.task)) return item.task;
    return {
      code: 'UNKNOWN_TASK',
      message: `unknown task "${item.task}"; known tasks: ${TASK_NAMES.join(', ')}`,
      path: 'task',
    };
  }
  const routed = item.data_source === undefined ? undefined : taskForDataSource(item.data_source);
  if (routed !== undefined) return routed;
  if (looksLikeTests(item.ground_truth)) return 'code';
  if (item.data_source === undefined) return DEFAULT_TASK;
  return {
    code: 'UNKNOWN_TASK',
    message: `no task is registered for data_source "${item.data_source}"; set "task" explicitly`,
    path: 'data_source',
  };
}
