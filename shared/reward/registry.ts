import { scoreCode } from './scorers/code.ts';
import { scoreMath } from './scorers/math.ts';
import type { TaskName } from './tasks.ts';
import type { Scorer } from './verdict.ts';

export {
  DEFAULT_TASK,
  isTaskName,
  resolveTask,
  TASK_NAMES,
  type TaskName,
  taskForDataSource,
} from './tasks.ts';

/** Task name -> scorer. Adding a scorer: one file under scorers/, one line here, its name in tasks.ts. */
export const SCORERS = {
  math: scoreMath,
  code: scoreCode,
} satisfies Record<TaskName, Scorer>;
