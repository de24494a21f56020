import { resolveTask, SCORERS } from './registry.ts';
import type { RewardItem, RewardResult, RewardStatus } from './schema.ts';

/** Anything that scores a batch: the worker pool, or `inlineScorer` where threads are not available. */
export interface RewardScorer {
  /** One result per item, in input order. Never rejects because of one item. */
  score(items: RewardItem[]): Promise<RewardResult[]>;
  close(): Promise<void>;
}

/** Scores one item on the calling thread. Never throws: a failing scorer yields status "error". */
export function scoreItem(item: RewardItem): RewardResult {
  const t0 = performance.now();
  const task = resolveTask(item);
  if (typeof task !== 'string') return failedResult(item, 'error', task.message, performance.now() - t0);
  try {
    const verdict = SCORERS[task](item);
    return { ...withId(item), task, ...verdict, ms: performance.now() - t0 };
  } catch (err) {
    return failedResult(
      item,
      'error',
      `scorer "${task}" failed: ${errorMessage(err)}`,
      performance.now() - t0,
    );
  }
}

/** Scores a batch on the calling thread. Time limits are only those the scorers check themselves. */
export function inlineScore(items: RewardItem[]): RewardResult[] {
  return items.map(scoreItem);
}

export function inlineScorer(): RewardScorer {
  return {
    score: async (items) => inlineScore(items),
    close: async () => {},
  };
}

/** A zero-score result for an item that could not be graded. */
export function failedResult(
  item: Partial<Pick<RewardItem, 'id' | 'task' | 'data_source'>> | undefined,
  status: RewardStatus,
  reason: string,
  ms = 0,
): RewardResult {
  const task = item === undefined ? 'unknown' : resolveTask(item);
  return {
    ...withId(item),
    task: typeof task === 'string' ? task : (item?.task ?? 'unknown'),
    score: 0,
    correct: false,
    status,
    extracted: null,
    reason,
    ms,
  };
}

function withId(item: Pick<RewardItem, 'id'> | undefined): Pick<RewardResult, 'id'> {
  return item?.id === undefined ? {} : { id: item.id };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
