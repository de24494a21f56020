/**
 * Reference computations for the eval tests, written from the definitions and sharing no code with
 * shared/eval/metrics.ts: exact binomials in BigInt, plain loops.
 */

function choose(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

/** 1 - C(n-c, k) / C(n, k), with the ratio taken exactly (scaled BigInt division). */
export function exactPassAtK(n: number, c: number, k: number): number {
  const scale = 10n ** 30n;
  const ratio = (choose(n - c, k) * scale) / choose(n, k);
  return 1 - Number(ratio) / 1e30;
}

export function average(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Majority answer of (answer | null) votes in sample order; ties go to the answer seen first. */
export function majorityAnswer(answers: (string | null)[]): string | null {
  const counts: [string, number][] = [];
  for (const a of answers) {
    if (a === null) continue;
    const entry = counts.find(([x]) => x === a);
    if (entry) entry[1]++;
    else counts.push([a, 1]);
  }
  let best: [string, number] | undefined;
  for (const entry of counts) if (best === undefined || entry[1] > best[1]) best = entry;
  return best ? best[0] : null;
}

/** The documented bootstrap: mulberry32(seed), B resamples of the mean, percentile interval. */
export function referenceBootstrap(values: number[], seed: number, B = 1000): { low: number; high: number } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const means: number[] = [];
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < values.length; i++) s += values[Math.floor(next() * values.length)] as number;
    means.push(s / values.length);
  }
  means.sort((x, y) => x - y);
  return { low: means[Math.floor(B * 0.025)] as number, high: means[Math.ceil(B * 0.975) - 1] as number };
}

/** Mean, median (lower middle), nearest-rank p90, max. */
export function referenceLengths(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return {
    mean: average(s),
    median: s[Math.ceil(s.length / 2) - 1],
    p90: s[Math.ceil(s.length * 0.9) - 1],
    max: s[s.length - 1],
  };
}
