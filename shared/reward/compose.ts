/**
 * The scorer every runtime uses, and the one place where runtimes differ: whether math has threads to go
 * to (Node; none on Lambda by default or on Workers) and whether code has sandboxes (Node and Lambda; none
 * on Workers, or a Lambda whose native sandbox module failed to load).
 */
import type { SandboxRunner } from '../code/runner.ts';
import { Admission } from './admission.ts';
import { type RewardScorer, scoreBatch } from './score.ts';

export interface ScorerSetup {
  /**
   * Math threads (threads/pool.ts, Node only, so it is passed in and never imported here): large math
   * batches go there. Without them every math item is scored inline.
   */
  mathThreads?: RewardScorer;
  /** The code sandboxes, or why this runtime has none (code items are then answered UNAVAILABLE). */
  sandboxes?: SandboxRunner | { unavailable: string };
}

export interface Scorer extends RewardScorer {
  /** What runs POST /v1/code/run, when this runtime has sandboxes. */
  readonly runner?: SandboxRunner;
  /** Why code cannot run here, when it cannot. */
  readonly unavailable?: string;
}

export function createScorer(setup: ScorerSetup = {}): Scorer {
  const { sandboxes } = setup;
  const runner = sandboxes !== undefined && 'run' in sandboxes ? sandboxes : undefined;
  let unavailable: string | undefined;
  if (runner === undefined)
    unavailable =
      sandboxes !== undefined && 'unavailable' in sandboxes
        ? sandboxes.unavailable
        : 'this runtime has no code sandboxes';
  const parts = {
    mathThreads: setup.mathThreads,
    sandboxes: runner?.run,
    noSandboxes: unavailable,
    admission: runner && new Admission(runner.capacity.runs, runner.capacity.parallel),
  };
  return {
    runner,
    unavailable,
    score: (items) => scoreBatch(items, parts),
    close: async () => {
      await Promise.all([setup.mathThreads?.close(), runner?.close()]);
    },
  };
}
