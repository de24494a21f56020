import type { SandboxRunner } from '../code/runner.ts';
import { createNodeSandboxRunner, type NodeRunnerOptions } from '../code/sandboxes.ts';
import { Admission } from './admission.ts';
import { createPool } from './pool.ts';
import { RoutingScorer } from './routing.ts';
import type { RewardScorer } from './score.ts';
import { createCodeScorer } from './scorers/code-host.ts';

export interface NodeScorerOptions extends NodeRunnerOptions {
  /** Math worker threads (default: the number of cores). */
  poolSize?: number;
}

/**
 * Everything a Node process scores with: math on a worker pool with hard per-item kills, code in
 * sandboxes driven from this thread. The runner is also what POST /v1/code/run uses.
 */
export function createNodeScorer(options: NodeScorerOptions = {}): {
  scorer: RewardScorer;
  runner: SandboxRunner;
} {
  const runner = createNodeSandboxRunner(options);
  const scorer = new RoutingScorer(
    createPool({ size: options.poolSize }),
    { code: createCodeScorer(runner.run) },
    {
      onClose: () => runner.close(),
      admission: new Admission(runner.capacity.runs, runner.capacity.parallel),
    },
  );
  return { scorer, runner };
}
