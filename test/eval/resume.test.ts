import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalResults } from '../../shared/eval/results.ts';
import { needData } from '../helpers/data.ts';
import { startCli } from './cli.ts';
import { BENCHMARK_DIR, kindOf, MATH_INSTRUCTION, readRawProblems, responder } from './fixture.ts';
import { average } from './independent.ts';
import { type RequestLog, startStandIn } from './stand-in-server.ts';

const BENCHMARKS = needData('resuming evaluations of AIME24', 'benchmarks');
const aime = BENCHMARKS.has() ? readRawProblems('aime24') : [];
const idByPrompt = new Map(aime.map((p) => [p.problem + MATH_INSTRUCTION, p.id]));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-resume-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The complete lines of a journal, parsed (a torn last line is not counted). */
async function journalKeys(path: string): Promise<string[]> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const row = JSON.parse(line) as { problem_id: string; sample: number };
      return `${row.problem_id}/${row.sample}`;
    });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const requestedKeys = (log: RequestLog[]) =>
  log
    .filter((r) => r.status === 200)
    .flatMap((r) => r.samples.map((s) => `${idByPrompt.get(r.prompt)}/${s}`));

/**
 * Starts a run, SIGKILLs it once `killAfter` samples are journaled, appends a torn line (a write cut by
 * the kill), runs again to the end, and checks that nothing journaled was requested again.
 */
async function killAndResume(args: string[], journal: string, total: number, killAfter: number) {
  const server = await startStandIn({ respond: responder(aime), delayMs: 25 });
  try {
    const first = startCli(args.concat(['--model', server.url]));
    await waitFor(
      async () => (await journalKeys(journal)).length >= killAfter,
      `${killAfter} journaled samples`,
    );
    first.child.kill('SIGKILL');
    const exit = await first.done;
    expect(exit.signal).toBe('SIGKILL');
    const before = await journalKeys(journal);
    expect(before.length).toBeGreaterThanOrEqual(killAfter);
    expect(before.length).toBeLessThan(total);
    await appendFile(journal, '{"problem_id": "60", "model": "stand-in-model", "sam');
    const firstRunRequests = server.requests.length;

    const second = await startCli(args.concat(['--model', server.url])).done;
    expect(second.stderr).not.toMatch(/gradus:/);
    expect(second.code).toBe(0);

    const after = await journalKeys(journal);
    expect(after).toHaveLength(total);
    expect(new Set(after).size).toBe(total);
    const again = requestedKeys(server.requests.slice(firstRunRequests));
    const done = new Set(before);
    expect(again.filter((key) => done.has(key))).toEqual([]);
    expect(new Set([...before, ...again]).size).toBe(total);
    return after;
  } finally {
    await server.close();
  }
}

describe.skipIf(!BENCHMARKS.has())('resume after a kill', () => {
  it('gradus eval finishes without re-requesting a finished sample', async () => {
    const out = join(dir, 'eval');
    const k = 8;
    const args = [
      'eval',
      '--benchmarks',
      'aime24',
      '--data-dir',
      BENCHMARK_DIR,
      '--k',
      String(k),
      '--request-mode',
      'single',
      '--concurrency',
      '4',
      '--out',
      out,
    ];
    await killAndResume(args, join(out, 'samples', 'aime24.jsonl'), aime.length * k, 40);
    const results = EvalResults.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
    const expected = average(
      aime.map(
        (p) =>
          Array.from({ length: k }, (_, j) => kindOf(p.index, j) === 'correct').filter(Boolean).length / k,
      ),
    );
    expect(results.benchmarks[0]?.metrics.avg).toBeCloseTo(expected, 12);
  });

  it('gradus rollouts sample finishes without duplicating or losing a rollout', async () => {
    const data = join(dir, 'aime-verl.jsonl');
    const rows = aime.map((p) => ({
      data_source: 'aime24',
      prompt: [{ role: 'user', content: p.problem + MATH_INSTRUCTION }],
      ability: 'math',
      reward_model: { style: 'rule', ground_truth: p.answer },
      extra_info: { problem_id: p.id },
    }));
    await writeFile(data, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const out = join(dir, 'rollouts.jsonl');
    const n = 8;
    const args = ['rollouts', 'sample', '--data', data, '--out', out, '--n', String(n), '--concurrency', '2'];
    await killAndResume(args, out, aime.length * n, 3 * n);
    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(Object.keys(lines[0]).sort()).toEqual([
      'finish_reason',
      'model',
      'problem_id',
      'response',
      'sample',
      'usage',
    ]);
    for (const row of lines) {
      const p = aime.find((x) => x.id === row.problem_id);
      expect(p, row.problem_id).toBeDefined();
      expect(row.response).toBe(responder(aime)(`${p?.problem}${MATH_INSTRUCTION}`, row.sample)?.text);
    }
  });

  it('refuses to resume a journal made with other settings', async () => {
    const out = join(dir, 'eval');
    const server = await startStandIn({ respond: responder(aime) });
    try {
      const run = await startCli([
        'eval',
        '--model',
        server.url,
        '--benchmarks',
        'aime24',
        '--data-dir',
        BENCHMARK_DIR,
        '--k',
        '8',
        '--temperature',
        '1.0',
        '--out',
        out,
      ]).done;
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/holds samples generated with other settings/);
      expect(server.requests.filter((r) => r.samples.length > 0)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
