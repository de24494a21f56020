/** Small timing helpers for the benchmarks. */

/** Nearest-rank percentile of `values` (p in 0..100); NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  // p * n / 100 in floating point can land just above an integer (99.9 of 1000 -> 999.0000000000001),
  // which would skip a rank: round it to 9 places first.
  const rank = Math.ceil(Number(((p * sorted.length) / 100).toFixed(9)));
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export interface Latency {
  p50: number;
  p99: number;
  max: number;
}

export function latency(ms: number[]): Latency {
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), max: percentile(ms, 100) };
}

/**
 * Runs `pass` (one pass over a dataset, returning how many items it did) until at least `minMs` of wall
 * time and `minPasses` passes have gone by; returns items per second over all passes.
 */
export async function throughput(
  pass: () => number | Promise<number>,
  minMs = 1000,
  minPasses = 1,
  maxPasses = 20,
): Promise<{ perSecond: number; passes: number; items: number; wallMs: number }> {
  let items = 0;
  let passes = 0;
  const t0 = performance.now();
  while (passes < maxPasses && (passes < minPasses || performance.now() - t0 < minMs)) {
    items += await pass();
    passes++;
  }
  const wallMs = performance.now() - t0;
  return { perSecond: (items / wallMs) * 1000, passes, items, wallMs };
}

export const fmt = (x: number, digits = 2): string =>
  Number.isFinite(x) ? x.toFixed(digits) : x === Number.POSITIVE_INFINITY ? '∞' : '-';

export const fmtRate = (x: number | null): string =>
  x === null || !Number.isFinite(x) ? '-' : Math.round(x).toLocaleString('en-US');
