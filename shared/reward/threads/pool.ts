import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { siblingEntry } from '../../code/entry-url.ts';
import { DEFAULT_MATH_OPTIONS } from '../../math/types.ts';
import type { RewardItem, RewardResult } from '../schema.ts';
import { errorMessage, failedResult, type RewardScorer } from '../score.ts';
import { nowMs, Progress, packChunk, type WorkerInit, type WorkerMessage } from './protocol.ts';

/** A chunk holds at most this many characters of responses (but always one item): bounds a message. */
const CHUNK_CHARS = 4 * 1024 * 1024;
/** A buffer a worker hands back is kept for the next chunk up to this size (a chunk's responses in UTF-8). */
const KEEP_SPARE_BYTES = 3 * CHUNK_CHARS;

export interface PoolOptions {
  /** Number of worker threads (default `os.availableParallelism()`). */
  size?: number;
  /** Most items sent to a worker in one message (default 256). */
  chunkSize?: number;
  /** Budget for items without `options.timeoutMs` (default 1000 ms). */
  timeoutMs?: number;
  /** Worker module (default ./worker.ts); it must call `runWorker`. Tests pass one with a slow scorer. */
  workerUrl?: URL;
}

interface Job {
  results: RewardResult[];
  remaining: number;
  resolve: (results: RewardResult[]) => void;
  reject: (err: Error) => void;
}

/** Consecutive items of one job; `indices[k]` is the input position of `items[k]`. */
interface Chunk {
  job: Job;
  items: RewardItem[];
  indices: number[];
}

/** A queued run of items: those from `at` on are still to be sent. */
interface Queued extends Chunk {
  at: number;
}

/** A chunk sent to a worker, with what the host knows of it. */
interface Sent extends Chunk {
  /** Smallest budget in the chunk: the longest the host waits between looks at the worker. */
  minBudget: number;
}

interface Slot {
  worker: Worker;
  progress: Progress;
  ready: boolean;
  retired: boolean;
  /**
   * Chunks sent and not yet done, oldest first: at most IN_FLIGHT. The worker takes them in order, so
   * while it scores one the next is already waiting in its port and it never waits for the host.
   */
  inFlight: Sent[];
  /** Results of the oldest chunk received so far. */
  received: number;
  /** Chunks this worker has finished: the oldest in flight is its `done + 1`-th. */
  done: number;
  /** Since when the oldest chunk has been the one the worker should be on (sent, or its predecessor done). */
  headSince: number;
  /** Buffers the worker handed back with its chunks, to pack the next ones into. */
  spares: ArrayBuffer[];
  timer: NodeJS.Timeout | undefined;
}

/** Chunks a worker holds at once: the one it scores and the next. */
const IN_FLIGHT = 2;

/**
 * Scores batches on worker threads with a hard per-item time budget: a worker that overruns it is
 * terminated, its item gets status "timeout", a fresh worker is started and the rest of its chunk is resent.
 * Workers start on demand, are kept, and never keep the process alive while idle.
 */
export class WorkerPool implements RewardScorer {
  readonly size: number;
  readonly #chunkSize: number;
  readonly #timeoutMs: number;
  readonly #workerUrl: URL;
  readonly #slots: Slot[] = [];
  /** Items not yet sent: whole batches or the rests of chunks. `#next` cuts chunks off the head. */
  readonly #queue: Queued[] = [];
  #queued = 0;
  readonly #jobs = new Set<Job>();
  #closed = false;

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
    this.#chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 256));
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_MATH_OPTIONS.timeoutMs;
    this.#workerUrl = options.workerUrl ?? siblingEntry('worker', import.meta.url);
  }

  score(items: RewardItem[]): Promise<RewardResult[]> {
    if (this.#closed) return Promise.reject(new Error('the worker pool is closed'));
    if (items.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const job: Job = { results: new Array(items.length), remaining: items.length, resolve, reject };
      this.#jobs.add(job);
      this.#enqueue({ job, items: items.slice(), indices: Array.from(items, (_, k) => k) });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const stopping = this.#slots.slice().map((slot) => this.#retire(slot));
    this.#queue.length = 0;
    this.#queued = 0;
    for (const job of this.#jobs)
      job.reject(new Error('the worker pool was closed before the batch finished'));
    this.#jobs.clear();
    await Promise.all(stopping);
  }

  /**
   * The hard kill comes a little after the item's own budget, so a verifier that stops itself in time
   * (and answers `timeout`) does not cost a worker restart.
   */
  #budget(item: RewardItem | undefined): number {
    const own = item?.options?.timeoutMs;
    const soft = typeof own === 'number' ? own : this.#timeoutMs;
    return soft + Math.max(50, soft * 0.2);
  }

  #enqueue(chunk: Chunk, first = false): void {
    const run = { ...chunk, at: 0 };
    if (first) this.#queue.unshift(run);
    else this.#queue.push(run);
    this.#queued += chunk.items.length;
  }

  /**
   * The next chunk: a 1/size share of what is queued, at most `chunkSize` items and CHUNK_CHARS of
   * responses. Large batches go in few messages; chunks shrink as the queue drains, so the workers run out
   * of work at about the same time.
   */
  #next(): Chunk {
    const head = this.#queue[0] as Queued;
    const left = head.items.length - head.at;
    const most = Math.min(left, this.#chunkSize, Math.ceil(this.#queued / this.size));
    let n = 0;
    for (let chars = 0; n < most && (n === 0 || chars < CHUNK_CHARS); n++)
      chars += (head.items[head.at + n] as RewardItem).response.length;
    this.#queued -= n;
    if (n === left) this.#queue.shift();
    const end = head.at + n;
    const chunk = {
      job: head.job,
      items: head.items.slice(head.at, end),
      indices: head.indices.slice(head.at, end),
    };
    head.at = end;
    return chunk;
  }

  #dispatch(allowSpawn = true): void {
    // An idle worker first, then a second chunk to each busy one, but only while much is queued: a chunk
    // sent ahead is that worker's, so near the end of a batch the rest goes to whichever worker is free.
    for (let held = 0; held < IN_FLIGHT; held++) {
      for (const slot of this.#slots) {
        if (this.#queue.length === 0) break;
        if (held > 0 && this.#queued <= this.size * this.#chunkSize) break;
        if (slot.ready && slot.inFlight.length === held) this.#send(slot, this.#next());
      }
    }
    if (!allowSpawn) return;
    let starting = this.#slots.filter((s) => !s.ready).length;
    while (this.#queued > starting && this.#slots.length < this.size) {
      this.#spawn();
      starting++;
    }
  }

  #spawn(): void {
    const progress = new Progress();
    const workerData: WorkerInit = { progress: progress.buffer };
    const worker = new Worker(this.#workerUrl, { workerData });
    const slot: Slot = {
      worker,
      progress,
      ready: false,
      retired: false,
      inFlight: [],
      received: 0,
      done: 0,
      headSince: 0,
      spares: [],
      timer: undefined,
    };
    this.#slots.push(slot);
    worker.on('message', (msg: WorkerMessage) => this.#onMessage(slot, msg));
    worker.on('error', (err) => this.#onCrash(slot, errorMessage(err)));
    worker.on('exit', (code) => this.#onCrash(slot, `worker exited with code ${code}`));
  }

  #send(slot: Slot, chunk: Chunk): void {
    const minBudget = chunk.items.reduce((least, item) => Math.min(least, this.#budget(item)), Infinity);
    try {
      const { message, transfer } = packChunk(chunk.items, slot.spares.pop());
      slot.worker.postMessage(message, transfer);
    } catch (err) {
      this.#unsendable(chunk, errorMessage(err));
      return;
    }
    slot.inFlight.push({ ...chunk, minBudget });
    slot.worker.ref();
    if (slot.inFlight.length === 1) {
      slot.received = 0;
      slot.headSince = nowMs();
      this.#arm(slot, slot.headSince + minBudget);
    }
  }

  /**
   * A chunk that cannot be copied to a worker (too deep or not cloneable) never reaches it. Its items are
   * retried one by one, so only the item that cannot cross gets an error result.
   */
  #unsendable(chunk: Chunk, message: string): void {
    if (chunk.items.length === 1) {
      const reason = `the item could not be sent to a scoring worker: ${message}`;
      this.#record(chunk.job, chunk.indices[0] as number, failedResult(chunk.items[0], 'error', reason));
    } else {
      for (let k = chunk.items.length - 1; k >= 0; k--) {
        const single = {
          job: chunk.job,
          items: [chunk.items[k] as RewardItem],
          indices: [chunk.indices[k] as number],
        };
        this.#enqueue(single, true);
      }
    }
    queueMicrotask(() => this.#dispatch());
  }

  #onMessage(slot: Slot, msg: WorkerMessage): void {
    if (slot.retired) return;
    if (msg.type === 'ready') {
      slot.ready = true;
      slot.worker.unref();
      this.#dispatch();
      return;
    }
    const chunk = slot.inFlight[0];
    if (chunk === undefined) return;
    for (const result of JSON.parse(msg.results) as RewardResult[]) {
      const id = chunk.items[slot.received]?.id;
      const index = chunk.indices[slot.received++] as number;
      this.#record(chunk.job, index, id === undefined ? result : { id, ...result });
    }
    if (!msg.done) return;
    if (msg.text.byteLength <= KEEP_SPARE_BYTES && slot.spares.length < IN_FLIGHT) slot.spares.push(msg.text);
    slot.inFlight.shift();
    slot.done++;
    slot.received = 0;
    slot.headSince = nowMs();
    clearTimeout(slot.timer);
    const next = slot.inFlight[0];
    if (next === undefined) slot.worker.unref();
    else this.#arm(slot, slot.headSince + next.minBudget);
    this.#dispatch();
  }

  #arm(slot: Slot, at: number): void {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.#check(slot), Math.max(0, at - nowMs()));
    slot.timer.unref();
  }

  /**
   * Where the worker is: the chunk in flight it is on (0: the oldest), the item in it, and since when that
   * item's time counts. A worker that has not begun the oldest chunk yet is counted from when that chunk
   * became its next; one already on the next chunk has finished the oldest (its results are on the way).
   */
  #whereIs(slot: Slot): { k: number; position: number; since: number } {
    const { chunk, index, startedAt } = slot.progress.read();
    const k = chunk - slot.done - 1;
    if (k < 0) return { k: 0, position: slot.received, since: slot.headSince };
    const position = Math.max(index, k === 0 ? slot.received : 0, 0);
    return { k, position, since: startedAt };
  }

  /** Kills the worker if the item it is on has run past its budget, else waits until it would. */
  #check(slot: Slot): void {
    const head = slot.inFlight[0];
    if (slot.retired || head === undefined) return;
    const { k, position, since } = this.#whereIs(slot);
    const chunk = slot.inFlight[k] ?? head;
    const budget = this.#budget(chunk.items[position]);
    const now = nowMs();
    if (now < since + budget) {
      // The worker may move on to an item with a smaller budget before this one's deadline.
      this.#arm(slot, Math.min(since + budget, now + Math.min(...slot.inFlight.map((c) => c.minBudget))));
      return;
    }
    void this.#retire(slot);
    const reason = `exceeded its ${budget} ms time budget; the worker scoring it was stopped`;
    this.#fail(slot, k, position, failedResult(chunk.items[position], 'timeout', reason, now - since));
  }

  #onCrash(slot: Slot, message: string): void {
    if (slot.retired) return;
    const wasReady = slot.ready;
    void this.#retire(slot);
    if (!wasReady) {
      this.#startFailed(message);
      return;
    }
    if (slot.inFlight.length === 0) return;
    const { k, position } = this.#whereIs(slot);
    const chunk = slot.inFlight[k] as Sent;
    const reason = `the worker crashed while scoring this item: ${message}`;
    this.#fail(slot, k, position, failedResult(chunk.items[position], 'error', reason));
  }

  /**
   * Records `result` for item `position` of in-flight chunk `k` of a worker that is gone, and queues,
   * first in line, every item of its chunks whose result never came (their results from the gone worker
   * are dropped, so none is recorded twice).
   */
  #fail(slot: Slot, k: number, position: number, result: RewardResult): void {
    const failed = slot.inFlight[k] as Sent;
    this.#record(failed.job, failed.indices[position] as number, result);
    const rests: Chunk[] = [];
    slot.inFlight.forEach((chunk, c) => {
      const rest: Chunk = { job: chunk.job, items: [], indices: [] };
      for (let i = c === 0 ? slot.received : 0; i < chunk.items.length; i++) {
        if (c === k && i === position) continue;
        rest.items.push(chunk.items[i] as RewardItem);
        rest.indices.push(chunk.indices[i] as number);
      }
      if (rest.items.length > 0) rests.push(rest);
    });
    slot.inFlight = [];
    for (const rest of rests.reverse()) this.#enqueue(rest, true);
    this.#dispatch();
  }

  /** A worker that cannot even start would fail again: give its queue error results instead of retrying. */
  #startFailed(message: string): void {
    if (this.#slots.some((s) => s.ready)) {
      this.#dispatch(false);
      return;
    }
    const reason = `the scoring worker failed to start: ${message}`;
    this.#queued = 0;
    for (const run of this.#queue.splice(0)) {
      for (let k = run.at; k < run.items.length; k++)
        this.#record(run.job, run.indices[k] as number, failedResult(run.items[k], 'error', reason));
    }
  }

  #record(job: Job, index: number, result: RewardResult): void {
    job.results[index] = result;
    if (--job.remaining === 0) {
      this.#jobs.delete(job);
      job.resolve(job.results);
    }
  }

  #retire(slot: Slot): Promise<number> {
    slot.retired = true;
    clearTimeout(slot.timer);
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    slot.worker.unref();
    return slot.worker.terminate();
  }
}

export function createPool(options: PoolOptions = {}): WorkerPool {
  return new WorkerPool(options);
}
