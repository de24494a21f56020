/**
 * Worker-thread entry that runs verifyMath in-thread on what it is sent, so a caller can put a hard
 * deadline around calls (terminate the thread) without a hang blocking the caller's own thread.
 * Used by adversarial.test.ts (one item per message) and as bench/math.ts's fallback fan-out (batches).
 * Message in: {id, items: [{response, gold, options}]}; out: {id, results: [{verdict | error, wallMs}]}.
 */
import { parentPort } from 'node:worker_threads';
import type { MathOptions, MathVerdict } from '../../shared/math/types.ts';
import { verifyMath } from '../../shared/math/verify.ts';

export interface VerifyRequest {
  id: number;
  items: Array<{ response: string; gold: string; options?: Partial<MathOptions> }>;
}

export interface VerifyResult {
  verdict?: MathVerdict;
  error?: string;
  /** Wall-clock time of the verifyMath call, measured around it in the worker. */
  wallMs: number;
}

parentPort?.on('message', (req: VerifyRequest) => {
  const results: VerifyResult[] = req.items.map((item) => {
    const t0 = performance.now();
    try {
      const verdict = verifyMath(item.response, item.gold, item.options);
      return { verdict, wallMs: performance.now() - t0 };
    } catch (e) {
      return {
        error: e instanceof Error ? (e.stack ?? e.message) : String(e),
        wallMs: performance.now() - t0,
      };
    }
  });
  parentPort?.postMessage({ id: req.id, results });
});
