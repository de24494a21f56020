import type { Admission, Ticket } from './admission.ts';
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
  readonly #admission: Admission | undefined;

  /**
   * `hostConcurrency` bounds the host items of one request in flight at once, so one large batch waits
   * here instead of filling the sandboxes' shared queue, which is there to refuse excess concurrent requests.
   */
  constructor(
    base: RewardScorer,
    host: Partial<Record<TaskName, HostScorer>>,
    options: { hostConcurrency?: number; onClose?: () => Promise<void>; admission?: Admission } = {},
  ) {
    this.#admission = options.admission;
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
    let ticket: Ticket | undefined;
    items.forEach((item, i) => {
      const task = resolveTask(item);
      const host = typeof task === 'string' ? this.#host[task] : undefined;
      if (host) {
        hostJobs.push(async () => {
          const t0 = performance.now();
          results[i] = await host(item);
          ticket?.itemDone(performance.now() - t0);
        });
      } else {
        baseItems.push(item);
        basePositions.push(i);
      }
    });
    const lanes = Math.min(this.#hostConcurrency, hostJobs.length);
    // Admitted whole or refused whole (QueueFullError) before any item of the batch starts.
    ticket = lanes > 0 ? this.#admission?.admit(lanes, hostJobs.length) : undefined;
    const hostRuns = runLimited(hostJobs, lanes).finally(() => ticket?.release());
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

/** Runs the jobs with at most `limit` in flight; on the first failure starts no more and rejects with it. */
async function runLimited(jobs: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < jobs.length && !failed) {
      try {
        await (jobs[next++] as () => Promise<void>)();
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, lane));
}
