import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EvalResults, EvalResults as EvalResultsSchema } from '../../shared/eval/results.ts';
import { needData } from '../helpers/data.ts';
import { runCli } from './cli.ts';
import {
  answerFor,
  BENCHMARK_DIR,
  intendedAnswer,
  kindOf,
  type RawProblem,
  readRawProblems,
  responder,
} from './fixture.ts';
import {
  average,
  exactPassAtK,
  majorityAnswer,
  referenceBootstrap,
  referenceLengths,
} from './independent.ts';
import { startStandIn, tokenCount } from './stand-in-server.ts';

const K = 4;
const BENCHMARKS = needData('gradus eval over AIME24 and MATH-500', 'benchmarks');
const aime = BENCHMARKS.has() ? readRawProblems('aime24') : [];
const math = BENCHMARKS.has() ? readRawProblems('math500') : [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-eval-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every metric of one benchmark, computed from the fixture's intent alone (never from the verdicts). */
function expectMetrics(result: EvalResults['benchmarks'][number], problems: RawProblem[], k: number) {
  const correct = problems.map((p) => Array.from({ length: k }, (_, j) => kindOf(p.index, j) === 'correct'));
  const counts = correct.map((row) => row.filter(Boolean).length);
  const accuracies = counts.map((c) => c / k);
  const m = result.metrics;
  expect(m.problems).toBe(problems.length);
  expect(m.samples).toBe(problems.length * k);
  expect(m.avg).toBeCloseTo(average(accuracies), 12);
  for (const j of [1, 2, 4].filter((x) => x <= k)) {
    expect(m.passAt[j]).toBeCloseTo(average(counts.map((c) => exactPassAtK(k, c, j))), 12);
  }
  const maj = problems.map((p) => {
    const winner = majorityAnswer(Array.from({ length: k }, (_, j) => intendedAnswer(p, j)));
    return winner === p.answer ? 1 : 0;
  });
  expect(m.majAtK).toBeCloseTo(average(maj), 12);
  const all = problems.flatMap((p) => Array.from({ length: k }, (_, j) => answerFor(p, j)));
  expect(m.truncationRate).toBeCloseTo(average(all.map((a) => (a.finishReason === 'length' ? 1 : 0))), 12);
  expect(m.lengthChars).toEqual(referenceLengths(all.map((a) => a.text.length)));
  expect(m.ci95).toEqual(referenceBootstrap(accuracies, 0));
  // Every sample's verdict is the fixture's intent.
  const verdicts = new Map(result.samples.map((s) => [`${s.problem_id}/${s.sample}`, s.correct]));
  expect(verdicts.size).toBe(problems.length * k);
  for (const [i, p] of problems.entries()) {
    for (let j = 0; j < k; j++)
      expect(verdicts.get(`${p.id}/${j}`), `${p.id} sample ${j}`).toBe(correct[i]?.[j]);
  }
}

function groupAverages(problems: RawProblem[], key: 'subject' | 'level', k: number) {
  const groups = new Map<string, number[]>();
  for (const p of problems) {
    const acc =
      Array.from({ length: k }, (_, j) => kindOf(p.index, j) === 'correct').filter(Boolean).length / k;
    groups.set(p[key] as string, [...(groups.get(p[key] as string) ?? []), acc]);
  }
  return Object.fromEntries([...groups].map(([g, xs]) => [g, { problems: xs.length, avg: average(xs) }]));
}

describe.skipIf(!BENCHMARKS.has())('gradus eval against a stand-in OpenAI-compatible server', () => {
  it('generates, scores and reports AIME24 and MATH-500; every metric matches an independent computation', async () => {
    const server = await startStandIn({ respond: responder([...aime, ...math]) });
    const out = join(dir, 'run');
    try {
      const run = await runCli([
        'eval',
        '--model',
        server.url,
        '--benchmarks',
        'aime24,math500',
        '--data-dir',
        BENCHMARK_DIR,
        '--preset',
        'paper',
        '--k',
        String(K),
        '--out',
        out,
      ]);
      expect(run.stderr).not.toMatch(/gradus:/);
      expect(run.code).toBe(0);
      // n mode: one request per problem, asking for all K samples.
      expect(server.requests).toHaveLength(aime.length + math.length);
      expect(server.requests.every((r) => r.samples.length === K && r.status === 200)).toBe(true);
    } finally {
      await server.close();
    }
    const results = EvalResultsSchema.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
    expect(results.model).toBe('stand-in-model');
    expect(results.sampling).toMatchObject({ temperature: 0.6, topP: 0.95, maxTokens: 32768 });
    const [aimeResult, mathResult] = results.benchmarks;
    expectMetrics(aimeResult as EvalResults['benchmarks'][number], aime, K);
    expectMetrics(mathResult as EvalResults['benchmarks'][number], math, K);
    expect(mathResult?.metrics.bySubject).toEqual(groupAverages(math, 'subject', K));
    const byLevel = mathResult?.metrics.byLevel ?? {};
    for (const [level, g] of Object.entries(groupAverages(math, 'level', K))) {
      expect(byLevel[level]?.problems).toBe(g.problems);
      expect(byLevel[level]?.avg).toBeCloseTo(g.avg, 12);
    }
    // Several choices per request: the endpoint's token total cannot be split per sample.
    expect(mathResult?.metrics.lengthTokens).toBeUndefined();
    const markdown = await readFile(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain(
      `| MATH-500 | 500 | ${K} | ${((mathResult?.metrics.avg ?? 0) * 100).toFixed(1)} |`,
    );
  });

  it('one request per sample with retries on 503 and 429, recording token usage', async () => {
    const server = await startStandIn({ respond: responder(aime), failures: [503, 429, 503] });
    const out = join(dir, 'single');
    try {
      const run = await runCli([
        'eval',
        '--model',
        server.url,
        '--model-name',
        'policy-step-100',
        '--benchmarks',
        `aime24=${BENCHMARK_DIR}/aime24.jsonl`,
        '--request-mode',
        'single',
        '--k',
        '2',
        '--out',
        out,
      ]);
      expect(run.code).toBe(0);
      expect(server.requests.filter((r) => r.status === 200)).toHaveLength(aime.length * 2);
      expect(server.requests.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([503, 429, 503]);
    } finally {
      await server.close();
    }
    const results = EvalResultsSchema.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
    expect(results.model).toBe('policy-step-100');
    const bench = results.benchmarks[0] as EvalResults['benchmarks'][number];
    expectMetrics(bench, aime, 2);
    const tokens = aime.flatMap((p) => [0, 1].map((j) => tokenCount(answerFor(p, j).text)));
    expect(bench.metrics.lengthTokens).toEqual(referenceLengths(tokens));
  });

  it('scores pre-generated responses (--responses) to the same metrics, and compares two results', async () => {
    const rows = aime.flatMap((p) =>
      Array.from({ length: K }, (_, j) => ({
        benchmark: 'aime24',
        problem_id: p.id,
        sample: j,
        response: answerFor(p, j).text,
        finish_reason: answerFor(p, j).finishReason,
      })),
    );
    const file = join(dir, 'responses.jsonl');
    await writeFile(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const out = join(dir, 'scored');
    const run = await runCli([
      'eval',
      '--responses',
      file,
      '--benchmarks',
      'aime24',
      '--data-dir',
      BENCHMARK_DIR,
      '--label',
      'offline',
      '--out',
      out,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `results: ${join(out, 'results.json')}\nreport: ${join(out, 'report.html')}\n`,
    );
    const text = await readFile(join(out, 'results.json'), 'utf8');
    // The layout `gradus eval` has always written: one space of indent, a final newline.
    expect(text.startsWith('{\n "version": 1,\n')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    const results = EvalResultsSchema.parse(JSON.parse(text));
    expect(results.sampling).toBeUndefined();
    expectMetrics(results.benchmarks[0] as EvalResults['benchmarks'][number], aime, K);

    const compare = await runCli([
      'eval',
      'compare',
      join(out, 'results.json'),
      join(dir, 'single', 'results.json'),
      '--out',
      join(dir, 'compare'),
    ]);
    expect(compare.code).toBe(0);
    expect(compare.stdout).toMatch(/\| offline \| AIME 2024 \| 30 \| 4 \|/);
    expect(compare.stdout).toMatch(/\| policy-step-100 \| AIME 2024 \| 30 \| 2 \|/);
    const html = await readFile(join(dir, 'compare', 'compare.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html.match(/class="bar"/g)).toHaveLength(2);
  });

  it('names the file, row and field of bad input', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, '{"problem": "x", "answer": "1"}\n{"problem": "y"}\n');
    const run = await runCli([
      'eval',
      '--responses',
      bad,
      '--benchmarks',
      `aime24=${bad}`,
      '--out',
      join(dir, 'bad'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${bad} row 2 (aime24): field "answer" is missing`);
    const unknown = await runCli([
      'eval',
      '--responses',
      bad,
      '--benchmarks',
      'aime42',
      '--out',
      join(dir, 'bad'),
    ]);
    expect(unknown.stderr).toMatch(/unknown benchmark "aime42"; known: aime24/);
  });
});
