/**
 * Cost of running the JavaScript sandbox in a child process (shared/code/sandbox-process/):
 * `node --no-node-snapshot bench/sandbox-process.ts [--seconds 3] [--rounds 3]`. Alternates runs of
 * a trivial run in this process and through a ProcessSandbox (so load on the machine hits both alike)
 * and prints runs/s and ms per run of each, then the time a child takes to start (fork to ready) and
 * to be replaced after it loses an isolate (the failing run's reply to the next run's answer).
 */
import { parseArgs } from 'node:util';
import { JavaScriptSandbox } from '../shared/code/javascript/index.ts';
import { ProcessSandbox } from '../shared/code/sandbox-process/sandbox.ts';
import { DEFAULT_RUN_LIMITS } from '../shared/code/types.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '3' }, rounds: { type: 'string', default: '3' } },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const fmt = (n: number) => n.toFixed(n < 10 ? 2 : 0);
const limits = { ...DEFAULT_RUN_LIMITS, wallMs: 1000 };
const TRIVIAL = 'console.log(6 * 7)';

const median = (xs: number[]) => xs.slice().sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;

const inProcess = new JavaScriptSandbox();
const contained = new ProcessSandbox('javascript');
for (let i = 0; i < 50; i++) {
  await inProcess.run(TRIVIAL, '', limits);
  await contained.run(TRIVIAL, '', limits);
}
// One run of each in turn, so that whatever else loads the machine weighs on both alike.
const times: Record<string, number[]> = { 'in-process': [], 'child process': [] };
// Time around a run minus the run's own time (RunResult.ms, measured where the sandbox is): the boundary.
const around: Record<string, number[]> = { 'in-process': [], 'child process': [] };
const started = performance.now();
while (performance.now() - started < seconds * rounds * 1000) {
  for (const [name, sandbox] of [
    ['in-process', inProcess],
    ['child process', contained],
  ] as const) {
    const t = performance.now();
    const result = await sandbox.run(TRIVIAL, '', limits);
    times[name]?.push(performance.now() - t);
    around[name]?.push(performance.now() - t - result.ms);
  }
}
for (const [name, list] of Object.entries(times)) {
  const total = list.reduce((x, y) => x + y, 0);
  console.log(
    `${name}: ${list.length} runs, median ${fmt(median(list))} ms per run, ${fmt((1000 * list.length) / total)} runs/s, ` +
      `median ${fmt(median(around[name] ?? []))} ms outside the run itself`,
  );
}
const overhead = median(times['child process'] ?? []) - median(times['in-process'] ?? []);
console.log(`overhead of the process boundary: ${fmt(overhead)} ms per run (difference of the medians)`);
const boundary = median(around['child process'] ?? []) - median(around['in-process'] ?? []);
console.log(`time added outside the run: ${fmt(boundary)} ms per run (difference of the medians)`);
inProcess.dispose();

const starts: number[] = [];
for (let i = 0; i < 3; i++) {
  const fresh = new ProcessSandbox('javascript');
  const started = performance.now();
  await fresh.ready();
  starts.push(performance.now() - started);
  fresh.dispose();
}
console.log(`child start (fork to ready): ${starts.map((ms) => fmt(ms)).join(' / ')} ms`);

// A length getter that lies to the guard: V8 walks 2^53 indexes, the watchdog abandons the isolate.
const LOSE = 'let n = 0; Array.prototype.indexOf.call({ get length() { return n++ ? 2 ** 53 : 0; } }, 1);';
const replaced: number[] = [];
for (let i = 0; i < 2; i++) {
  const restarts = contained.restarts;
  await contained.run(LOSE, '', limits);
  const started = performance.now();
  const next = await contained.run(TRIVIAL, '', limits);
  if (contained.restarts !== restarts + 1 || next.stdout !== '42\n')
    throw new Error('the child was not replaced');
  replaced.push(performance.now() - started);
}
console.log(
  `replacement (lost isolate to the next run answered): ${replaced.map((ms) => fmt(ms)).join(' / ')} ms`,
);
contained.dispose();
