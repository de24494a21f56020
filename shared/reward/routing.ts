import { resolveTask, type TaskName } from './registry.ts';
import type { RewardItem, RewardResult } from './schema.ts';
import type { RewardScorer } from './score.ts';
import type { HostScorer } from './scorers/code-host.ts';

/**
 * Sends each item to where its task is scored: tasks with a host scorer (code, whose sandboxes run on
 * their own threads) are scored here, concurrently; the rest go to the base scorer (the worker pool).
 * Results come back in input order.
 */
export class RoutingScorer implements RewardScorer {
  readonly #base: RewardScorer;
  readonly #host: Partial<Record<TaskName, HostScorer>>;
  readonly #onClose: () => Promise<void>;
  readonly #hostConcurrency: number;

  /**
   * `hostConcurrency` bounds the host items of one request in flight at once, so one large batch waits
   * here instead of filling the sandboxes' shared queue, which is there to refuse excess concurrent requests.
   */
  constructor(
    base: RewardScorer,
    host: Partial<Record<TaskName, HostScorer>>,
    options: { hostConcurrency?: number; onClose?: () => Promise<void> } = {},
  ) {
    this.#base = base;
    this.#host = host;
    this.#hostConcurrency = Math.max(1, options.hostConcurrency ?? 8);
    this.#onClose = options.onClose ?? (async () => {});
  }

  async score(items: RewardItem[]): Promise<RewardResult[]> {
    const results = new Array<RewardResult>(items.length);
    const baseItems: RewardItem[] = [];
    const basePositions: number[] = [];
    const hostJobs: (() => Promise<void>)[] = [];
    items.forEach((item, i) => {
      const task = resolveTask(item);
      const host = typeof task === 'string' ? this.#host[task] : undefined;
      if (host) {
        hostJobs.push(async () => {
          results[i] = await host(item);
        });
      } else {
        baseItems.push(item);
        basePositions.push(i);
      }
    });
    const hostRuns = runLimited(hostJobs, this.#hostConcurrency);
    const baseRun = baseItems.length
      ? this.#base.score(baseItems).then((scored) => {
          scored.forEach((r, j) => {
            results[basePositions[j] as number] = r;
          });
        })
      : Promise.resolve();
    await Promise.all([baseRun, hostRuns]);
    return results;
  }

  async close(): Promise<void> {
    await Promise.all([this.#base.close(), this.#onClose()]);
  }
}

/** Runs the jobs with at most `limit` in flight; rejects with the first failure. */
async function runLimited(jobs: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) await (jobs[next++] as () => Promise<void>)();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, lane));
}
