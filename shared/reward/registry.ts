import type { RewardItem, RewardResult } from './schema.ts';
import { scoreCode } from './scorers/code.ts';
import { scoreMath } from './scorers/math.ts';
import type { TaskName } from './tasks.ts';

export {
  DEFAULT_TASK,
  isTaskName,
  resolveTask,
  TASK_NAMES,
  type TaskName,
  taskForDataSource,
} from './tasks.ts';

/** What a scorer decides about one item; `id`, `task` and `ms` are added by the caller. */
export type Verdict = Omit<RewardResult, 'id' | 'task' | 'ms'>;

/** Every scorer has this one signature. It may throw: the caller turns that into an `error` result. */
export type Scorer = (item: RewardItem) => Verdict;

/** Task name -> scorer. Adding a scorer: one file under scorers/, one line here, its name in tasks.ts. */
export const SCORERS = {
  math: scoreMath,
  code: scoreCode,
} satisfies Record<TaskName, Scorer>;
