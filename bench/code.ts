/**
 * Code sandbox benchmark (`npm run bench:code`): runs per second and per-run overhead of our sandboxes
 * next to spawning a process per run, all measured in this run, printed as markdown.
 *
 * - Python stdin tests: the first test of every stdin_solutions.jsonl problem (small real programs and
 *   inputs) in rotation, except two compute-heavy ones, so that the rate measures per-test cost, not CPU
 *   speed. Through (a) our PythonSandbox pool (createNodeSandboxRunner; 1 sandbox, then one per core;
 *   concurrency = sandboxes), (b) the system python3 spawned per test (`-I -S`: no site, the fastest
 *   start; also `-I` with site, as harnesses usually run it), (c) the same python3 under bubblewrap when
 *   `bwrap` is installed. Every output is judged against the expected one (`wrong` column).
 * - JavaScript: `console.log(1)` through our JavaScriptSandbox pool vs `node -e` spawned per run.
 * - scoreCode: the first 50 HumanEval problems (one harnessed check() test each) and the first 50 MBPP
 *   tasks (one harnessed test per assert) through the sandbox runner, and through a native python3
 *   CodeRunner (one process per test) at the same concurrency.
 *
 * The spawned baselines are measured first, before any sandbox exists: fork+exec from a Node process that
 * has held Pyodide isolates was ~2x slower in our runs, which would flatter the sandboxes.
 * Every row runs for at least BENCH_MS (default 3000) after an untimed warm-up. `run ms` is RunResult.ms
 * (the run inside the sandbox, queueing excluded); `wall ms` is the caller's time per call; `CPU ms/run`
 * is this process's CPU time (all threads) plus its reaped children's over the row, per run (code-cpu.ts):
 * on a shared machine it moves much less with other load than runs/s. Sandbox and native rows are
 * measured at the same concurrency (1, then one lane per core), and the targets compare like with like,
 * by runs/s and by CPU per run. Environment:
 * BENCH_MS, PYTHON (the interpreter; default: the executable behind `python3`, not a pyenv shim).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { type Row, readRows } from '../scripts/data/code-rows.ts';
import { spawnRun as spawnWithin } from '../scripts/native-python.ts';
import { compareStdout, DEFAULT_FLOAT_TOLERANCE } from '../shared/code/judge.ts';
import { createNodeSandboxRunner } from '../shared/code/sandboxes.ts';
import { type CodeItem, type CodeRunner, scoreCode } from '../shared/code/score.ts';
import { parseGroundTruth } from '../shared/code/test-formats/parse.ts';
import { DEFAULT_RUN_LIMITS, type RunLimits, type RunResult } from '../shared/code/types.ts';
import { childrenCpuMs, cpuNowMs } from './code-cpu.ts';
import { fmt, type Latency, latency } from './stats.ts';

const MIN_MS = Number(process.env.BENCH_MS ?? 3000);
const CORES = os.availableParallelism();
const LIMITS: RunLimits = { ...DEFAULT_RUN_LIMITS, wallMs: 10_000 };
const PYTHON = process.env.PYTHON ?? realPython();
const BWRAP_ARGS = [
  '--ro-bind',
  '/',
  '/',
  '--dev',
  '/dev',
  '--proc',
  '/proc',
  '--unshare-all',
  '--die-with-parent',
];
/** Compute-bound reference solutions (~0.8 s and ~0.13 s natively): not per-test overhead. */
const HEAVY = new Set(['rllm_codeforces_test:12', 'rllm_codeforces_test:203']);

interface Job {
  program: string;
  stdin: string;
  expected: string;
}

interface Outcome {
  ok: boolean;
  /** RunResult.ms, where the runner reports one. */
  ms?: number;
}

interface Measured {
  runs: number;
  perSecond: number;
  /** CPU ms per run: this process (all threads) and the children it reaped, over the whole row. */
  cpuPerRun: number;
  wrong: number;
  run: Latency | null;
  wall: Latency;
}

// --- helpers --------------------------------------------------------------------------------------------

function realPython(): string {
  try {
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  } catch {
    return 'python3';
  }
}

function commandOutput(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return null;
  }
}

function packageVersion(name: string): string {
  const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/** One process per run, killed at the bench's wall limit. */
const spawnRun = (cmd: string, args: string[], stdin: string, wallMs = LIMITS.wallMs) =>
  spawnWithin(cmd, args, stdin, wallMs);

const judged = (run: RunResult, expected: string): boolean =>
  run.status === 'ok' &&
  compareStdout(run.stdout, expected, { floatTolerance: DEFAULT_FLOAT_TOLERANCE }).passed;

/** Runs jobs in rotation on `lanes` concurrent lanes for at least MIN_MS. */
async function measure<T>(lanes: number, jobs: T[], exec: (job: T) => Promise<Outcome>): Promise<Measured> {
  const wall: number[] = [];
  const inner: number[] = [];
  let next = 0;
  let wrong = 0;
  const cpu0 = cpuNowMs();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (performance.now() - started < MIN_MS) {
        const job = jobs[next++ % jobs.length] as T;
        const t0 = performance.now();
        const out = await exec(job);
        wall.push(performance.now() - t0);
        if (out.ms !== undefined) inner.push(out.ms);
        if (!out.ok) wrong++;
      }
    }),
  );
  const elapsed = performance.now() - started;
  const cpu = cpuNowMs() - cpu0;
  return {
    runs: wall.length,
    perSecond: (wall.length / elapsed) * 1000,
    cpuPerRun: cpu / wall.length,
    wrong,
    run: inner.length > 0 ? latency(inner) : null,
    wall: latency(wall),
  };
}

/** Untimed: every job once on each of `lanes` lanes (boots the sandboxes, warms caches). */
async function warmUp<T>(lanes: number, jobs: T[], exec: (job: T) => Promise<Outcome>): Promise<void> {
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = 0; i < jobs.length; i++) await exec(jobs[(i + lane) % jobs.length] as T);
    }),
  );
}

const str = (row: Row, key: string) => String(row[key]);
const lat = (l: Latency | null) => (l ? `${fmt(l.p50, 1)} / ${fmt(l.p99, 1)}` : '-');
const rate = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

// --- workloads ------------------------------------------------------------------------------------------

function stdinJobs(): { jobs: Job[]; skipped: string[] } {
  const problems: Record<string, Row[]> = {
    rllm_code_contests_test: readRows('rllm_code_contests_test.jsonl'),
    rllm_codeforces_test: readRows('rllm_codeforces_test.jsonl'),
  };
  const jobs: Job[] = [];
  const skipped: string[] = [];
  for (const s of readRows('stdin_solutions.jsonl')) {
    const id = `${str(s, 'source')}:${Number(s.line)}`;
    if (HEAVY.has(id)) {
      skipped.push(id);
      continue;
    }
    const suite = parseGroundTruth(problems[str(s, 'source')]?.[Number(s.line)]?.tests);
    if ('error' in suite) throw new Error(`${id}: ${suite.error.message}`);
    const test = suite.cases[0];
    if (test?.kind !== 'stdio') throw new Error(`${id}: not a stdio test`);
    jobs.push({ program: str(s, 'python'), stdin: test.input, expected: test.output });
  }
  return { jobs, skipped };
}

/** A CodeRunner running Python natively, one process per test (the insecure baseline). */
const nativeRunner: CodeRunner = (language, program, stdin, limits) => {
  if (language !== 'python') throw new Error(`native runner: Python only, not ${language}`);
  return spawnRun(PYTHON, ['-I', '-S', '-c', program], stdin, limits.wallMs);
};

// --- main -----------------------------------------------------------------------------------------------

interface RunRow {
  /** Position in the printed table; rows are measured in another order (see main). */
  order: number;
  workload: string;
  runner: string;
  lanes: number;
  m: Measured | null;
  note?: string;
  /** CPU time is not measurable for this runner (shown as '-'). */
  noCpu?: boolean;
}

interface ScoreSet {
  name: string;
  items: CodeItem[];
}

/** scoreCode over the set's items in rotation on `lanes` lanes: one printed table row. */
async function scoreRow(set: ScoreSet, label: string, lanes: number, runner: CodeRunner): Promise<string> {
  let tests = 0;
  let perfect = 0;
  let items = 0;
  const testMs: number[] = [];
  const exec = async (item: CodeItem): Promise<Outcome> => {
    const v = await scoreCode(item, runner);
    tests += v.tests.length;
    items++;
    if (v.score === 1) perfect++;
    for (const t of v.tests) testMs.push(t.ms);
    return { ok: v.score === 1 };
  };
  await warmUp(lanes, set.items.slice(0, 2 * lanes), exec);
  tests = 0;
  perfect = 0;
  items = 0;
  testMs.length = 0;
  const started = performance.now();
  const m = await measure(lanes, set.items, exec);
  const seconds = (performance.now() - started) / 1000;
  const cpuPerTest = (m.cpuPerRun * m.runs) / tests;
  return `| ${set.name} | ${label} | ${lanes} | ${rate(tests / seconds)} | ${rate(m.perSecond)} | ${fmt(cpuPerTest, 2)} | ${rate(1000 / cpuPerTest)} | ${lat(latency(testMs))} | ${lat(m.wall)} | ${tests} | ${perfect}/${items} |`;
}

function scoreSets(): ScoreSet[] {
  const fence = (code: string) => `\`\`\`python\n${code}\n\`\`\``;
  return [
    {
      name: 'HumanEval 0-49 (1 test each)',
      items: readRows('humaneval.jsonl')
        .slice(0, 50)
        .map((r) => ({
          response: fence(str(r, 'prompt') + str(r, 'canonical_solution')),
          ground_truth: { test: r.test, entry_point: r.entry_point },
        })),
    },
    {
      name: 'MBPP 1-50 (1 test per assert)',
      items: readRows('mbpp.jsonl')
        .slice(0, 50)
        .map((r) => ({
          response: fence(str(r, 'code')),
          ground_truth: { test_list: r.test_list, test_setup_code: r.test_setup_code },
        })),
    },
  ];
}

async function main() {
  const benchStarted = performance.now();
  const pythonVersion =
    commandOutput(PYTHON, ['-c', 'import sys; print(sys.version.split()[0])']) ?? 'missing';
  const bwrapPath = commandOutput('sh', ['-c', 'command -v bwrap']);
  const bwrapVersion = bwrapPath ? commandOutput('bwrap', ['--version']) : null;

  console.log('# Code sandbox benchmark\n');
  console.log(`- CPU: ${os.cpus()[0]?.model ?? 'unknown'}, ${CORES} cores (os.availableParallelism)`);
  console.log(`- memory: ${fmt(os.totalmem() / 2 ** 30, 1)} GiB; ${os.type()} ${os.release()}`);
  console.log(
    `- node ${process.version}; isolated-vm ${packageVersion('isolated-vm')}; pyodide ${packageVersion('pyodide')}`,
  );
  console.log(`- python3: ${PYTHON} (${pythonVersion})`);
  console.log(`- bubblewrap: ${bwrapVersion ? `${bwrapPath} (${bwrapVersion})` : 'not installed'}`);
  console.log(
    `- each row: at least ${MIN_MS} ms after an untimed warm-up; concurrency = sandboxes = lanes; load average at start: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    '- spawned baselines are measured first, while this process is small: forking a Node process that has ' +
      'held Pyodide isolates was measured ~2x slower, which would flatter the sandboxes\n',
  );

  const { jobs, skipped } = stdinJobs();
  const laneCounts = CORES > 1 ? [1, CORES] : [1];
  const rows: RunRow[] = [];
  const pyWorkload = `Python stdin test (${jobs.length} problems)`;
  const jsWorkload = 'JavaScript `console.log(1)`';
  const trivial: Job[] = [{ program: 'console.log(1)', stdin: '', expected: '1\n' }];
  const sets = scoreSets();
  const scoreRows = new Map<string, string>();

  // Phase 1: the spawned baselines.
  // (b) native python3, one process per test.
  const native =
    (args: string[]) =>
    async (job: Job): Promise<Outcome> => {
      const run = await spawnRun(PYTHON, [...args, '-c', job.program], job.stdin);
      return { ok: judged(run, job.expected) };
    };
  for (const lanes of laneCounts) {
    await warmUp(1, jobs.slice(0, 5), native(['-I', '-S']));
    rows.push({
      order: 10 + lanes,
      workload: pyWorkload,
      runner: 'python3 -I -S spawned per test',
      lanes,
      m: await measure(lanes, jobs, native(['-I', '-S'])),
    });
  }
  rows.push({
    order: 20,
    workload: pyWorkload,
    runner: 'python3 -I (with site) spawned per test',
    lanes: CORES,
    m: await measure(CORES, jobs, native(['-I'])),
  });

  // (c) python3 under bubblewrap.
  const bwrap = async (job: Job): Promise<Outcome> => {
    const run = await spawnRun('bwrap', [...BWRAP_ARGS, PYTHON, '-I', '-S', '-c', job.program], job.stdin);
    return { ok: judged(run, job.expected) };
  };
  let bwrapNote: string | undefined = bwrapPath ? undefined : 'not installed';
  if (bwrapPath) {
    const probe = await spawnRun(
      'bwrap',
      [...BWRAP_ARGS, PYTHON, '-I', '-S', '-c', 'print(input())'],
      'ok\n',
    );
    if (probe.stdout !== 'ok\n')
      bwrapNote = `not usable here: ${probe.stderr.trim().split('\n')[0] ?? probe.status}`;
  }
  for (const lanes of laneCounts) {
    // bwrap runs python3 in a PID namespace whose init reaps it: its CPU never reaches our children's time.
    const row = {
      order: 30 + lanes,
      workload: pyWorkload,
      runner: 'bwrap + python3 -I -S per test',
      lanes,
      noCpu: true,
    };
    if (bwrapNote) {
      rows.push({ ...row, m: null, note: bwrapNote });
      continue;
    }
    await warmUp(1, jobs.slice(0, 5), bwrap);
    rows.push({ ...row, m: await measure(lanes, jobs, bwrap) });
  }

  // node spawned per run.
  const nodeExec = async (job: Job): Promise<Outcome> => {
    const run = await spawnRun(process.execPath, ['-e', job.program], job.stdin);
    return { ok: run.status === 'ok' && run.stdout === job.expected };
  };
  for (const lanes of laneCounts) {
    await warmUp(1, trivial, nodeExec);
    rows.push({
      order: 50 + lanes,
      workload: jsWorkload,
      runner: 'node -e spawned per run',
      lanes,
      m: await measure(lanes, trivial, nodeExec),
    });
  }

  // scoreCode with a native runner.
  for (const set of sets)
    for (const lanes of laneCounts)
      scoreRows.set(
        `${set.name}/native/${lanes}`,
        await scoreRow(set, 'python3 -I -S per test', lanes, nativeRunner),
      );

  // Phase 2: the sandboxes.
  // (d) JavaScript through our sandbox pool, before the Python sandboxes: measured after them (hundreds of
  // Pyodide runs in this process) the same rows gave ~600/s at 1.97 CPU ms/run instead of ~1000/s at 1.45.
  for (const lanes of laneCounts) {
    const runner = createNodeSandboxRunner({ sandboxesPerLanguage: lanes });
    const exec = async (job: Job): Promise<Outcome> => {
      const run = await runner.run('javascript', job.program, job.stdin, LIMITS);
      return { ok: run.status === 'ok' && run.stdout === job.expected, ms: run.ms };
    };
    await warmUp(
      lanes,
      Array.from({ length: 50 }, () => trivial[0] as Job),
      exec,
    );
    rows.push({
      order: 40 + lanes,
      workload: jsWorkload,
      runner: 'JavaScriptSandbox (V8 in isolated-vm)',
      lanes,
      m: await measure(lanes, trivial, exec),
    });
    await runner.close();
  }

  // (a) Python through our sandbox pool.
  for (const lanes of laneCounts) {
    const runner = createNodeSandboxRunner({ sandboxesPerLanguage: lanes });
    const exec = async (job: Job): Promise<Outcome> => {
      const run = await runner.run('python', job.program, job.stdin, LIMITS);
      return { ok: judged(run, job.expected), ms: run.ms };
    };
    await warmUp(lanes, jobs, exec);
    rows.push({
      order: lanes,
      workload: pyWorkload,
      runner: 'PythonSandbox (Pyodide in isolated-vm)',
      lanes,
      m: await measure(lanes, jobs, exec),
    });
    for (const set of sets)
      scoreRows.set(`${set.name}/sandbox/${lanes}`, await scoreRow(set, 'sandbox pool', lanes, runner.run));
    await runner.close();
  }

  rows.sort((a, b) => a.order - b.order);
  console.log('## Runs per second\n');
  console.log(
    '| workload | runner | concurrency | runs/s | CPU ms/run | runs per CPU-s | run ms p50 / p99 | wall ms p50 / p99 | runs | wrong |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    if (!r.m) {
      console.log(`| ${r.workload} | ${r.runner} | ${r.lanes} | ${r.note} | - | - | - | - | - | - |`);
      continue;
    }
    console.log(
      `| ${r.workload} | ${r.runner} | ${r.lanes} | ${rate(r.m.perSecond)} | ${r.noCpu ? '-' : fmt(r.m.cpuPerRun, 2)} | ${r.noCpu ? '-' : rate(1000 / r.m.cpuPerRun)} | ${lat(r.m.run)} | ${lat(r.m.wall)} | ${r.m.runs} | ${r.m.wrong} |`,
    );
  }
  console.log(
    `\nCPU ms/run: CPU time of this process (every thread: host, isolates, GC) plus its reaped children (the spawned python3, node or bwrap), over the row, per run${childrenCpuMs() === null ? ' (no /proc here: children not counted)' : '; children in 10 ms clock ticks'}. It depends much less on other load than runs/s; runs per CPU-s x cores is what the cores would give if nothing else ran. Not shown for bwrap: python3 runs in a PID namespace whose init reaps it, so its CPU time never reaches this process's children's time.`,
  );
  console.log(
    `\nPython jobs: the first test of each stdin_solutions problem, except ${skipped.join(', ')} (compute-bound).`,
  );

  console.log('\n## scoreCode throughput (canonical solutions)\n');
  console.log(
    '| items | runner | concurrency | tests/s | items/s | CPU ms/test | tests per CPU-s | test run ms p50 / p99 | item wall ms p50 / p99 | tests | score 1 |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const set of sets)
    for (const kind of ['sandbox', 'native'])
      for (const lanes of laneCounts) console.log(scoreRows.get(`${set.name}/${kind}/${lanes}`));

  // The issue's targets, from runs/s (wall) and from CPU per run (what the cores would give if ours).
  const find = (runner: string, lanes: number, workload = pyWorkload) =>
    rows.find((r) => r.runner === runner && r.lanes === lanes && r.workload === workload)?.m ?? undefined;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log('\n## Targets\n');
  for (const lanes of laneCounts) {
    const ours = find('PythonSandbox (Pyodide in isolated-vm)', lanes);
    const base = find('python3 -I -S spawned per test', lanes);
    if (ours && base) {
      const x = ours.perSecond / base.perSecond;
      const xCpu = base.cpuPerRun / ours.cpuPerRun;
      console.log(
        `- Python, ${lanes} ${lanes === 1 ? 'lane' : 'lanes'} each: sandbox ${rate(ours.perSecond)}/s vs native python3 -I -S ${rate(base.perSecond)}/s = ${x.toFixed(2)}x (target >= 2x: ${verdict(x >= 2)}); per CPU time: ${fmt(base.cpuPerRun, 2)} vs ${fmt(ours.cpuPerRun, 2)} ms/test = ${xCpu.toFixed(2)}x (${verdict(xCpu >= 2)})`,
      );
    }
  }
  const js = find('JavaScriptSandbox (V8 in isolated-vm)', CORES, jsWorkload);
  if (js !== undefined) {
    const where = CORES === 2 ? '2 cores' : `${CORES} cores (the target is stated for 2)`;
    const ifOurs = (CORES * 1000) / js.cpuPerRun;
    console.log(
      `- JavaScript trivial runs on ${where}: ${rate(js.perSecond)}/s (target >= 1000/s: ${verdict(js.perSecond >= 1000)}); ${fmt(js.cpuPerRun, 2)} CPU ms/run, so ${rate(ifOurs)}/s if the ${CORES} cores were ours (${verdict(ifOurs >= 1000)})`,
    );
  }
  console.log(
    `\nBenchmark wall time: ${fmt((performance.now() - benchStarted) / 1000, 1)} s; load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
}

await main();
