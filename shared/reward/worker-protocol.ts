import { parentPort, workerData } from 'node:worker_threads';
import type { RewardItem, RewardResult } from './schema.ts';

/** Host -> worker: score these items in order. A worker has at most one chunk at a time. */
export interface ChunkMessage {
  type: 'chunk';
  items: RewardItem[];
}

/** Worker -> host. `results` continue where the previous message of this chunk stopped. */
export type WorkerMessage = { type: 'ready' } | { type: 'results'; results: RewardResult[]; done: boolean };

/** What the pool passes as `workerData`. */
export interface WorkerInit {
  progress: SharedArrayBuffer;
}

/**
 * Shared memory in which a worker says which item of its chunk it is on and since when, so the host can
 * tell a stuck item from one whose result is still in flight, without a message per item.
 * Layout: float64 start time (ms since the epoch) at byte 0, int32 index in the chunk (-1: none) at byte 8.
 */
export class Progress {
  readonly buffer: SharedArrayBuffer;
  #startedAt: Float64Array;
  #index: Int32Array;

  constructor(buffer = new SharedArrayBuffer(16)) {
    this.buffer = buffer;
    this.#startedAt = new Float64Array(buffer, 0, 1);
    this.#index = new Int32Array(buffer, 8, 1);
  }

  begin(index: number, now: number): void {
    this.#startedAt[0] = now;
    Atomics.store(this.#index, 0, index);
  }

  reset(): void {
    Atomics.store(this.#index, 0, -1);
  }

  /** Index first: a start time read after it is never older than that item's. */
  read(): { index: number; startedAt: number } {
    const index = Atomics.load(this.#index, 0);
    return { index, startedAt: this.#startedAt[0] ?? 0 };
  }
}

/** Wall clock in ms that agrees across threads (each thread has its own `performance.timeOrigin`). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Results are flushed at least this often, so a slow item does not hold back the ones before it. */
const FLUSH_EVERY_MS = 20;

/** The worker side of the pool: score chunks with `score`, report progress and results. */
export function runWorker(score: (item: RewardItem) => RewardResult): void {
  const port = parentPort;
  if (port === null) throw new Error('runWorker must be called inside a worker thread');
  const progress = new Progress((workerData as WorkerInit).progress);
  port.on('message', (msg: ChunkMessage) => {
    let pending: RewardResult[] = [];
    let lastFlush = nowMs();
    for (let i = 0; i < msg.items.length; i++) {
      const now = nowMs();
      if (pending.length > 0 && now - lastFlush >= FLUSH_EVERY_MS) {
        port.postMessage({ type: 'results', results: pending, done: false } satisfies WorkerMessage);
        pending = [];
        lastFlush = now;
      }
      progress.begin(i, now);
      pending.push(score(msg.items[i] as RewardItem));
    }
    port.postMessage({ type: 'results', results: pending, done: true } satisfies WorkerMessage);
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
}
