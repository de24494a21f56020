/**
 * Reward API benchmark (`npm run bench:api`): what a trainer sees through HTTP, next to the scorer called
 * in-process, measured in the same run and printed as markdown.
 *
 * - GRPO batch: 128 MATH-500 problems x 16 responses (2,048 items; each response is the problem's own
 *   worked solution, and for 8 of the 16 it then changes its mind to another problem's answer). Timed per
 *   whole batch, median of REPS after a warm-up, for:
 *   (a) in-process: `scorer.score(items)` on the scorer the server builds (createNodeScorer; the baseline);
 *   (b) HTTP from Node: one `POST /v1/reward`, and one `POST /v1/verl/rows` (128 rows x 16 responses);
 *   (c) the Python client (batch/gradus_reward): `compute_score_batch` in one request of 2,048 and in
 *       4 requests of 512 with 4 in flight.
 *   (d) a floor: the in-process time plus the client's own JSON work on the batch with no server
 *       (JSON.stringify of the request, JSON.parse of an answer), which no Node HTTP path can go below.
 *   Each path's batch time as a multiple of the in-process batch time, and the difference.
 * - Single-item requests (OpenRLHF's current pattern, one sample per request): autocannon with 64
 *   keep-alive connections against a bare Hono server answering constant JSON (bench/baselines/bare-hono.ts:
 *   the framework's ceiling on this machine), `POST /v1/reward` (one item) and `POST /get_reward` (one
 *   sample). Each route gets WARMUP_S untimed, then LOAD_ROUNDS rounds of DURATION_S per route in turn (a
 *   burst of load from elsewhere hits the routes alike); the medians of the rounds: requests/s, its ratio to
 *   the bare server's in the same round, p50/p99, and the worst round's p99.
 *
 * Both servers run in their own processes, started alike (bench/server-process.ts; the reward server has one
 * math worker per core), so the load generator does not share their event loops. The load average is
 * printed: on a shared machine it matters.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { dataPath } from '../scripts/data-dir.ts';
import { createNodeScorer } from '../shared/reward/node-scorer.ts';
import type { RewardItem } from '../shared/reward/schema.ts';
import { autocannon } from './autocannon.ts';
import { REWARD_SERVER, startServerProcess } from './server-process.ts';
import { fmt, fmtRate } from './stats.ts';

const PROMPTS = 128;
const RESPONSES_PER_PROMPT = 16;
const REPS = 5;
const DURATION_S = 5;
const LOAD_ROUNDS = 3;
const WARMUP_S = 2;
const CONNECTIONS = 64;
const REPO = new URL('..', import.meta.url);
const BARE_HONO = 'bench/baselines/bare-hono.ts';

interface Problem {
  problem: string;
  solution: string;
  answer: string;
}

interface Group {
  problem: Problem;
  responses: string[];
  correct: boolean[];
}

function grpoBatch(): Group[] {
  const problems = readFileSync(dataPath('benchmarks/math500.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Problem)
    .slice(0, PROMPTS);
  return problems.map((problem, p) => {
    const other = (problems[(p + 1) % problems.length] as Problem).answer;
    const responses: string[] = [];
    const correct: boolean[] = [];
    for (let j = 0; j < RESPONSES_PER_PROMPT; j++) {
      const changesMind = j % 2 === 1 && other !== problem.answer;
      responses.push(
        changesMind
          ? `${problem.solution}\n\nWait, let me recheck. The final answer is $\\boxed{${other}}$.`
          : problem.solution,
      );
      correct.push(!changesMind);
    }
    return { problem, responses, correct };
  });
}

const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
};

/**
 * Runs every path once untimed, then REPS rounds of every path in turn (so a burst of load from
 * elsewhere hits all paths alike); the median ms of each.
 */
async function timeInRounds(paths: Record<string, () => Promise<unknown>>): Promise<Record<string, number>> {
  const ms: Record<string, number[]> = {};
  for (const [name, run] of Object.entries(paths)) {
    await run();
    ms[name] = [];
  }
  for (let round = 0; round < REPS; round++) {
    for (const [name, run] of Object.entries(paths)) {
      const t0 = performance.now();
      const inner = await run();
      (ms[name] as number[]).push(typeof inner === 'number' ? inner : performance.now() - t0);
    }
  }
  return Object.fromEntries(Object.entries(ms).map(([name, xs]) => [name, median(xs)]));
}

async function postJson(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** A long-lived Python process: each stdin line names a way to call the client; it answers the ms taken. */
const PYTHON_CLIENT = `
import json, sys, time
sys.path.insert(0, "batch")
from gradus_reward import compute_score_batch
job = json.loads(sys.stdin.readline())
modes = {"one": (4096, 1), "split": (512, 4)}
for line in sys.stdin:
    size, conc = modes[line.strip()]
    t0, c0 = time.perf_counter(), time.process_time()
    scores = compute_score_batch(job["data_sources"], job["solutions"], job["golds"], url=job["url"],
                                 batch_size=size, max_concurrency=conc)
    ms, cpu_ms = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    if [s["acc"] for s in scores] != job["expected"]:
        sys.exit(line.strip() + ": verdicts differ from the in-process scorer")
    print(ms, cpu_ms, flush=True)
`;

/**
 * Starts the Python client process; `run(mode)` times one compute_score_batch call there (wall ms), and
 * `cpuMs[mode]` collects the CPU time the client process spent on each call (its cost to the trainer).
 */
function pythonClient(url: string, items: RewardItem[], expected: boolean[]) {
  const child = spawn('python3', ['-c', PYTHON_CLIENT], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const job = {
    url,
    data_sources: items.map(() => 'HuggingFaceH4/MATH-500'),
    solutions: items.map((item) => item.response),
    golds: items.map((item) => item.ground_truth),
    expected,
  };
  child.stdin.write(`${JSON.stringify(job)}\n`);
  const cpuMs: Record<'one' | 'split', number[]> = { one: [], split: [] };
  return {
    cpuMs,
    async run(mode: 'one' | 'split'): Promise<number> {
      child.stdin.write(`${mode}\n`);
      const next = await lines.next();
      if (next.done) throw new Error(`the Python client exited (${child.exitCode})`);
      const [wall, cpu] = next.value.split(' ').map(Number);
      cpuMs[mode].push(cpu as number);
      return wall as number;
    },
    close: () => child.stdin.end(),
  };
}

interface Route {
  title: string;
  url: string;
  body: unknown;
}

interface LoadRun {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(route: Route, duration: number): Promise<LoadRun> {
  const result = await autocannon({
    title: route.title,
    url: route.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(route.body),
    connections: CONNECTIONS,
    duration,
  });
  // autocannon leaves requests queued at the server; one more answer means they are all done before the next load.
  await postJson(route.url, route.body);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** Every route WARMUP_S untimed (JIT, connections), then LOAD_ROUNDS rounds of every route in turn. */
async function loadInRounds(routes: Route[]): Promise<LoadRun[][]> {
  for (const route of routes) await load(route, WARMUP_S);
  const runs: LoadRun[][] = routes.map(() => []);
  for (let round = 0; round < LOAD_ROUNDS; round++) {
    for (const [i, route] of routes.entries()) (runs[i] as LoadRun[]).push(await load(route, DURATION_S));
  }
  return runs;
}

async function main(): Promise<void> {
  const cores = os.availableParallelism();
  const loadBefore = os.loadavg();
  const groups = grpoBatch();
  const items: RewardItem[] = groups.flatMap((g) =>
    g.responses.map((response) => ({
      response,
      ground_truth: g.problem.answer,
      data_source: 'HuggingFaceH4/MATH-500',
    })),
  );
  const n = items.length;
  const rows = groups.map((g, i) => ({
    data_source: 'HuggingFaceH4/MATH-500',
    prompt: [{ role: 'user', content: g.problem.problem }],
    ability: 'math',
    reward_model: { style: 'rule', ground_truth: g.problem.answer },
    extra_info: { index: i, split: 'test' },
    responses: g.responses,
  }));

  // The in-process baseline: the scorer the server builds (math threads one per core, code sandboxes),
  // called directly. Its verdicts are the reference for every path.
  const { scorer } = createNodeScorer({ poolSize: cores });
  const reference = (await scorer.score(items)).map((r) => r.correct);
  const check = (correct: boolean[], what: string) => {
    const off = correct.findIndex((c, i) => c !== reference[i]);
    if (off >= 0 || correct.length !== n)
      throw new Error(`${what}: verdict ${off} differs from the in-process scorer`);
  };
  const server = await startServerProcess();
  const bare = await startServerProcess({}, { script: BARE_HONO });
  const url = server.url;
  const python = pythonClient(url, items, reference);
  // The client's own JSON work on this batch, with no server: writing the request, reading an answer.
  const answerText = JSON.stringify(await postJson(`${url}/v1/reward`, { items }));
  try {
    const batch = await timeInRounds({
      clientJson: async () => {
        JSON.stringify({ items });
        JSON.parse(answerText);
      },
      inProcess: async () =>
        check(
          (await scorer.score(items)).map((r) => r.correct),
          'in-process',
        ),
      reward: async () => {
        const { results } = (await postJson(`${url}/v1/reward`, { items })) as {
          results: { correct: boolean }[];
        };
        check(
          results.map((r) => r.correct),
          'POST /v1/reward',
        );
      },
      verlRows: async () => {
        const { results } = (await postJson(`${url}/v1/verl/rows`, { rows })) as {
          results: { acc: boolean }[];
        };
        check(
          results.map((r) => r.acc),
          'POST /v1/verl/rows',
        );
      },
      pythonOne: () => python.run('one'),
      pythonSplit: () => python.run('split'),
    });
    python.close();

    // Single-item requests, 64 keep-alive connections.
    const one = groups[0] as Group;
    const oneItem = { items: [{ response: one.responses[0], ground_truth: one.problem.answer }] };
    const routes: Route[] = [
      { title: 'bare Hono, constant JSON (ceiling)', url: `${bare.url}/`, body: oneItem },
      { title: 'POST /v1/reward, 1 item', url: `${url}/v1/reward`, body: oneItem },
      {
        title: 'POST /get_reward, 1 sample (OpenRLHF)',
        url: `${url}/get_reward`,
        body: {
          query: [`${one.problem.problem}\n${one.responses[0]}`],
          prompts: [one.problem.problem],
          labels: [one.problem.answer],
        },
      },
    ];
    const [bareRuns, rewardRuns, openRlhfRuns] = (await loadInRounds(routes)) as [
      LoadRun[],
      LoadRun[],
      LoadRun[],
    ];

    const loadAfter = os.loadavg();
    const base = batch.inProcess as number;
    const rate = (ms: number) => fmtRate((n / ms) * 1000);
    const overhead = (ms: number) =>
      `${fmt(ms / base, 2)}x (${ms >= base ? '+' : ''}${fmt(ms - base, 0)} ms)`;
    const line = (label: string, ms: number) =>
      console.log(`| ${label} | ${fmt(ms, 0)} | ${rate(ms)} | ${overhead(ms)} |`);
    console.log(
      `\n## Reward API: ${n.toLocaleString('en-US')} responses (${PROMPTS} MATH-500 prompts x ${RESPONSES_PER_PROMPT})\n`,
    );
    console.log(
      `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores; Node ${process.version}; ` +
        `server = ${REWARD_SERVER} (${cores} math workers) and ${BARE_HONO}, each in its own process`,
    );
    console.log(
      `Load average before / after: ${loadBefore.map((x) => fmt(x, 1)).join(' ')} / ${loadAfter.map((x) => fmt(x, 1)).join(' ')}\n`,
    );
    console.log(`| path | batch ms (median of ${REPS}, interleaved) | rewards/s | vs in-process |`);
    console.log('| --- | ---: | ---: | ---: |');
    console.log(`| in-process \`scorer.score(items)\` (baseline) | ${fmt(base, 0)} | ${rate(base)} | - |`);
    line('HTTP `POST /v1/reward` (Node fetch, 1 request)', batch.reward as number);
    line(`HTTP \`POST /v1/verl/rows\` (${PROMPTS} rows x ${RESPONSES_PER_PROMPT})`, batch.verlRows as number);
    const floor = base + (batch.clientJson as number);
    line(
      'floor of any Node HTTP path: in-process + the client writing the request and reading the answer as JSON',
      floor,
    );
    line('Python client `compute_score_batch`, 1 request', batch.pythonOne as number);
    line('Python client `compute_score_batch`, 4 requests of 512, 4 in flight', batch.pythonSplit as number);
    console.log(
      `\nPython client CPU per ${n.toLocaleString('en-US')}-response call (median; JSON, HTTP, threads): ` +
        `${fmt(median(python.cpuMs.one), 0)} ms in 1 request, ${fmt(median(python.cpuMs.split), 0)} ms in 4 of 512.`,
    );
    console.log(
      `\n### Single-item requests: autocannon, ${CONNECTIONS} keep-alive connections, ${LOAD_ROUNDS} rounds of ${DURATION_S} s per route in turn\n`,
    );
    console.log(
      `| route | requests/s (median) | vs bare Hono (median of rounds) | p50 ms (median) | p99 ms (median) | p99 ms (worst round) | non-2xx | errors |`,
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const ratios = (runs: LoadRun[]) => runs.map((run, k) => run.rps / (bareRuns[k] as LoadRun).rps);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    for (const [i, runs] of [bareRuns, rewardRuns, openRlhfRuns].entries()) {
      const ratio = i === 0 ? '-' : `${fmt(median(ratios(runs)), 2)}x`;
      const of = (key: 'rps' | 'p50' | 'p99') => runs.map((run) => run[key]);
      console.log(
        `| ${(routes[i] as Route).title} | ${fmtRate(median(of('rps')))} | ${ratio} | ${fmt(median(of('p50')), 1)} | ` +
          `${fmt(median(of('p99')), 1)} | ${fmt(Math.max(...of('p99')), 1)} | ${sum(runs.map((run) => run.non2xx))} | ` +
          `${sum(runs.map((run) => run.errors))} |`,
      );
    }
    const grpo = (batch.reward as number) / base;
    const rewardRatios = ratios(rewardRuns);
    const rpsRatio = median(rewardRatios);
    const p99 = median(rewardRuns.map((run) => run.p99));
    console.log(
      `\nPer-round requests/s, bare Hono / \`/v1/reward\`: ${bareRuns.map((run, k) => `${fmtRate(run.rps)} / ${fmtRate((rewardRuns[k] as LoadRun).rps)}`).join('; ')} ` +
        `(ratios ${rewardRatios.map((r) => fmt(r, 2)).join(', ')}).`,
    );
    console.log(
      `\nIssue 13 targets, this run: single-item \`/v1/reward\` ${fmt(rpsRatio, 2)}x the bare Hono req/s ` +
        `(target >= 0.5: ${rpsRatio >= 0.5 ? 'met' : 'not met'}), p99 ${fmt(p99, 1)} ms ` +
        `(target < 50: ${p99 < 50 ? 'met' : 'not met'}); GRPO step over HTTP ${fmt(grpo, 2)}x ` +
        `in-process (target <= 1.2: ${grpo <= 1.2 ? 'met' : 'not met'}).`,
    );
  } finally {
    python.close();
    await Promise.all([server.stop(), bare.stop()]);
    await scorer.close();
  }
}

await main();
