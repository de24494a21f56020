import type { Scorer } from '../verdict.ts';

/**
 * Code runs in sandboxes driven from the host thread (scorers/code-host.ts, wired by node-scorer.ts).
 * Where no sandboxes exist (a worker thread, Workers, an inline Lambda) a code item gets this clear error.
 */
export const scoreCode: Scorer = () => ({
  score: 0,
  correct: false,
  status: 'error',
  extracted: null,
  reason:
    'code scoring is not available in this runtime: code items need the Node sandboxes (npm start, npx gradus)',
});
