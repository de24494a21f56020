import { createNodeSandboxRunner, type NodeRunnerOptions } from '../code/sandboxes.ts';
import { createScorer, type Scorer } from './compose.ts';
import { createPool } from './threads/pool.ts';

export interface NodeScorerOptions extends NodeRunnerOptions {
  /** Math worker threads (default: the number of cores). */
  poolSize?: number;
}

/** A Node process's scorer: math threads with hard per-item kills, code in the Node sandboxes. */
export function createNodeScorer(options: NodeScorerOptions = {}): {
  scorer: Scorer;
  runner: Scorer['runner'];
} {
  const scorer = createScorer({
    mathThreads: createPool({ size: options.poolSize }),
    sandboxes: createNodeSandboxRunner(options),
  });
  return { scorer, runner: scorer.runner };
}
