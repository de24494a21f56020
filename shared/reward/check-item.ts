/**
 * The checks of a RewardItem that depend on its task: the task itself (UNKNOWN_TASK), a math gold's kind,
 * and the options against that task's schema. RewardItem runs them as its refinement, and trainer samples
 * mapped onto items run them too, so every route refuses the same items with the same messages.
 */
import type { RewardError } from './error-schema.ts';
import { looksLikeTests, MATH_GOLD, mathGolds } from './gold.ts';
import { describeIssue } from './issues.ts';
import { OPTIONS_SCHEMAS } from './options.ts';
import { resolveTask, type TaskHints, type TaskName } from './tasks.ts';

/** Checked fields of an item: a RewardItem's, typed here since schema.ts refines its items with checkItem. */
export interface ItemHints extends TaskHints {
  ground_truth: unknown;
  options?: Record<string, unknown> | undefined;
}

/**
 * The item's task, or its first problem: `path` relative to the item (always set), `message` without it
 * (the caller knows where the item sits and prefixes the whole path).
 */
export function checkItem(item: ItemHints): TaskName | (RewardError & { path: string }) {
  const task = resolveTask(item);
  if (typeof task !== 'string') return { ...task, path: task.path ?? 'task' };
  if (task === 'math') {
    const problem = mathGoldProblem(item);
    if (problem !== undefined) return { code: 'VALIDATION_ERROR', message: problem, path: 'ground_truth' };
  }
  if (item.options === undefined) return task;
  const parsed = OPTIONS_SCHEMAS[task].safeParse(item.options);
  if (parsed.success) return task;
  const issue = parsed.error.issues[0];
  if (issue === undefined) return { code: 'VALIDATION_ERROR', message: 'invalid', path: 'options' };
  const text = describeIssue(issue, item.options);
  return { code: 'VALIDATION_ERROR', message: text.message, path: ['options', ...text.path].join('.') };
}

function mathGoldProblem(item: ItemHints): string | undefined {
  if (looksLikeTests(item.ground_truth)) {
    const why =
      item.task === 'math' ? 'task is "math"' : `data_source "${item.data_source}" is a math source`;
    return `these are tests (an object, a list of test cases, or their JSON), but ${why}: set "task": "code"`;
  }
  if (mathGolds(item.ground_truth) === undefined) return `a math gold is ${MATH_GOLD}`;
  return undefined;
}
