/**
 * The long-response part of `npm run bench:math`: verifyMath against Math-Verify on the same long items in
 * the same run, and the worker pool with 2 workers against scoring inline on the main thread (one core) and
 * against 1 worker, on one 2,048-item batch, printed as markdown.
 */
import { verifyMath } from '../shared/math/verify.ts';
import type { RewardItem } from '../shared/reward/schema.ts';
import { scoreMathItem } from '../shared/reward/score.ts';
import { createPool, type WorkerPool } from '../shared/reward/threads/pool.ts';
import { mathVerifyMissing, runMathVerify } from './baselines/math-verify.ts';
import { DEFAULT_SEED, type LongItem, longResponses, MAX_CHARS, MIN_CHARS } from './long-responses.ts';
import { fmt, fmtRate, percentile } from './stats.ts';

/** Timed passes over the set, after one untimed warm-up pass, for each verifier. */
const PASSES = 3;
const BATCH = 2048;
/** Rounds of the scaling comparison; each round times every way of scoring the batch for at least ROUND_MS. */
const ROUNDS = 5;
const ROUND_MS = 600;

interface Timed {
  /** Every timed per-item ms, pass after pass. */
  ms: number[];
  /** Verdicts of the last pass. */
  correct: boolean[];
}

interface Stats {
  sum: number;
  median: number;
  p99: number;
  p999: number;
  max: number;
}

function stats(t: Timed): Stats {
  const total = t.ms.reduce((a, b) => a + b, 0);
  return {
    sum: total / PASSES,
    median: percentile(t.ms, 50),
    p99: percentile(t.ms, 99),
    p999: percentile(t.ms, 99.9),
    max: percentile(t.ms, 100),
  };
}

/** verifyMath in this process, one core; wall time around each call. */
function ours(items: LongItem[]): Timed {
  for (const it of items) verifyMath(it.response, it.gold);
  const out: Timed = { ms: [], correct: [] };
  for (let pass = 0; pass < PASSES; pass++) {
    out.correct = [];
    for (const it of items) {
      const t0 = performance.now();
      const v = verifyMath(it.response, it.gold);
      out.ms.push(performance.now() - t0);
      out.correct.push(v.correct);
    }
  }
  return out;
}

function peer(items: LongItem[]): Timed | string {
  const missing = mathVerifyMissing();
  if (missing !== null) return missing;
  const runs = runMathVerify(
    items.map((it) => ({ gold: it.gold, pred: it.response })),
    PASSES + 1,
  );
  if (runs === null) return 'the Math-Verify process failed (see stderr)';
  const timed = runs.slice(1);
  return { ms: timed.flatMap((r) => r.ms), correct: timed.at(-1)?.correct ?? [] };
}

interface Scaling {
  /** Median over the rounds of each way's items/s. */
  inline: number;
  pool1: number;
  pool2: number;
  /** Medians over the rounds of the per-round ratios. */
  twoOverOne: number;
  twoOverInline: number;
}

/** Items/s of `score` on the batch: whole batches, one after another, for at least ROUND_MS. */
async function rate(score: () => unknown): Promise<number> {
  let batches = 0;
  const t0 = performance.now();
  do {
    await score();
    batches++;
  } while (performance.now() - t0 < ROUND_MS);
  return (batches * BATCH * 1000) / (performance.now() - t0);
}

/**
 * The same 2,048-item batch scored inline on the main thread (scoreMathItem per item: what a worker runs per
 * item), through a pool of 1 worker and through a pool of 2. Both pools are started and warmed up by one
 * untimed batch before any timing; the three ways then take turns, round after round (the order rotating),
 * so a change in machine load hits all three alike, and each ratio is taken within a round.
 */
async function scaling(items: LongItem[]): Promise<Scaling> {
  const batch: RewardItem[] = Array.from({ length: BATCH }, (_, i) => {
    const it = items[i % items.length] as LongItem;
    return { task: 'math', response: it.response, ground_truth: it.gold };
  });
  const pools: WorkerPool[] = [createPool({ size: 1 }), createPool({ size: 2 })];
  try {
    const ways = [() => batch.map(scoreMathItem), ...pools.map((pool) => () => pool.score(batch))];
    for (const way of ways) await way();
    const rates: number[][] = ways.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < ways.length; k++) {
        const w = (round + k) % ways.length;
        rates[w]?.push(await rate(ways[w] as () => unknown));
      }
    }
    const [inline, pool1, pool2] = rates as [number[], number[], number[]];
    const ratio = (a: number[], b: number[]) =>
      percentile(
        a.map((x, r) => x / (b[r] as number)),
        50,
      );
    return {
      inline: percentile(inline, 50),
      pool1: percentile(pool1, 50),
      pool2: percentile(pool2, 50),
      twoOverOne: ratio(pool2, pool1),
      twoOverInline: ratio(pool2, inline),
    };
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

const row = (name: string, n: number, correct: string, s: Stats) =>
  `| ${name} | ${n} | ${correct} | ${fmt(s.sum, 1)} | ${fmt(s.median, 3)} | ${fmt(s.p99, 3)} | ` +
  `${fmt(s.p999, 3)} | ${fmt(s.max, 3)} |`;

const count = (c: boolean[]) => `${c.filter(Boolean).length}/${c.length}`;

export async function longResponseSection(): Promise<string> {
  const items = longResponses();
  const sizes = items.map((it) => Buffer.byteLength(it.response));
  const lines = [
    `## Long responses: ${items.length} MATH-500 solutions after an R1-style <think> block`,
    '',
    `- each response ${MIN_CHARS / 1024}–${MAX_CHARS / 1024} KB (here ${fmt(Math.min(...sizes) / 1024, 1)}–` +
      `${fmt(Math.max(...sizes) / 1024, 1)} KB, median ${fmt(percentile(sizes, 50) / 1024, 1)} KB), seed ` +
      `${DEFAULT_SEED}; gold = MATH-500 \`answer\`. Each verifier: one untimed warm-up pass, then ${PASSES} ` +
      'timed passes; the sum is per pass, the percentiles over every timed item.',
    '- gradus: verifyMath in this process (one core), wall time around each call, default options. ' +
      'Math-Verify: ../shared/peers/math-verify/score.py --mode boxed in one python3 process, its own ' +
      'per-item time of parse + verify.',
    '',
    '| verifier | items | correct | sum of per-item ms | median ms | p99 ms | p99.9 ms | max ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const g = ours(items);
  const gs = stats(g);
  lines.push(row('**gradus verifyMath** (1 core)', items.length, count(g.correct), gs));
  const mv = peer(items);
  if (typeof mv === 'string') {
    lines.push(`| Math-Verify | - | - | not measured: ${mv} | | | | |`);
  } else {
    const ms = stats(mv);
    lines.push(row('Math-Verify (python3)', items.length, count(mv.correct), ms));
    const x = (a: number, b: number) => `${fmt(a / b, 1)}x`;
    lines.push(
      `| Math-Verify / gradus | | | **${x(ms.sum, gs.sum)}** | ${x(ms.median, gs.median)} | ` +
        `${x(ms.p99, gs.p99)} | ${x(ms.p999, gs.p999)} | ${x(ms.max, gs.max)} |`,
    );
    const differ = items.flatMap((it, i) =>
      g.correct[i] === mv.correct[i] ? [] : [`${it.id} (gradus ${g.correct[i] ? 'correct' : 'wrong'})`],
    );
    lines.push(
      '',
      `Verdicts agree on ${items.length - differ.length}/${items.length} items` +
        `${differ.length > 0 ? `; they differ on ${differ.slice(0, 5).join(', ')}` : ''}.`,
    );
  }
  const c = await scaling(items);
  lines.push(
    '',
    `| one ${BATCH.toLocaleString('en-US')}-item batch of these items | one core: inline, main thread (items/s) | ` +
      'pool, 1 worker (items/s) | pool, 2 workers (items/s) | 2 workers / one core | 2 workers / 1 worker |',
    '|---|---:|---:|---:|---:|---:|',
    `| scoreMathItem per item vs createPool({ size }) | ${fmtRate(c.inline)} | ${fmtRate(c.pool1)} | ` +
      `${fmtRate(c.pool2)} | **${fmt(c.twoOverInline, 2)}x** | ${fmt(c.twoOverOne, 2)}x |`,
    '',
    `Items/s: the median of ${ROUNDS} rounds; in each round each way scores the batch again and again for ` +
      `at least ${ROUND_MS} ms, the three taking turns; the ratios are the medians of the per-round ratios. ` +
      'Both pools are started and warmed up by an untimed batch first. One core is the batch scored inline on ' +
      'the main thread (what a runtime without threads does); a pool of 1 worker is not one core: its host ' +
      'packs the next chunk while the worker scores the one before, so it uses part of a second core.',
  );
  return lines.join('\n');
}
