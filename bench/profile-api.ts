/**
 * Where a single-item request's time goes (`npm run profile:api`): the reward server runs as a child process
 * under `--cpu-prof`, autocannon sends it single-item math `POST /v1/reward` requests (64 keep-alive
 * connections, WARMUP_S untimed then DURATION_S), SIGTERM stops it gracefully so V8 writes the profiles
 * (a SIGKILLed process writes none), and this reads them back and prints markdown:
 * - the top functions of the main thread by self time, with file:line;
 * - the share of time by module group, on the main thread and on the math worker threads.
 * Only samples inside the timed load count (less a margin at each end): start-up, warm-up and shutdown do not.
 *
 * Self time is V8's: a sample's time is the gap to the next sample. A built-in without a script (JSON.parse,
 * a native TextDecoder) counts toward the group of the JavaScript that called it.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { dataPath } from '../scripts/data-dir.ts';
import { autocannon } from './autocannon.ts';
import { startServerProcess } from './server-process.ts';
import { fmt, fmtRate } from './stats.ts';

const CONNECTIONS = 64;
const WARMUP_S = 2;
const DURATION_S = 10;
/** Samples this close to either end of the timed load are left out: the clocks of the two processes differ a little. */
const MARGIN_MS = 500;
const TOP = 25;
const REPO_URL = new URL('..', import.meta.url).href;

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Module groups, first match wins; a frame without a script takes its caller's group. */
const GROUPS: [group: string, matches: (frame: CallFrame) => boolean][] = [
  ['idle', (f) => f.functionName === '(idle)'],
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['V8 outside JavaScript (program)', (f) => f.functionName === '(program)' || f.functionName === '(root)'],
  ['@hono/node-server', (f) => f.url.includes('/node_modules/@hono/node-server/')],
  [
    'zod validation (zod, @hono/zod-openapi)',
    (f) =>
      /\/node_modules\/(zod|@hono\/zod-openapi|@hono\/zod-validator|@asteasolutions\/zod-to-openapi)\//.test(
        f.url,
      ),
  ],
  ['hono (router, context, request)', (f) => f.url.includes('/node_modules/hono/')],
  ['our json-body middleware', (f) => f.url.endsWith('/json-body.ts')],
  [
    'worker-pool messaging',
    (f) =>
      /\/shared\/reward\/(threads\/|pool\.ts|worker-protocol\.ts|worker\.ts)/.test(f.url) ||
      f.url.startsWith('node:internal/worker') ||
      f.url.includes('messageport'),
  ],
  ['scoring (shared/math, shared/reward)', (f) => /\/shared\/(math|reward)\//.test(f.url)],
  ['routes and app (shared/api, functions)', (f) => /\/(shared\/api|functions)\//.test(f.url)],
  [
    'Node fetch objects (undici Request/Response, web streams)',
    (f) => f.url.includes('undici') || f.url.includes('webstreams'),
  ],
  [
    'Node http, net, streams',
    (f) =>
      /^node:(_http|http|net|stream|internal\/(http|net|streams|stream_base_commons|timers))/.test(f.url),
  ],
  ['other Node internals', (f) => f.url.startsWith('node:')],
];
const OTHER = 'other';

function groupOf(frame: CallFrame): string | undefined {
  for (const [group, matches] of GROUPS) if (matches(frame)) return group;
  return frame.url === '' ? undefined : OTHER;
}

/** Self µs per node id, of the samples whose time since the profile's start lies in [fromUs, toUs). */
export function selfTimes(profile: CpuProfile, fromUs: number, toUs: number): Map<number, number> {
  const self = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] as number;
    const next =
      i + 1 < profile.samples.length ? at + (profile.timeDeltas[i + 1] as number) : profile.endTime;
    const since = at - profile.startTime;
    if (since < fromUs || since >= toUs) continue;
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + Math.max(0, next - at));
  }
  return self;
}

/** Each node's group: its own frame's, else (a built-in without a script) its nearest caller's. */
export function nodeGroups(profile: CpuProfile): Map<number, string> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const own = new Map(profile.nodes.map((node) => [node.id, groupOf(node.callFrame)]));
  const groups = new Map<number, string>();
  for (const node of profile.nodes) {
    // Up to the first caller whose group is known, then that group for every node on the way.
    const path: number[] = [];
    let id: number | undefined = node.id;
    let group: string | undefined;
    while (id !== undefined && group === undefined) {
      group = groups.get(id) ?? own.get(id);
      path.push(id);
      id = parent.get(id);
    }
    for (const on of path) groups.set(on, group ?? OTHER);
  }
  return groups;
}

export function groupTotals(groups: Map<number, string>, self: Map<number, number>): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [id, us] of self) {
    const group = groups.get(id) ?? OTHER;
    totals.set(group, (totals.get(group) ?? 0) + us);
  }
  return totals;
}

/** V8's own entries, which have neither a script nor a place in one. */
const PSEUDO_FRAMES = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

const where = (frame: CallFrame): string => {
  if (frame.url === '') return PSEUDO_FRAMES.has(frame.functionName) ? '-' : '(built-in)';
  const file = frame.url.replace(REPO_URL, '').replace(/^(.*\/)?node_modules\//, '');
  return `${file}:${frame.lineNumber + 1}`;
};

/** A regular expression's "function name" is its source: long, and its pipes would split a table cell. */
const shorten = (name: string): string =>
  (name.length > 60 ? `${name.slice(0, 57)}...` : name).replaceAll('|', '\\|');

export function topFunctions(profile: CpuProfile, groups: Map<number, string>, self: Map<number, number>) {
  const byFrame = new Map<string, { name: string; where: string; group: string; us: number }>();
  for (const node of profile.nodes) {
    const us = self.get(node.id);
    if (us === undefined) continue;
    const f = node.callFrame;
    const key = `${f.functionName}\0${f.url}\0${f.lineNumber}\0${f.columnNumber}`;
    const row = byFrame.get(key) ?? {
      name: shorten(f.functionName || '(anonymous)'),
      where: where(f),
      group: groups.get(node.id) ?? OTHER,
      us: 0,
    };
    row.us += us;
    byFrame.set(key, row);
  }
  return [...byFrame.values()].sort((a, b) => b.us - a.us).slice(0, TOP);
}

/** V8 names the files CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread. */
function profilesOf(dir: string, pid: number): { main: CpuProfile; workers: CpuProfile[] } {
  let main: CpuProfile | undefined;
  const workers: CpuProfile[] = [];
  for (const name of readdirSync(dir)) {
    const parts = name.split('.');
    if (parts.at(-1) !== 'cpuprofile' || Number(parts[3]) !== pid) continue;
    const profile = JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile;
    if (Number(parts[4]) === 0) main = profile;
    else workers.push(profile);
  }
  if (main === undefined) throw new Error(`no main-thread profile of process ${pid} in ${dir}`);
  return { main, workers };
}

function oneItemBody(): string {
  const first = readFileSync(dataPath('benchmarks/math500.jsonl'), 'utf8').split('\n', 1)[0] as string;
  const problem = JSON.parse(first) as { solution: string; answer: string };
  return JSON.stringify({ items: [{ response: problem.solution, ground_truth: problem.answer }] });
}

async function main(): Promise<void> {
  const body = oneItemBody();
  const dir = mkdtempSync(join(os.tmpdir(), 'gradus-cpu-prof-'));
  const loadBefore = os.loadavg();
  const spawnedAt = performance.now();
  const server = await startServerProcess({}, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  const url = `${server.url}/v1/reward`;
  const load = (duration: number) =>
    autocannon({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: CONNECTIONS,
      duration,
    });
  let stoppedMs: number | null = null;
  let result: Awaited<ReturnType<typeof load>>;
  let fromUs: number;
  let toUs: number;
  try {
    await load(WARMUP_S);
    fromUs = (performance.now() - spawnedAt + MARGIN_MS) * 1000;
    result = await load(DURATION_S);
    toUs = (performance.now() - spawnedAt - MARGIN_MS) * 1000;
  } finally {
    // SIGTERM: the server closes and exits, and V8 writes the profiles on the way out.
    stoppedMs = await server.stop('SIGTERM', 60_000);
  }
  if (stoppedMs === null)
    throw new Error('the server did not exit within 60 s of SIGTERM and was killed: no profile was written');
  const pid = server.child.pid as number;
  const { main, workers } = profilesOf(dir, pid);
  const loadAfter = os.loadavg();

  const mainSelf = selfTimes(main, fromUs, toUs);
  const total = (self: Map<number, number>) => [...self.values()].reduce((a, b) => a + b, 0);
  const mainTotal = total(mainSelf);
  const mainGroups = groupTotals(nodeGroups(main), mainSelf);
  const mainIdle = mainGroups.get('idle') ?? 0;
  const workerGroups = new Map<string, number>();
  let workersTotal = 0;
  for (const profile of workers) {
    // Worker profiles share the main thread's clock but start later: align them on it.
    const shift = profile.startTime - main.startTime;
    const self = selfTimes(profile, fromUs - shift, toUs - shift);
    workersTotal += total(self);
    for (const [group, us] of groupTotals(nodeGroups(profile), self))
      workerGroups.set(group, (workerGroups.get(group) ?? 0) + us);
  }
  const pct = (us: number, of: number) => (of > 0 ? `${fmt((us / of) * 100, 1)}%` : '-');
  const ms = (us: number) => fmt(us / 1000, 0);

  console.log('\n## Where the time goes: single-item `POST /v1/reward` under `--cpu-prof`\n');
  console.log(
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores; Node ${process.version}; ` +
      `server = functions/reward/node.ts in its own process, ${workers.length} worker thread profile(s)`,
  );
  console.log(
    `Load: autocannon, ${CONNECTIONS} keep-alive connections, ${WARMUP_S} s warm-up then ${DURATION_S} s; ` +
      `${fmtRate(result.requests.average)} req/s, p50 ${fmt(result.latency.p50, 1)} ms, ` +
      `p99 ${fmt(result.latency.p99, 1)} ms, non-2xx ${result.non2xx} (under the profiler)`,
  );
  console.log(
    `Samples: the ${fmt((toUs - fromUs) / 1e6, 1)} s of the timed load less ${MARGIN_MS} ms at each end; ` +
      `main thread ${ms(mainTotal)} ms sampled, worker threads ${ms(workersTotal)} ms. Profiles: ${dir}`,
  );
  console.log(
    `Load average before / after: ${loadBefore.map((x) => fmt(x, 1)).join(' ')} / ${loadAfter.map((x) => fmt(x, 1)).join(' ')}\n`,
  );

  console.log(`### Main thread: top ${TOP} functions by self time\n`);
  console.log('| # | function | file:line | group | self ms | % of sampled | % of busy |');
  console.log('| ---: | --- | --- | --- | ---: | ---: | ---: |');
  topFunctions(main, nodeGroups(main), mainSelf).forEach((row, i) => {
    console.log(
      `| ${i + 1} | ${row.name} | ${row.where} | ${row.group} | ${ms(row.us)} | ${pct(row.us, mainTotal)} | ` +
        `${row.group === 'idle' ? '-' : pct(row.us, mainTotal - mainIdle)} |`,
    );
  });

  const workerIdle = workerGroups.get('idle') ?? 0;
  // Worker columns only where a worker thread ran (a server that scores single items inline starts none).
  const withWorkers = workers.length > 0;
  console.log('\n### Share of time by module group\n');
  console.log(
    `| group | main ms | main % of sampled | main % of busy |${withWorkers ? ' workers ms | workers % of sampled | workers % of busy |' : ''}`,
  );
  console.log(`| --- | ---: | ---: | ---: |${withWorkers ? ' ---: | ---: | ---: |' : ''}`);
  for (const group of [...GROUPS.map(([group]) => group), OTHER]) {
    const m = mainGroups.get(group) ?? 0;
    const w = workerGroups.get(group) ?? 0;
    if (m === 0 && w === 0) continue;
    const busy = (us: number, all: number, idle: number) => (group === 'idle' ? '-' : pct(us, all - idle));
    const workerCells = withWorkers
      ? ` ${ms(w)} | ${pct(w, workersTotal)} | ${busy(w, workersTotal, workerIdle)} |`
      : '';
    console.log(
      `| ${group} | ${ms(m)} | ${pct(m, mainTotal)} | ${busy(m, mainTotal, mainIdle)} |${workerCells}`,
    );
  }
}

if (import.meta.main) await main();
