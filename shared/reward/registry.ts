import type { RewardError, RewardItem, RewardResult } from './schema.ts';
import { scoreCode } from './scorers/code.ts';
import { scoreMath } from './scorers/math.ts';

/** What a scorer decides about one item; `id`, `task` and `ms` are added by the caller. */
export type Verdict = Omit<RewardResult, 'id' | 'task' | 'ms'>;

/** Every scorer has this one signature. It may throw: the caller turns that into an `error` result. */
export type Scorer = (item: RewardItem) => Verdict;

/** Task name -> scorer. Adding a scorer: one file under scorers/, one line here. */
export const SCORERS = {
  math: scoreMath,
  code: scoreCode,
} satisfies Record<string, Scorer>;

export type TaskName = keyof typeof SCORERS;

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

/** The task used when an item names neither a task nor a data_source. */
export const DEFAULT_TASK: TaskName = 'math';

export function isTaskName(name: string): name is TaskName {
  return Object.hasOwn(SCORERS, name);
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

/** The task an item goes to: its `task`, else its `data_source` route, else DEFAULT_TASK. */
export function resolveTask(item: Pick<RewardItem, 'task' | 'data_source'>): TaskName | RewardError {
  if (item.task !== undefined) {
    if (isTaskName(item.task)) return item.task;
    return {
      code: 'UNKNOWN_TASK',
      message: `unknown task "${item.task}"; known tasks: ${Object.keys(SCORERS).join(', ')}`,
      path: 'task',
    };
  }
  if (item.data_source === undefined) return DEFAULT_TASK;
  const task = taskForDataSource(item.data_source);
  if (task !== undefined) return task;
  return {
    code: 'UNKNOWN_TASK',
    message: `no task is registered for data_source "${item.data_source}"; set "task" explicitly`,
    path: 'data_source',
  };
}
