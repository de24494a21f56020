/**
 * Probe of the JavaScript sandbox's per-run overhead (not the final code benchmark): trivial programs
 * (`console.log(1)`, and a TypeScript one, a new text each run so esbuild transforms every one; the
 * CPU column does not count esbuild's own process) run back to back on one sandbox, then on two
 * sandboxes in parallel, for each isolation mode. Prints runs/s and the p50 / p99 / max of each run's
 * duration as the caller sees it (sandbox.run from call to result), which for a trivial program is all
 * overhead, and the process's CPU time per run over all its threads (host, isolates, GC): on a shared
 * machine runs/s depends on other load, CPU per run much less; 2000 / (CPU ms per run) is the rate two
 * free cores would allow. Usage: node bench/code-js-probe.ts [seconds per row, default 3]
 */
import os from 'node:os';
import { JavaScriptSandbox, type JavaScriptSandboxOptions } from '../shared/code/javascript/index.ts';
import { DEFAULT_RUN_LIMITS } from '../shared/code/types.ts';
import { fmt, latency } from './stats.ts';

const SECONDS = Number(process.argv[2] ?? 3);
const JS = 'console.log(1);';
const TS = 'const x: number = 1;\nconsole.log(x);';

interface Row {
  isolation: string;
  language: string;
  parallel: number;
  perSecond: number;
  durations: number[];
  /** CPU time of the whole process (every thread: host, isolates, GC) per run, in ms. */
  cpuPerRun: number;
}

let serial = 0;

async function measure(options: JavaScriptSandboxOptions, program: string, parallel: number): Promise<Row> {
  const sandboxes = Array.from({ length: parallel }, () => new JavaScriptSandbox(options));
  const runOnce = async (sandbox: JavaScriptSandbox) => {
    // TypeScript: a new text every run, so esbuild runs every time (repeated texts hit a cache).
    const text = options.language === 'typescript' ? `${program}\n// ${serial++}` : program;
    const result = await sandbox.run(text, '', DEFAULT_RUN_LIMITS);
    if (result.status !== 'ok' || result.stdout !== '1\n')
      throw new Error(`unexpected result ${JSON.stringify(result)}`);
  };
  for (const sandbox of sandboxes) for (let i = 0; i < 20; i++) await runOnce(sandbox);
  const durations: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    sandboxes.map(async (sandbox) => {
      while (performance.now() - t0 < SECONDS * 1000) {
        const started = performance.now();
        await runOnce(sandbox);
        durations.push(performance.now() - started);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  for (const sandbox of sandboxes) sandbox.dispose();
  return {
    isolation: options.isolation ?? 'context',
    language: options.language ?? 'javascript',
    parallel,
    perSecond: (durations.length / wallMs) * 1000,
    durations,
    cpuPerRun: (cpu.user + cpu.system) / 1000 / durations.length,
  };
}

const rows: Row[] = [];
for (const isolation of ['context', 'isolate'] as const) {
  for (const parallel of [1, 2]) rows.push(await measure({ isolation }, JS, parallel));
}
for (const parallel of [1, 2]) rows.push(await measure({ language: 'typescript' }, TS, parallel));

console.log(
  `Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(`${SECONDS} s per row; trivial program; durations are per run as the caller sees them\n`);
console.log(
  '| isolation | language | sandboxes in parallel | runs/s | p50 ms | p99 ms | max ms | process CPU ms/run | runs/s if 2 cores were ours |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const lat = latency(r.durations);
  console.log(
    `| ${r.isolation} | ${r.language} | ${r.parallel} | ${r.perSecond.toFixed(0)} | ${fmt(lat.p50)} | ${fmt(lat.p99)} | ${fmt(lat.max)} | ${fmt(r.cpuPerRun)} | ${(2000 / r.cpuPerRun).toFixed(0)} |`,
  );
}
// No process.exit: isolated-vm finishes disposing isolates on its own threads, and exiting before it
// has can crash the process; the event loop ends once it is done.
