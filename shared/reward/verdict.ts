import type { CodeRunner } from '../code/score.ts';
import type { Job } from './job.ts';
import type { RewardResult } from './schema.ts';

/** What a scorer decides about one item; `id`, `task` and `ms` are added by the caller. */
export type Verdict = Omit<RewardResult, 'id' | 'task' | 'ms'>;

/** What a scorer may use besides its job. */
export interface ScoreContext {
  /** Runs programs. score.ts sends a code job only where there is one (else the batch is UNAVAILABLE). */
  sandboxes?: CodeRunner;
}

/** The one scorer contract. It may throw: the caller turns that into the item's `error` result. */
export type Scorer<J extends Job> = (job: J, ctx: ScoreContext) => Promise<Verdict>;
