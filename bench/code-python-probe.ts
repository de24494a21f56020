/**
 * A first look at Python sandbox throughput (`npx node bench/code-python-probe.ts`), not the final
 * benchmark: a trivial stdin program through PythonSandbox (reset in place after every run) next to the
 * system python3 spawned once per run, sequentially and with one worker per core. Also the snapshot and
 * interpreter boot times, which are what a fresh isolate per run would cost.
 */
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import { PythonInterpreter, PythonSandbox, pythonSnapshot } from '../shared/code/python/index.ts';
import { DEFAULT_RUN_LIMITS, type RunResult } from '../shared/code/types.ts';

const PROGRAM = 'n = int(input())\nprint(n * 2)\n';
/** The interpreter binary itself: a pyenv-style `python3` shim would add its own start-up to every run. */
const PYTHON = process.env.PYTHON ?? realPython();
const MIN_MS = Number(process.env.PROBE_MS ?? 3000);
const CORES = os.availableParallelism();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const fmt = (x: number, digits = 1) => x.toFixed(digits);

/** Runs `once` back to back for at least MIN_MS on each of `lanes` concurrent lanes. */
async function rate(
  lanes: number,
  once: (i: number, lane: number) => Promise<void>,
): Promise<{ perSecond: number; n: number }> {
  let n = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      while (performance.now() - started < MIN_MS) await once(n++, lane);
    }),
  );
  return { perSecond: (n / (performance.now() - started)) * 1000, n };
}

function check(result: RunResult, i: number) {
  if (result.status !== 'ok' || result.stdout !== `${i * 2}\n`) {
    throw new Error(`unexpected result: ${JSON.stringify(result)}`);
  }
}

function realPython(): string {
  try {
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  } catch {
    return 'python3';
  }
}

function spawnPython(flags: string[], i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [...flags, '-c', PROGRAM], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && out === `${i * 2}\n` ? resolve() : reject(new Error(out))));
    child.stdin.end(`${i}\n`);
  });
}

async function main() {
  console.log(
    `# Python sandbox probe (${os.cpus()[0]?.model ?? 'cpu'}, ${CORES} cores, node ${process.version})\n`,
  );

  // python3 first, while this process is small: spawning from a process that holds isolates costs more.
  const version = await new Promise<string>((resolve) => {
    const child = spawn(PYTHON, ['--version']);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('close', () => resolve(out.trim()));
    child.on('error', () => resolve('python3 not found'));
  });
  for (const flags of [['-I'], ['-I', '-S']]) {
    const label = `${version} ${flags.join(' ')} spawned per run`;
    const one = await rate(1, (i) => spawnPython(flags, i));
    console.log(`- ${label}, 1 at a time: ${fmt(one.perSecond)} runs/s (${one.n} runs)`);
    const all = await rate(CORES, (i) => spawnPython(flags, i));
    console.log(`- ${label}, ${CORES} at a time: ${fmt(all.perSecond)} runs/s (${all.n} runs)`);
  }

  let t = performance.now();
  const snapshot = await pythonSnapshot();
  console.log(
    `- snapshot: ${snapshot.source} in ${fmt(performance.now() - t, 0)} ms (${snapshot.byteLength} bytes)`,
  );

  const boots: number[] = [];
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    const interpreter = await PythonInterpreter.start(snapshot, { jsHeapMb: 256 });
    boots.push(performance.now() - t);
    interpreter.dispose();
  }
  console.log(
    `- interpreter boot from the snapshot (fresh isolate + clean image): median ${fmt(median(boots), 0)} ms`,
  );
  console.log(`  => a fresh isolate per run would give about ${fmt(1000 / median(boots))} runs/s per core`);

  const sandboxes = await Promise.all(Array.from({ length: CORES }, () => PythonSandbox.create()));
  const first = sandboxes[0] as PythonSandbox;
  const runMs: number[] = [];
  for (let i = 0; i < 50; i++) check(await first.run(PROGRAM, `${i}\n`, DEFAULT_RUN_LIMITS), i);
  const one = await rate(1, async (i) => {
    const result = await first.run(PROGRAM, `${i}\n`, DEFAULT_RUN_LIMITS);
    check(result, i);
    runMs.push(result.ms);
  });
  console.log(
    `- PythonSandbox, 1 sandbox: ${fmt(one.perSecond)} runs/s (${one.n} runs; run ms median ${fmt(median(runMs), 2)})`,
  );
  const all = await rate(CORES, async (i, lane) => {
    const sandbox = sandboxes[lane] as PythonSandbox;
    check(await sandbox.run(PROGRAM, `${i}\n`, DEFAULT_RUN_LIMITS), i);
  });
  console.log(`- PythonSandbox, ${CORES} sandboxes: ${fmt(all.perSecond)} runs/s (${all.n} runs)`);
  for (const sandbox of sandboxes) sandbox.dispose();
}

await main();
