/**
 * verifyMath in a worker thread of its own: a synchronous hang would block vitest's own thread, where a
 * test timeout can never fire. A call not answered within its deadline terminates the thread (the next
 * call starts a fresh one) and reports `{ hung: true }`.
 */
import { Worker } from 'node:worker_threads';
import type { MathOptions } from '../../shared/math/types.ts';
import type { VerifyRequest, VerifyResult } from './verify-worker.ts';

export type Outcome = VerifyResult | { hung: true };

export class IsolatedVerifier {
  private worker: Worker | null = null;
  private nextId = 0;
  /** A call not returning by then is a hang: the thread is terminated. */
  private readonly hangMs: number;

  constructor(hangMs: number) {
    this.hangMs = hangMs;
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./verify-worker.ts', import.meta.url));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  async verify(response: string, gold: string, options?: Partial<MathOptions>, deadlineMs = this.hangMs) {
    const worker = this.worker ?? this.spawn();
    const req: VerifyRequest = { id: this.nextId++, items: [{ response, gold, options }] };
    return new Promise<Outcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        this.worker = null;
        void worker.terminate();
        resolve({ hung: true });
      }, deadlineMs);
      const onMessage = (msg: { id: number; results: VerifyResult[] }) => {
        if (msg.id !== req.id) return;
        cleanup();
        resolve(msg.results[0] ?? { error: 'empty reply', wallMs: Number.NaN });
      };
      const onError = (err: Error) => {
        cleanup();
        this.worker = null;
        reject(err);
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage(req);
    });
  }

  async close() {
    await this.worker?.terminate();
    this.worker = null;
  }
}
