import type { RewardItem, RewardResult } from './schema.ts';

/** What a scorer decides about one item; `id`, `task` and `ms` are added by the caller. */
export type Verdict = Omit<RewardResult, 'id' | 'task' | 'ms'>;

/** Every scorer has this one signature. It may throw: the caller turns that into an `error` result. */
export type Scorer = (item: RewardItem) => Verdict;
