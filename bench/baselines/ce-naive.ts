/**
 * Baseline (a): a naive grader on @cortex-js/compute-engine, the "obvious" JS solution gradus improves on.
 * Take the last \boxed{} of the response (else all of it), `ce.parse` gold and answer, and call them
 * equal when `a.isSame(b) || a.isEqual(b) === true`. No other extraction or normalisation.
 */
import { ComputeEngine } from '@cortex-js/compute-engine';

const ce = new ComputeEngine();

/** Content of the last `\boxed{...}`, brace-matched, or null. */
export function lastBoxed(s: string): string | null {
  const start = s.lastIndexOf('\\boxed{');
  if (start < 0) return null;
  let depth = 0;
  for (let j = start + 6; j < s.length; j++) {
    if (s[j] === '{') depth++;
    else if (s[j] === '}' && --depth === 0) return s.slice(start + 7, j);
  }
  return null;
}

export function ceNaiveGrade(response: string, gold: string): boolean {
  try {
    const a = ce.parse(lastBoxed(gold) ?? gold);
    const b = ce.parse(lastBoxed(response) ?? response);
    return a.isSame(b) || a.isEqual(b) === true;
  } catch {
    return false;
  }
}
