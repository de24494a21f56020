import { CodeOptionsInput } from '../code/score.ts';
import { rewardError } from './errors.ts';
import { resolveTask, type TaskName } from './registry.ts';
import { MathOptionsInput, type RewardError, type RewardItem } from './schema.ts';

const OPTIONS_SCHEMA = { math: MathOptionsInput, code: CodeOptionsInput } satisfies Record<TaskName, unknown>;

/**
 * The item's task, with its `options` checked against that task's schema (the wire schema accepts
 * either kind, so a code option on a math item is caught here, with its path).
 */
export function checkItem(item: RewardItem): TaskName | RewardError {
  const task = resolveTask(item);
  if (typeof task !== 'string' || item.options === undefined) return task;
  const parsed = OPTIONS_SCHEMA[task].safeParse(item.options);
  if (parsed.success) return task;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `options.${issue.path.join('.')}` : 'options';
  const message =
    issue?.code === 'unrecognized_keys'
      ? `unknown ${task} option(s): ${issue.keys.join(', ')}`
      : issue?.message;
  return rewardError('VALIDATION_ERROR', `${task} item: ${message ?? 'invalid options'}`, where);
}

/** The options of an item already checked as math. */
export function mathOptionsOf(item: RewardItem): MathOptionsInput | undefined {
  return item.options as MathOptionsInput | undefined;
}

/** The options of an item already checked as code. */
export function codeOptionsOf(item: RewardItem): CodeOptionsInput | undefined {
  return item.options as CodeOptionsInput | undefined;
}
