import { type CodeLimits, clampRunLimits, serverCodeLimits } from './limits.ts';
import type { RunLimits, RunResult, Sandbox } from './types.ts';

/** The pool's queue is full: callers should answer 429/503 with Retry-After instead of waiting. */
export class QueueFullError extends Error {
  readonly retryAfterS: number;
  constructor(retryAfterS: number) {
    super(`the sandbox queue is full; retry after ${retryAfterS} s`);
    this.retryAfterS = retryAfterS;
  }
}

export interface SandboxPoolOptions {
  /** Warm sandboxes kept (default: 2). */
  size: number;
  /** Runs that may wait for a sandbox before new ones are refused (default: 64 per sandbox). */
  maxQueue: number;
  /** Ceilings every run's limits are held under, whoever asked for them (default: serverCodeLimits()). */
  caps: CodeLimits;
}

interface Waiter {
  resolve: (s: Sandbox) => void;
  reject: (e: Error) => void;
}

/**
 * A fixed set of warm sandboxes of one language with a bounded queue in front. Sandboxes are created
 * lazily; a sandbox whose run threw is disposed and replaced. No run reaches a sandbox with limits above
 * the ceilings (limits.ts), whatever the route that asked for it.
 */
export class SandboxPool {
  readonly #create: () => Promise<Sandbox>;
  readonly #options: SandboxPoolOptions;
  readonly #idle: Sandbox[] = [];
  readonly #waiting: Waiter[] = [];
  #live = 0;
  #closed = false;
  #recentRunMs = 50;

  constructor(create: () => Sandbox | Promise<Sandbox>, options: Partial<SandboxPoolOptions> = {}) {
    this.#create = async () => create();
    const size = Math.max(1, options.size ?? 2);
    this.#options = {
      size,
      maxQueue: options.maxQueue ?? size * 64,
      caps: options.caps ?? serverCodeLimits(),
    };
  }

  get queued(): number {
    return this.#waiting.length;
  }

  async run(program: string, stdin: string, limits: RunLimits): Promise<RunResult> {
    const held = clampRunLimits(limits, this.#options.caps);
    const sandbox = await this.#acquire();
    let healthy = true;
    const started = performance.now();
    try {
      return await sandbox.run(program, stdin, held);
    } catch (err) {
      healthy = false;
      throw err;
    } finally {
      this.#recentRunMs = 0.9 * this.#recentRunMs + 0.1 * (performance.now() - started);
      this.#release(sandbox, healthy);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiting.splice(0)) w.reject(new Error('the sandbox pool was closed'));
    for (const s of this.#idle.splice(0)) s.dispose();
  }

  async #acquire(): Promise<Sandbox> {
    if (this.#closed) throw new Error('the sandbox pool was closed');
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#live < this.#options.size) {
      this.#live++;
      try {
        return await this.#create();
      } catch (err) {
        this.#live--;
        throw err;
      }
    }
    if (this.#waiting.length >= this.#options.maxQueue) {
      const drainS = (this.#waiting.length * this.#recentRunMs) / this.#options.size / 1000;
      throw new QueueFullError(Math.max(1, Math.ceil(drainS)));
    }
    return new Promise<Sandbox>((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #release(sandbox: Sandbox, healthy: boolean): void {
    if (!healthy || this.#closed) {
      sandbox.dispose();
      this.#live--;
      if (!this.#closed && this.#waiting.length > 0) {
        const waiter = this.#waiting.shift() as Waiter;
        this.#live++;
        this.#create().then(waiter.resolve, (err) => {
          this.#live--;
          waiter.reject(err);
        });
      }
      return;
    }
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve(sandbox);
    else this.#idle.push(sandbox);
  }
}
