/**
 * Math verifier benchmark (`npm run bench:math`): throughput, latency and agreement of verifyMath on the
 * MATH-500 self-pairs and Math-Verify's 270 comparison cases (the math data set, see README "Data"), next to baselines
 * measured in the same run, printed as markdown.
 *
 * - 1 core: an in-process loop calling verifyMath, after an untimed warm-up pass; repeated for >= 1 s.
 *   p50 / p99 / max are the per-item `ms` of verifyMath's verdicts, over every timed pass.
 * - all cores: the same items through the reward worker pool (shared/reward/threads/pool.ts), one worker per
 *   core, after a warm-up batch.
 * - baselines: (a) a naive compute-engine grader, in process; (b) a naive Python sympy grader, when
 *   python3 has sympy.
 * - the long-response set (bench/long-responses.ts): verifyMath against Math-Verify (../shared/peers,
 *   python3) on the same items in this run, and the worker pool on 2 cores against one core.
 * - the largest per-item time over every item of every file of the math data set (the issue allows 1 s).
 */
import { execSync } from 'node:child_process';
import os from 'node:os';
import {
  type LabelledPair,
  math500SelfPairs,
  mathVerifyComparisons,
  mathVerifyPrecisionRows,
  mathVerifyStringRows,
  probePairs,
  truncate,
} from '../scripts/data/math-cases.ts';
import type { MathVerdict } from '../shared/math/types.ts';
import { verifyMath } from '../shared/math/verify.ts';
import type { RewardItem } from '../shared/reward/schema.ts';
import { WorkerPool } from '../shared/reward/threads/pool.ts';
import { ceNaiveGrade } from './baselines/ce-naive.ts';
import { runSympyGrader, sympyAvailable } from './baselines/sympy.ts';
import { longResponseSection } from './math-long.ts';
import { fmt, fmtRate, type Latency, latency, throughput } from './stats.ts';

const MIN_TIMED_MS = 1000;

interface Dataset {
  name: string;
  pairs: LabelledPair[];
}

interface Row {
  dataset: string;
  grader: string;
  items: number;
  agreed: number | null;
  oneCore: number | null;
  allCores: number | null;
  lat: Latency | null;
  /** Free text for rows not measured here. */
  agreementText?: string;
}

/** verifyMath that never takes the benchmark down: a throw is a wrong answer with status "error". */
function verifySafe(
  p: LabelledPair,
): MathVerdict | { correct: false; status: 'error'; ms: number; error: string } {
  const t0 = performance.now();
  try {
    return verifyMath(p.pred, p.gold, p.options);
  } catch (e) {
    return { correct: false, status: 'error', ms: performance.now() - t0, error: String(e) };
  }
}

const countAgreed = (pairs: LabelledPair[], correct: boolean[]) =>
  pairs.reduce((n, p, i) => n + (correct[i] === p.expected ? 1 : 0), 0);

interface SingleCore {
  perSecond: number;
  correct: boolean[];
  ms: number[];
  statuses: Record<string, number>;
  errors: string[];
}

function singleCore(pairs: LabelledPair[]): Promise<SingleCore> {
  for (const p of pairs) verifySafe(p); // warm-up: JIT, compute-engine caches
  const out: SingleCore = { perSecond: 0, correct: [], ms: [], statuses: {}, errors: [] };
  let first = true;
  return throughput(() => {
    for (const p of pairs) {
      const v = verifySafe(p);
      out.ms.push(v.ms);
      if (first) {
        out.correct.push(v.correct);
        out.statuses[v.status] = (out.statuses[v.status] ?? 0) + 1;
        if ('error' in v) out.errors.push(`${truncate(p.gold, 30)} | ${truncate(p.pred, 40)}: ${v.error}`);
      }
    }
    first = false;
    return pairs.length;
  }, MIN_TIMED_MS).then((t) => ({ ...out, perSecond: t.perSecond }));
}

/** All cores through the reward worker pool: one worker per core, warmed up by a first batch. */
async function allCores(pool: WorkerPool, pairs: LabelledPair[]) {
  const items: RewardItem[] = pairs.map((p) => ({
    task: 'math',
    response: p.pred,
    ground_truth: p.gold,
    options: p.options,
  }));
  await pool.score(items);
  let correct: boolean[] = [];
  const t = await throughput(async () => {
    const results = await pool.score(items);
    correct = results.map((r) => r.correct);
    return results.length;
  }, MIN_TIMED_MS);
  return { perSecond: t.perSecond, agreed: countAgreed(pairs, correct) };
}

async function ceBaseline(pairs: LabelledPair[]) {
  for (const p of pairs) ceNaiveGrade(p.pred, p.gold);
  const ms: number[] = [];
  const correct: boolean[] = [];
  let first = true;
  const t = await throughput(() => {
    for (const p of pairs) {
      const t0 = performance.now();
      const c = ceNaiveGrade(p.pred, p.gold);
      ms.push(performance.now() - t0);
      if (first) correct.push(c);
    }
    first = false;
    return pairs.length;
  }, MIN_TIMED_MS);
  return { perSecond: t.perSecond, agreed: countAgreed(pairs, correct), lat: latency(ms) };
}

/** Every item of every file of the math data set, with the options it is labelled under. */
function everyItem(): LabelledPair[] {
  const stringRows: LabelledPair[] = mathVerifyStringRows().map((r) => ({
    file: 'mathverify_cases.jsonl',
    index: r.index,
    gold: r.gold ?? 'A',
    pred: String(r.pred),
    expected: r.gold !== null,
    options: {},
  }));
  return [
    ...mathVerifyComparisons(),
    ...mathVerifyPrecisionRows(),
    ...stringRows,
    ...probePairs(),
    ...math500SelfPairs(),
  ];
}

function slowestItem(items: LabelledPair[]) {
  let worst = { ms: -1, wall: -1, pair: items[0] as LabelledPair, status: '' };
  let over1s = 0;
  for (const p of items) {
    const t0 = performance.now();
    const v = verifySafe(p);
    const wall = performance.now() - t0;
    if (wall > 1000 || v.ms > 1000) over1s++;
    if (wall > worst.wall) worst = { ms: v.ms, wall, pair: p, status: v.status };
  }
  return { ...worst, over1s };
}

function gitState(): string {
  try {
    const head = execSync('git rev-parse --short HEAD', { encoding: 'utf8', stdio: 'pipe' }).trim();
    const dirty = execSync('git status --porcelain -- shared/math', {
      encoding: 'utf8',
      stdio: 'pipe',
    }).trim();
    return `${head}${dirty ? ' + uncommitted changes in shared/math' : ''}`;
  } catch {
    return 'unknown';
  }
}

function table(rows: Row[]): string {
  const cores = os.availableParallelism();
  const head = [
    '| dataset | grader | items | agreement with labels | 1 core (items/s) | ' +
      `all ${cores} cores (items/s) | p50 ms | p99 ms | max ms |`,
    '|---|---|---:|---|---:|---:|---:|---:|---:|',
  ];
  const body = rows.map((r) => {
    const agree =
      r.agreementText ??
      (r.agreed === null ? '-' : `${r.agreed}/${r.items} (${fmt((100 * r.agreed) / r.items, 1)}%)`);
    const lat = r.lat ?? { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
    return (
      `| ${r.dataset} | ${r.grader} | ${r.items} | ${agree} | ${fmtRate(r.oneCore)} | ${fmtRate(r.allCores)} | ` +
      `${fmt(lat.p50, 3)} | ${fmt(lat.p99, 3)} | ${fmt(lat.max, 3)} |`
    );
  });
  return [...head, ...body].join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const sympyVersion = sympyAvailable();
  const datasets: Dataset[] = [
    { name: 'MATH-500 self-pairs', pairs: math500SelfPairs() },
    { name: 'Math-Verify suite', pairs: mathVerifyComparisons() },
  ];

  console.log('# gradus math verifier benchmark\n');
  console.log(
    `- machine: ${cpu}, ${os.availableParallelism()} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, ` +
      `${os.platform()} ${os.release()}`,
  );
  console.log(`- node ${process.version}; python3 sympy: ${sympyVersion ?? 'not available'}`);
  console.log(`- verifier: shared/math at ${gitState()}\n`);

  const rows: Row[] = [];
  const notes: string[] = [];
  const pool = new WorkerPool();
  try {
    for (const d of datasets) {
      const one = await singleCore(d.pairs);
      const all = await allCores(pool, d.pairs);
      const ours = countAgreed(d.pairs, one.correct);
      rows.push({
        dataset: d.name,
        grader: '**gradus verifyMath**',
        items: d.pairs.length,
        agreed: ours,
        oneCore: one.perSecond,
        allCores: all.perSecond,
        lat: latency(one.ms),
      });
      const statuses = Object.entries(one.statuses)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ');
      notes.push(`${d.name}: gradus statuses ${statuses}.`);
      if (all.agreed !== ours)
        notes.push(`${d.name}: through the pool ${all.agreed}/${d.pairs.length} agree.`);
      if (all.perSecond < one.perSecond) {
        notes.push(
          `${d.name}: the pool is slower than one in-process core here: an item takes ` +
            `~${fmt(1e6 / one.perSecond, 0)} µs of verification, less than its trip through the pool ` +
            '(packing the chunk, the messages both ways, parsing the item again), and the pool’s host thread shares ' +
            `the ${os.availableParallelism()} cores with its workers.`,
        );
      }
      if (one.errors.length > 0) {
        notes.push(`${d.name}: verifyMath threw on ${one.errors.length} item(s), e.g. ${one.errors[0]}`);
      }

      const ce = await ceBaseline(d.pairs);
      rows.push({
        dataset: d.name,
        grader: 'naive compute-engine (a)',
        items: d.pairs.length,
        agreed: ce.agreed,
        oneCore: ce.perSecond,
        allCores: null,
        lat: ce.lat,
      });

      if (sympyVersion !== null) {
        const py = runSympyGrader(d.pairs);
        rows.push({
          dataset: d.name,
          grader: 'naive Python sympy (b)',
          items: d.pairs.length,
          agreed: py ? countAgreed(d.pairs, py.correct) : null,
          oneCore: py?.perSecond ?? null,
          allCores: null,
          lat: py ? latency(py.ms) : null,
        });
        if (py) {
          const st = Object.entries(py.statuses)
            .map(([s, n]) => `${s} ${n}`)
            .join(', ');
          notes.push(`${d.name}: sympy baseline statuses ${st}.`);
        }
      }
    }
  } finally {
    await pool.close();
  }

  console.log(table(rows));

  const all = everyItem();
  const slow = slowestItem(all);
  console.log(
    `\n**Slowest item over all ${all.length} items of ../shared/data/math** (one pass, warm): ` +
      `${fmt(slow.wall, 2)} ms wall (verdict ms ${fmt(slow.ms, 2)}, status ${slow.status}), ` +
      `${slow.pair.file}#${slow.pair.index}: gold \`${truncate(slow.pair.gold, 40)}\`, ` +
      `pred \`${truncate(slow.pair.pred, 60)}\`. Items over 1 s: ${slow.over1s} ` +
      `(${slow.over1s === 0 ? 'meets' : 'FAILS'} the 1 s requirement).`,
  );

  console.log(`\n${await longResponseSection()}`);

  console.log('\nNotes:');
  for (const n of [
    'Agreement counts every disagreement with the recorded label, including the ones gradus makes on ' +
      'purpose (test/math/disagreements.ts). Math-Verify cases are replayed with each test’s options ' +
      '(match_types → extraction, precision, strict, allow_set_relation_comp → allowSetRelation).',
    '1 core: an in-process loop after a warm-up pass, repeated for at least 1 s; p50/p99/max are the ' +
      'per-item `ms` of the verdicts. All cores: the same items through shared/reward/threads/pool.ts ' +
      `(${os.availableParallelism()} worker threads, items as RewardItems, warm-up batch first).`,
    '(a) naive compute-engine: last \\boxed{} (else the whole text), ce.parse both, ' +
      '`isSame || isEqual === true`; in process, timed like gradus.',
    '(b) naive Python sympy (bench/baselines/sympy_grader.py): last \\boxed{}, strip_string-like ' +
      'normalisation, string match, else parse_expr + simplify(a-b) == 0 under a 5 s SIGALRM; items/s and ' +
      'ms measured in Python per item, after a warm-up, excluding interpreter start. Much simpler than ' +
      'Math-Verify, which is measured itself on the long-response set below.',
    ...notes,
  ]) {
    console.log(`- ${n}`);
  }
  console.log(`\n_Bench ran in ${fmt((performance.now() - started) / 1000, 1)} s._`);
}

await main();
