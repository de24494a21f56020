/** What the metrics need of one scored sample. */
export interface SampleVerdict {
  sample: number;
  correct: boolean;
  /** The answer our verifier extracted (math), used for majority voting; null when none. */
  extracted: string | null;
  finishReason: string | null;
  responseChars: number;
  completionTokens?: number;
}

export interface ProblemSamples {
  id: string;
  subject?: string;
  level?: string;
  samples: SampleVerdict[];
}

export interface Interval {
  low: number;
  high: number;
}

export interface LengthStats {
  mean: number;
  median: number;
  p90: number;
  max: number;
}

export interface GroupScore {
  problems: number;
  avg: number;
}

export interface BenchmarkMetrics {
  problems: number;
  samples: number;
  /** Samples per problem asked for. */
  k: number;
  /** Mean over problems of the share of correct samples (the paper's avg@k / Pass@1). */
  avg: number;
  /** Bootstrap 95% interval of `avg`, resampling problems. */
  ci95: Interval;
  /** Unbiased pass@k for k = 1, 2, 4, ... up to the samples per problem. */
  passAt: Record<string, number>;
  /**
   * Majority vote over the extracted answers of each problem's k samples. Only where answers can be voted
   * on (math): a program is not an answer two samples share, and ties would go to the first sample.
   */
  majAtK?: number;
  truncationRate: number;
  lengthChars: LengthStats;
  /** Only when every sample reported its completion tokens. */
  lengthTokens?: LengthStats;
  bySubject?: Record<string, GroupScore>;
  byLevel?: Record<string, GroupScore>;
}

/**
 * Unbiased pass@k from n samples with c correct: 1 - C(n-c, k) / C(n, k), as the product
 * prod_{i=n-c+1..n} (1 - k/i), which never forms the huge binomials.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (
    !(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k)) ||
    c < 0 ||
    c > n ||
    k < 1 ||
    k > n
  ) {
    throw new RangeError(`pass@k needs integers 0 <= c <= n and 1 <= k <= n (n=${n}, c=${c}, k=${k})`);
  }
  if (n - c < k) return 1;
  let allWrong = 1;
  for (let i = n - c + 1; i <= n; i++) allWrong *= 1 - k / i;
  return 1 - allWrong;
}

/** The share of a problem's samples that are correct. */
export function problemAccuracy(p: ProblemSamples): number {
  if (p.samples.length === 0) return 0;
  return p.samples.filter((s) => s.correct).length / p.samples.length;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Majority vote of one problem over its first `k` samples (by sample index): the answer extracted most
 * often wins, ties going to the answer seen first; samples without an answer do not vote. The vote is
 * right when the winning answer's first sample was judged correct.
 */
export function majorityCorrect(p: ProblemSamples, k: number): boolean {
  const first = [...p.samples].sort((a, b) => a.sample - b.sample).slice(0, k);
  const votes = new Map<string, { count: number; correct: boolean }>();
  for (const s of first) {
    if (s.extracted === null) continue;
    const key = s.extracted.trim();
    const entry = votes.get(key);
    if (entry) entry.count++;
    else votes.set(key, { count: 1, correct: s.correct });
  }
  let best: { count: number; correct: boolean } | undefined;
  for (const entry of votes.values()) if (!best || entry.count > best.count) best = entry;
  return best?.correct ?? false;
}

/** mulberry32: a small seeded PRNG, so bootstrap intervals are reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Percentile bootstrap 95% interval of the mean: `resamples` means of `values` drawn with replacement
 * (index = floor(rand * n), mulberry32(seed)), sorted; the interval is [sorted[floor(0.025 B)],
 * sorted[ceil(0.975 B) - 1]].
 */
export function bootstrapCI(values: readonly number[], seed = 0, resamples = 1000): Interval {
  const n = values.length;
  if (n === 0) return { low: 0, high: 0 };
  const rand = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(rand() * n)] as number;
    means[b] = sum / n;
  }
  means.sort();
  return {
    low: means[Math.floor(0.025 * resamples)] as number,
    high: means[Math.ceil(0.975 * resamples) - 1] as number,
  };
}

/** Mean, median (lower middle), 90th percentile (nearest rank) and max. */
export function lengthStats(values: readonly number[]): LengthStats {
  if (values.length === 0) return { mean: 0, median: 0, p90: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
  return { mean: mean(sorted), median: rank(0.5), p90: rank(0.9), max: sorted.at(-1) as number };
}

function groupScores(problems: readonly ProblemSamples[], keyOf: (p: ProblemSamples) => string | undefined) {
  const groups = new Map<string, number[]>();
  for (const p of problems) {
    const key = keyOf(p);
    if (key === undefined) continue;
    const list = groups.get(key) ?? [];
    list.push(problemAccuracy(p));
    groups.set(key, list);
  }
  if (groups.size === 0) return undefined;
  const out: Record<string, GroupScore> = {};
  for (const key of [...groups.keys()].sort()) {
    const scores = groups.get(key) as number[];
    out[key] = { problems: scores.length, avg: mean(scores) };
  }
  return out;
}

/**
 * Every metric of one benchmark run; `k` is the samples per problem asked for; `votable`: whether the
 * samples' answers can be voted on (math), which gives maj@k.
 */
export function computeMetrics(
  problems: readonly ProblemSamples[],
  k: number,
  options: { seed?: number; votable: boolean },
): BenchmarkMetrics {
  const seed = options.seed ?? 0;
  const accuracies = problems.map(problemAccuracy);
  const all = problems.flatMap((p) => p.samples);
  const minSamples = problems.length ? Math.min(...problems.map((p) => p.samples.length)) : 0;
  const passAt: Record<string, number> = {};
  for (let j = 1; j <= minSamples; j *= 2) {
    passAt[j] = mean(
      problems.map((p) => passAtK(p.samples.length, p.samples.filter((s) => s.correct).length, j)),
    );
  }
  if (minSamples > 0 && passAt[minSamples] === undefined) {
    passAt[minSamples] = mean(
      problems.map((p) => passAtK(p.samples.length, p.samples.filter((s) => s.correct).length, minSamples)),
    );
  }
  const tokens = all.map((s) => s.completionTokens);
  const metrics: BenchmarkMetrics = {
    problems: problems.length,
    samples: all.length,
    k,
    avg: mean(accuracies),
    ci95: bootstrapCI(accuracies, seed),
    passAt,
    truncationRate: mean(all.map((s) => (s.finishReason === 'length' ? 1 : 0))),
    lengthChars: lengthStats(all.map((s) => s.responseChars)),
  };
  if (options.votable) metrics.majAtK = mean(problems.map((p) => (majorityCorrect(p, k) ? 1 : 0)));
  if (all.length > 0 && tokens.every((t) => typeof t === 'number'))
    metrics.lengthTokens = lengthStats(tokens as number[]);
  const bySubject = groupScores(problems, (p) => p.subject);
  const byLevel = groupScores(problems, (p) => p.level);
  if (bySubject) metrics.bySubject = bySubject;
  if (byLevel) metrics.byLevel = byLevel;
  return metrics;
}
