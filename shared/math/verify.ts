import { DEFAULT_MATH_OPTIONS, type MathOptions, type MathVerdict } from './types.ts';

/** STUB: replaced by the real verifier (being written now). Signature is final. */
export function verifyMath(response: string, gold: string, options: Partial<MathOptions> = {}): MathVerdict {
  const opts = { ...DEFAULT_MATH_OPTIONS, ...options };
  void opts;
  const t0 = performance.now();
  const correct = response.trim() === gold.trim();
  return { score: correct ? 1 : 0, correct, status: 'ok', extracted: response, ms: performance.now() - t0 };
}
