import { QueueFullError } from '../code/sandbox-pool.ts';

/** The longest the admitted work may still need for a new batch to be let in (seconds). */
export const DEFAULT_MAX_WAIT_S = 30;

/** A batch let in: it holds `lanes` places until `release()`, and reports each item it finishes. */
export interface Ticket {
  itemDone(ms: number): void;
  release(): void;
}

/**
 * Admission of sandboxed work per batch, before any of it starts: a batch either gets all the lanes it
 * will use or is refused whole (QueueFullError, answered 429), so nothing of a refused batch runs and an
 * admitted batch never meets a full sandbox queue halfway. Retry-After is the time the admitted batches
 * still need, from their items left and the recent time per item, spread over the sandboxes.
 */
export class Admission {
  readonly #capacity: number;
  readonly #sandboxes: number;
  readonly #active = new Set<{ lanes: number; itemsLeft: number }>();
  #used = 0;
  #itemMs = 200;

  readonly #maxWaitS: number;

  /**
   * `capacity`: lanes in flight at once over all batches; `sandboxes`: how many run in parallel;
   * `maxWaitS`: a batch is refused while the admitted ones still need longer than this, so a caller is told
   * to come back rather than left waiting behind slow programs until its own timeout.
   */
  constructor(capacity: number, sandboxes: number, maxWaitS = DEFAULT_MAX_WAIT_S) {
    this.#capacity = Math.max(1, capacity);
    this.#sandboxes = Math.max(1, sandboxes);
    this.#maxWaitS = Math.max(1, maxWaitS);
  }

  /** Lets a batch of `items` sandboxed items in with `lanes` of them in flight, or throws QueueFullError. */
  admit(lanes: number, items: number): Ticket {
    const want = Math.min(Math.max(1, lanes), this.#capacity);
    const wait = this.retryAfterS();
    if (this.#used + want > this.#capacity || (this.#used > 0 && wait > this.#maxWaitS)) {
      throw new QueueFullError(wait);
    }
    const entry = { lanes: want, itemsLeft: items };
    this.#active.add(entry);
    this.#used += want;
    let released = false;
    return {
      itemDone: (ms) => {
        entry.itemsLeft = Math.max(0, entry.itemsLeft - 1);
        this.#itemMs = 0.9 * this.#itemMs + 0.1 * ms;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#active.delete(entry);
        this.#used -= entry.lanes;
      },
    };
  }

  /** Seconds until the admitted batches are likely done (at least 1). */
  retryAfterS(): number {
    let items = 0;
    for (const entry of this.#active) items += entry.itemsLeft;
    return Math.max(1, Math.ceil((items * this.#itemMs) / this.#sandboxes / 1000));
  }
}
