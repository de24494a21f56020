/**
 * Cost of harnessed tests through one PythonSandbox, per test, next to a plain run of the same program
 * with its asserts appended: a call test (one run of the call harness, LeetCode prelude included) and a
 * script test (record run + replay run), over the first PROBE_N (default 100) MBPP tasks' asserts.
 * `npx node bench/code-harness-probe.ts`; reports wall and CPU (process.cpuUsage: every thread) per test.
 */
import { readFileSync } from 'node:fs';
import { dataPath } from '../scripts/data-dir.ts';
import {
  buildRecordRun,
  buildReplayRun,
  buildRun,
  newNonce,
  readMarker,
  readRecord,
} from '../shared/code/harness/index.ts';
import { PythonSandbox } from '../shared/code/python/index.ts';
import { parseGroundTruth } from '../shared/code/test-formats/parse.ts';
import type { ScriptCase } from '../shared/code/test-formats/types.ts';
import { DEFAULT_RUN_LIMITS } from '../shared/code/types.ts';

const N = Number(process.env.PROBE_N ?? 100);
const rows = readFileSync(dataPath('code/mbpp.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .slice(0, N)
  .map((l) => JSON.parse(l));
const cases: { program: string; test: ScriptCase }[] = [];
for (const r of rows) {
  const suite = parseGroundTruth({ test_list: r.test_list, test_setup_code: r.test_setup_code });
  if ('error' in suite) throw new Error(JSON.stringify(suite));
  for (const t of suite.cases) if (t.kind === 'script') cases.push({ program: r.code, test: t });
}
const limits = { ...DEFAULT_RUN_LIMITS, wallMs: 60_000, outputBytes: 8 << 20 };
const sandbox = await PythonSandbox.create();
await sandbox.run('print(1)', '', limits);

async function measure(label: string, once: (c: (typeof cases)[number]) => Promise<void>) {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (const c of cases) await once(c);
  const wall = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  const ms = (used.user + used.system) / 1000;
  console.log(
    `${label.padEnd(28)} ${(wall / cases.length).toFixed(2)} ms wall  ${(ms / cases.length).toFixed(2)} ms cpu per test`,
  );
}

await measure('plain (program + asserts)', async (c) => {
  const r = await sandbox.run(`${c.program}\n${c.test.preamble ?? ''}\n${c.test.code}`, '', limits);
  if (r.status !== 'ok') throw new Error(JSON.stringify(r));
});
const callProgram = 'def add(a, b):\n    return a + b\n';
await measure('call test (1 run)', async (c) => {
  const nonce = newNonce();
  const n = c.program.length;
  const run = buildRun(
    { kind: 'call', fnName: 'add', args: [n, 1], expected: n + 1 },
    callProgram,
    'python',
    nonce,
  );
  if ('error' in run) throw new Error(run.error);
  const r = await sandbox.run(run.program, run.stdin, limits);
  const marker = readMarker(r.stdout, nonce);
  if (!marker?.hasResult || marker.result !== n + 1) throw new Error(JSON.stringify(r));
});
let failures = 0;
await measure('record + replay', async (c) => {
  const rec = buildRecordRun(c.test, c.program);
  const recorded = await sandbox.run(rec.program, rec.stdin, limits);
  const record = readRecord(recorded.stdout);
  if (record === null) throw new Error(JSON.stringify(recorded));
  const nonce = newNonce();
  const rep = buildReplayRun(c.test, record, nonce);
  const replayed = await sandbox.run(rep.program, rep.stdin, limits);
  if (!readMarker(replayed.stdout, nonce)) failures++;
});
console.log(`${cases.length} tests, ${failures} without a marker`);
sandbox.dispose();
