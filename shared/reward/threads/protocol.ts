import { parentPort, workerData } from 'node:worker_threads';
import { regionSource } from '../../math/region.ts';
import { DEFAULT_MATH_OPTIONS } from '../../math/types.ts';
import type { RewardItem, RewardResult } from '../schema.ts';
import { resolveTask } from '../tasks.ts';

/**
 * What a worker gets of an item: the fields a scorer reads. `id` and `extra_info` stay on the host (which
 * puts `id` back on the result); `response` travels packed in `ChunkMessage.text` unless it is set here.
 */
export type WireItem = Omit<RewardItem, 'id' | 'extra_info' | 'response'> & { response?: string };

/**
 * Host -> worker: score these items in order. A worker has at most one chunk at a time.
 * Responses are UTF-8, back to back, in `text`, which is transferred, not cloned: item k's are the bytes
 * from `ends[k - 1]` (0 for the first) to `ends[k]`. A worker decodes each just before scoring it, so a
 * chunk's responses do not live on the worker's heap all at once, and the host copies each once. The
 * worker hands `text` back with the chunk's last results, for the host to fill again: pages of a fresh
 * buffer cost a fault each on first touch, more than encoding into them.
 */
export interface ChunkMessage {
  type: 'chunk';
  items: WireItem[];
  text: ArrayBuffer;
  ends: number[];
}

/**
 * Worker -> host. `results` is the JSON text of the results that continue where the previous message of
 * this chunk stopped; they carry no `id`. JSON, not the objects: the host's thread reads it two to three
 * times faster than it deserializes cloned objects, and the host's thread is what every worker waits on.
 */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'results'; results: string; done: false }
  | { type: 'results'; results: string; done: true; text: ArrayBuffer };

/** What the pool passes as `workerData`. */
export interface WorkerInit {
  progress: SharedArrayBuffer;
}

const encoder = new TextEncoder();
// A byte-order mark is part of the response: keep it.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The message for `items` and what to transfer with it. `spare` (a buffer a worker handed back) is
 * filled if it is large enough; else a new buffer is made, at least twice its size, so that the one buffer
 * a worker hands back and forth soon fits every chunk.
 */
export function packChunk(
  items: readonly RewardItem[],
  spare?: ArrayBuffer,
): { message: ChunkMessage; transfer: ArrayBuffer[] } {
  // Room for the responses if they are ASCII (one byte a character); more is made when they are not.
  const responses = items.map(sentResponse);
  let chars = 0;
  for (const response of responses) chars += response.length;
  const room = spare?.byteLength ?? 0;
  let text =
    spare !== undefined && room >= chars ? new Uint8Array(spare) : new Uint8Array(Math.max(chars, 2 * room));
  const ends: number[] = new Array(items.length);
  const wire: WireItem[] = new Array(items.length);
  let at = 0;
  items.forEach((item, k) => {
    const { id: _id, extra_info: _extra, response: _whole, ...rest } = item;
    const response = responses[k] as string;
    // A lone surrogate would not survive UTF-8: such a response is cloned as a string.
    if (response.isWellFormed()) {
      wire[k] = rest;
      for (;;) {
        const { read, written } = encoder.encodeInto(response, text.subarray(at));
        if (read === response.length) {
          at += written;
          break;
        }
        // Out of room: grow (at least doubling, so the copies stay linear in all) and encode it again.
        const grown = new Uint8Array(Math.max(2 * text.length, at + 3 * response.length));
        grown.set(text.subarray(0, at));
        text = grown;
      }
    } else {
      wire[k] = { ...rest, response };
    }
    ends[k] = at;
  });
  const buffer = text.buffer;
  return { message: { type: 'chunk', items: wire, text: buffer, ends }, transfer: [buffer] };
}

/**
 * What a worker needs of an item's response. A math item's verifier reads only its answer region
 * (math/region.ts `regionSource`): a long chain of thought before `</think>` is not copied to the worker
 * twice (encoded here, decoded there) to be skipped. Options it cannot read leave the response whole: the
 * worker reports them.
 */
function sentResponse(item: RewardItem): string {
  if (resolveTask(item) !== 'math') return item.response;
  const requireThinkClose = item.options?.requireThinkClose ?? DEFAULT_MATH_OPTIONS.requireThinkClose;
  const maxChars = item.options?.maxResponseChars ?? DEFAULT_MATH_OPTIONS.maxResponseChars;
  if (typeof requireThinkClose !== 'boolean' || !Number.isInteger(maxChars) || (maxChars as number) < 1)
    return item.response;
  return regionSource(item.response, { requireThinkClose, maxChars: maxChars as number });
}

/** Item `k` of a chunk, whole again (without `id` and `extra_info`). */
export function unpackItem(msg: ChunkMessage, k: number): RewardItem {
  const wire = msg.items[k] as WireItem;
  const from = k === 0 ? 0 : (msg.ends[k - 1] as number);
  const response =
    wire.response ?? decoder.decode(new Uint8Array(msg.text, from, (msg.ends[k] as number) - from));
  return { ...wire, response };
}

/**
 * Shared memory in which a worker says which item of which chunk it is on and since when, so the host can
 * tell a stuck item from one whose result is still in flight, without a message per item.
 * Layout: float64 start time (ms since the epoch) at byte 0, int32 index in the chunk (-1: none) at byte 8,
 * int32 count of chunks the worker has begun at byte 12 (the host keeps two chunks in flight per worker).
 */
export class Progress {
  readonly buffer: SharedArrayBuffer;
  #startedAt: Float64Array;
  #state: Int32Array;

  constructor(buffer = new SharedArrayBuffer(16)) {
    this.buffer = buffer;
    this.#startedAt = new Float64Array(buffer, 0, 1);
    this.#state = new Int32Array(buffer, 8, 2);
  }

  /** The worker begins a chunk: its `chunk`-th since it started (1 for the first), before its first item. */
  beginChunk(chunk: number, now: number): void {
    this.#startedAt[0] = now;
    Atomics.store(this.#state, 0, -1);
    Atomics.store(this.#state, 1, chunk);
  }

  begin(index: number, now: number): void {
    this.#startedAt[0] = now;
    Atomics.store(this.#state, 0, index);
  }

  /** Chunk and index first: a start time read after them is never older than that item's. */
  read(): { chunk: number; index: number; startedAt: number } {
    const chunk = Atomics.load(this.#state, 1);
    const index = Atomics.load(this.#state, 0);
    return { chunk, index, startedAt: this.#startedAt[0] ?? 0 };
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
  let chunks = 0;
  port.on('message', (msg: ChunkMessage) => {
    progress.beginChunk(++chunks, nowMs());
    let pending: RewardResult[] = [];
    let lastFlush = nowMs();
    for (let i = 0; i < msg.items.length; i++) {
      const now = nowMs();
      if (pending.length > 0 && now - lastFlush >= FLUSH_EVERY_MS) {
        const results = JSON.stringify(pending);
        port.postMessage({ type: 'results', results, done: false } satisfies WorkerMessage);
        pending = [];
        lastFlush = now;
      }
      progress.begin(i, now);
      pending.push(score(unpackItem(msg, i)));
    }
    const last: WorkerMessage = {
      type: 'results',
      results: JSON.stringify(pending),
      done: true,
      text: msg.text,
    };
    port.postMessage(last, [msg.text]);
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
}
