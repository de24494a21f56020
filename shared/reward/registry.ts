/**
 * The tasks and their scorers. Adding a task: its name in tasks.ts (with any data_source routes), its
 * options schema in options.ts, a scorer under scorers/, and a line in each table below.
 */
import type { Job } from './job.ts';
import { OPTIONS_SCHEMAS } from './options.ts';
import { scoreCode } from './scorers/code.ts';
import { scoreMath } from './scorers/math.ts';
import type { TaskName } from './tasks.ts';
import type { ScoreContext, Verdict } from './verdict.ts';

export {
  DEFAULT_TASK,
  isTaskName,
  resolveTask,
  TASK_NAMES,
  type TaskName,
  taskForDataSource,
} from './tasks.ts';

/** What each task needs: its options schema, and whether it runs programs (sandboxes). */
export const TASKS = {
  math: { options: OPTIONS_SCHEMAS.math, runsPrograms: false },
  code: { options: OPTIONS_SCHEMAS.code, runsPrograms: true },
} as const satisfies Record<TaskName, { options: unknown; runsPrograms: boolean }>;

/** The job's verdict from its task's scorer. */
export function scoreJob(job: Job, ctx: ScoreContext): Promise<Verdict> {
  switch (job.task) {
    case 'math':
      return scoreMath(job, ctx);
    case 'code':
      return scoreCode(job, ctx);
  }
}
