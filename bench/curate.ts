/**
 * Curriculum benchmark (`npm run bench:curate`): how fast, and in how much memory, a 1,000,000-row rollouts
 * file becomes a pass-rate table. Every step runs in its own child process (plain `node`, as the CLI runs),
 * which reports its wall time and its peak RSS (process.resourceUsage().maxRSS, all threads included);
 * results are printed as markdown.
 *
 * Data (generated in a temp dir): 10,000 math problems (verl rows, JSONL) and 4 models x 25 samples each,
 * short responses ending in \boxed{answer}, right with a per-(problem, model) probability.
 *
 * - read: stream the rollouts, JSON.parse and validate each row (the ScoredRollout schema).
 * - read + reduce: the same, plus the gold join and per-(problem, model) counters (correct = a cheap string
 *   check standing in for the scorer), to isolate the cost of reducing.
 * - score: the reward scorer (createNodeScorer, one worker per core) on in-memory batches of 2,048 items.
 * - gradus rollouts score: everything end to end (scoreRollouts), writing Parquet; the 1 GB check is on it.
 * - baselines, same file, same run: a naive Node version (read the whole file, split, JSON.parse every line
 *   into an array, then reduce) and python3 with the json module (line by line, dict counters).
 *
 * Rows: GRADUS_BENCH_ROWS (default 1,000,000; must be a multiple of 100).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassRateCounter, scoreRollouts } from '../shared/curriculum/passrates.ts';
import { loadGolds } from '../shared/curriculum/passrates-gold.ts';
import { ScoredRollout } from '../shared/formats/rollout-row.ts';
import { readRows } from '../shared/io/rows.ts';
import { writeRows } from '../shared/io/write-rows.ts';
import type { RewardItem } from '../shared/reward/schema.ts';

const MODELS = ['r1-distill-1.5b', 'r1-distill-7b', 'r1-distill-32b', 'r1'];
const SAMPLES = 25;
const MEMORY_LIMIT_MB = 1024;
const SCORE_SAMPLE = 200_000;

interface StepResult {
  rows: number;
  ms: number;
  peakRssMb: number;
}

// ---- data --------------------------------------------------------------------------------------------

function answerOf(problem: number): string {
  return problem % 7 === 0 ? `\\frac{${problem}}{7}` : String(problem * 3 + 1);
}

/** Deterministic pseudo-random in [0, 1). */
function unit(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return x - Math.floor(x);
}

async function generate(dir: string, rows: number): Promise<{ dataset: string; rollouts: string }> {
  const problems = rows / (MODELS.length * SAMPLES);
  const dataset = join(dir, 'problems.jsonl');
  await writeRows(
    dataset,
    (function* () {
      for (let p = 0; p < problems; p++) {
        yield {
          data_source: 'math/synthetic',
          prompt: [{ role: 'user', content: `Problem ${p}` }],
          ability: 'math',
          reward_model: { style: 'rule', ground_truth: answerOf(p) },
          extra_info: { problem_id: `p${p}` },
        };
      }
    })(),
  );
  const rollouts = join(dir, 'rollouts.jsonl');
  await writeRows(
    rollouts,
    (function* () {
      for (let s = 0; s < SAMPLES; s++) {
        for (let p = 0; p < problems; p++) {
          for (let m = 0; m < MODELS.length; m++) {
            const skill = (m + 1) / (MODELS.length + 1);
            const right = unit(p * 1000 + m * 100 + s) < skill * (0.3 + unit(p));
            const answer = right ? answerOf(p) : String(p * 3 + 2);
            yield {
              problem_id: `p${p}`,
              model: MODELS[m],
              response: `<think>Working through problem ${p} step by step.</think> The answer is $\\boxed{${answer}}$.`,
            };
          }
        }
      }
    })(),
  );
  return { dataset, rollouts };
}

// ---- steps (each runs in a child process) ------------------------------------------------------------

/** Imported only by the steps that score, so the other steps' peak RSS is theirs alone. */
function loadScorerModule() {
  return import('../shared/reward/node-scorer.ts');
}

async function stepRead(rollouts: string): Promise<number> {
  let rows = 0;
  for await (const { value } of readRows(rollouts).records) {
    ScoredRollout.parse(value);
    rows++;
  }
  return rows;
}

async function stepReadReduce(rollouts: string, dataset: string): Promise<number> {
  const golds = await loadGolds(dataset);
  const counter = new PassRateCounter();
  let rows = 0;
  for await (const { value } of readRows(rollouts).records) {
    const r = ScoredRollout.parse(value);
    const gold = golds.get(r.problem_id)?.ground_truth;
    counter.add(counter.key(r.problem_id, r.model), r.response.includes(`{${String(gold)}}`));
    rows++;
  }
  if (counter.rows().length === 0) throw new Error('nothing counted');
  return rows;
}

async function stepScore(rollouts: string, dataset: string): Promise<number> {
  const golds = await loadGolds(dataset);
  const items: RewardItem[] = [];
  for await (const { value } of readRows(rollouts).records) {
    const r = ScoredRollout.parse(value);
    items.push({
      response: r.response,
      ground_truth: golds.get(r.problem_id)?.ground_truth ?? '',
      task: 'math',
    });
    if (items.length >= SCORE_SAMPLE) break;
  }
  const { scorer } = (await loadScorerModule()).createNodeScorer();
  try {
    await scorer.score(items.slice(0, 4096)); // warm the workers up
    const t0 = performance.now();
    const batches: Promise<unknown>[] = [];
    for (let i = 0; i < items.length; i += 2048) batches.push(scorer.score(items.slice(i, i + 2048)));
    await Promise.all(batches);
    process.stderr.write(`${JSON.stringify({ timedMs: performance.now() - t0 })}\n`);
  } finally {
    await scorer.close();
  }
  return items.length;
}

async function stepFull(rollouts: string, dataset: string, dir: string): Promise<number> {
  const { scorer } = (await loadScorerModule()).createNodeScorer();
  try {
    const summary = await scoreRollouts({
      rollouts,
      dataset,
      output: join(dir, 'passrates.parquet'),
      scorer,
    });
    return summary.rollouts;
  } finally {
    await scorer.close();
  }
}

async function stepNaive(rollouts: string, dataset: string): Promise<number> {
  const golds = new Map<string, string>();
  for (const line of (await readFile(dataset, 'utf8')).split('\n')) {
    if (!line) continue;
    const row = JSON.parse(line);
    golds.set(row.extra_info.problem_id, row.reward_model.ground_truth);
  }
  const rows = (await readFile(rollouts, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { problem_id: string; model: string; response: string });
  const counts = new Map<string, [number, number]>();
  for (const r of rows) {
    const key = `${r.problem_id}\u0000${r.model}`;
    const c = counts.get(key) ?? [0, 0];
    c[0]++;
    if (r.response.includes(`{${golds.get(r.problem_id)}}`)) c[1]++;
    counts.set(key, c);
  }
  return rows.length;
}

const PYTHON_BASELINE = `
import json, resource, sys, time
t0 = time.perf_counter()
golds = {}
with open(sys.argv[2]) as f:
    for line in f:
        if line.strip():
            row = json.loads(line)
            golds[row["extra_info"]["problem_id"]] = row["reward_model"]["ground_truth"]
counts = {}
rows = 0
with open(sys.argv[1]) as f:
    for line in f:
        if not line.strip():
            continue
        r = json.loads(line)
        key = (r["problem_id"], r["model"])
        c = counts.setdefault(key, [0, 0])
        c[0] += 1
        if "{" + golds[r["problem_id"]] + "}" in r["response"]:
            c[1] += 1
        rows += 1
ms = (time.perf_counter() - t0) * 1000
print(json.dumps({"rows": rows, "ms": ms, "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;

// ---- driver ------------------------------------------------------------------------------------------

const self = fileURLToPath(import.meta.url);

function runStep(step: string, args: string[]): Promise<StepResult & { timedMs?: number }> {
  return new Promise((resolve, reject) => {
    // Plain `node`, as the gradus CLI's shebang runs it: --no-node-snapshot alone adds ~150 MB of RSS.
    const child = spawn(process.execPath, [self, '--step', step, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`step ${step} failed (${code}): ${err}`));
      const result = JSON.parse(out.trim().split('\n').at(-1) as string) as StepResult;
      const timed = err.split('\n').find((l) => l.startsWith('{"timedMs"'));
      resolve(timed ? { ...result, timedMs: (JSON.parse(timed) as { timedMs: number }).timedMs } : result);
    });
  });
}

async function child(step: string, args: string[]): Promise<void> {
  const [rollouts, dataset, dir] = args as [string, string, string];
  const t0 = performance.now();
  const steps: Record<string, () => Promise<number>> = {
    read: () => stepRead(rollouts),
    'read-reduce': () => stepReadReduce(rollouts, dataset),
    score: () => stepScore(rollouts, dataset),
    full: () => stepFull(rollouts, dataset, dir),
    naive: () => stepNaive(rollouts, dataset),
  };
  const run = steps[step];
  if (!run) throw new Error(`unknown step ${step}`);
  const rows = await run();
  const ms = performance.now() - t0;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ rows, ms, peakRssMb })}\n`);
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const rows = Number(process.env.GRADUS_BENCH_ROWS ?? 1_000_000);
  if (!Number.isInteger(rows) || rows <= 0 || rows % (MODELS.length * SAMPLES) !== 0) {
    throw new Error(`GRADUS_BENCH_ROWS must be a positive multiple of ${MODELS.length * SAMPLES}`);
  }
  const dir = await mkdtemp(join(os.tmpdir(), 'gradus-bench-curate-'));
  try {
    const t0 = performance.now();
    const { dataset, rollouts } = await generate(dir, rows);
    const size = (await readFile(rollouts)).length; // small enough once, for the report
    console.error(
      `generated ${fmt(rows)} rollouts (${fmt(size / 2 ** 20, 1)} MiB) in ${fmt((performance.now() - t0) / 1000, 1)} s`,
    );
    const args = [rollouts, dataset, dir];
    const table: [string, string, StepResult, string?][] = [];
    const add = async (what: string, how: string, step: string) => {
      console.error(`running ${what} (${how})...`);
      const r = await runStep(step, args);
      const note =
        r.timedMs === undefined ? undefined : `${fmt((r.rows / r.timedMs) * 1000)} rows/s scoring alone`;
      table.push([what, how, r.timedMs === undefined ? r : { ...r, ms: r.timedMs }, note]);
    };
    await add('read', 'gradus: streamed JSONL, JSON.parse + zod per row', 'read');
    await add(
      'read + reduce',
      'gradus: streamed, golds joined, per-(problem, model) counters',
      'read-reduce',
    );
    await add(
      'score',
      `gradus: createNodeScorer, ${os.availableParallelism()} workers, the first ${fmt(Math.min(rows, SCORE_SAMPLE))} rollouts in memory`,
      'score',
    );
    await add('read + score + reduce', 'gradus rollouts score (scoreRollouts), Parquet out', 'full');
    await add('read + reduce', 'baseline: naive Node, whole file in memory', 'naive');
    const py = spawnSync('python3', ['-c', PYTHON_BASELINE, rollouts, dataset], { encoding: 'utf8' });
    if (py.status === 0)
      table.push([
        'read + reduce',
        'baseline: python3 json module, line by line',
        JSON.parse(py.stdout) as StepResult,
      ]);
    else console.error(`python3 baseline failed: ${py.stderr}`);

    console.log(`\n${fmt(rows)} rollouts, ${os.availableParallelism()} cores, Node ${process.version}\n`);
    console.log('| step | implementation | rows | seconds | rows/s | peak RSS (MB) |');
    console.log('|---|---|---:|---:|---:|---:|');
    for (const [what, how, r] of table) {
      console.log(
        `| ${what} | ${how} | ${fmt(r.rows)} | ${fmt(r.ms / 1000, 1)} | ${fmt((r.rows / r.ms) * 1000)} | ${fmt(r.peakRssMb)} |`,
      );
    }
    const full = table.find(([, how]) => how.startsWith('gradus rollouts score'))?.[2] as StepResult;
    const ok = full.peakRssMb < MEMORY_LIMIT_MB;
    console.log(
      `\nPeak RSS of gradus rollouts score on ${fmt(rows)} rows: ${fmt(full.peakRssMb)} MB (limit ${MEMORY_LIMIT_MB} MB): ${ok ? 'OK' : 'OVER'}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const stepAt = process.argv.indexOf('--step');
if (stepAt > 0) {
  await child(process.argv[stepAt + 1] as string, process.argv.slice(stepAt + 2));
} else {
  await main();
}
