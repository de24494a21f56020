import type { Scorer } from '../registry.ts';

/** Placeholder until the code sandbox lands: every code item gets a clear error result. */
export const scoreCode: Scorer = () => ({
  score: 0,
  correct: false,
  status: 'error',
  extracted: null,
  reason: 'code scoring is not available yet: the "code" task has no scorer in this version of gradus',
});
