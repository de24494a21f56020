/**
 * npm run bench:eval — scores pre-generated responses for MATH-500 x 16 samples end to end through the
 * eval scoring path (batched scoring on the worker pool, then every metric), against two baselines
 * measured in the same run: the same scorer fed one item at a time, and a naive python3 regex grader.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { dataPath } from '../scripts/data-dir.ts';
import { BENCHMARKS, loadProblems, type Problem } from '../shared/eval/benchmarks.ts';
import { computeMetrics, mulberry32 } from '../shared/eval/metrics.ts';
import { scoreSamples, toProblemSamples } from '../shared/eval/score.ts';
import type { RolloutRow } from '../shared/formats/rollout-row.ts';
import { createNodeScorer } from '../shared/reward/node-scorer.ts';

const K = 16;
const TARGET_S = 5;
const benchmark = BENCHMARKS.math500 as NonNullable<typeof BENCHMARKS.math500>;

const STEPS = [
  'First, restate what is being asked and note the given quantities.',
  'Consider the structure of the expression and simplify where possible.',
  'Check the boundary cases separately, since they often behave differently.',
  'Substituting back, the equation holds, which confirms the intermediate result.',
  'Wait, let me double-check the arithmetic in the previous step before going on.',
];

/** Long reasoning, then a boxed answer: right (about 55%), wrong, or none at all (cut off at max tokens). */
function responses(problems: Problem[]): RolloutRow[] {
  const rand = mulberry32(2024);
  const rows: RolloutRow[] = [];
  for (const [i, p] of problems.entries()) {
    for (let j = 0; j < K; j++) {
      const steps = Array.from(
        { length: 8 + Math.floor(rand() * 40) },
        () => STEPS[Math.floor(rand() * STEPS.length)],
      );
      const reasoning = `<think>\n${steps.join('\n')}\n</think>\n`;
      const r = rand();
      const other = problems[(i + 1 + (j % 3)) % problems.length]?.groundTruth as string;
      const [response, finish] =
        r < 0.55
          ? [`${reasoning}Therefore the answer is $\\boxed{${p.groundTruth}}$.`, 'stop']
          : r < 0.9
            ? [`${reasoning}So we get $\\boxed{${other}}$.`, 'stop']
            : [reasoning.slice(0, -10), 'length'];
      rows.push({
        problem_id: p.id,
        model: 'bench',
        sample: j,
        response,
        finish_reason: finish,
        usage: null,
      });
    }
  }
  return rows;
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

function pythonBaseline(problems: Problem[], rows: RolloutRow[]): { s: number; correct: number } | undefined {
  const gold = Object.fromEntries(problems.map((p) => [p.id, p.groundTruth]));
  const input = JSON.stringify({ gold, rows: rows.map((r) => [r.problem_id, r.response]) });
  const script = `
import json, re, sys, time
data = json.load(sys.stdin)
t0 = time.perf_counter()
box = re.compile(r'\\\\boxed\\{((?:[^{}]|\\{(?:[^{}]|\\{[^{}]*\\})*\\})*)\\}')
norm = lambda s: re.sub(r'\\s+', '', s)
correct = 0
for pid, resp in data['rows']:
    found = box.findall(resp)
    if found and norm(found[-1]) == norm(str(data['gold'][pid])):
        correct += 1
print(json.dumps({'s': time.perf_counter() - t0, 'correct': correct}))
`;
  const run = spawnSync('python3', ['-c', script], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) return undefined;
  return JSON.parse(run.stdout);
}

async function main(): Promise<void> {
  const problems = await loadProblems(benchmark, dataPath('benchmarks/math500.jsonl'));
  const rows = responses(problems);
  const chars = rows.reduce((n, r) => n + r.response.length, 0);
  console.log('# gradus eval scoring benchmark\n');
  console.log(
    `- MATH-500: ${problems.length} problems x ${K} samples = ${rows.length} responses, ${(chars / 1e6).toFixed(1)} MB`,
  );
  console.log(`- node ${process.version}, ${cpus().length} cores\n`);

  let t0 = performance.now();
  const { scorer } = createNodeScorer();
  await scorer.score([{ task: 'math', response: '\\boxed{1}', ground_truth: '1' }]);
  const startupS = seconds(t0);

  // The first pass is what one `gradus eval --responses` run costs (workers not yet JIT-warm).
  t0 = performance.now();
  const samples = await scoreSamples(benchmark, problems, rows, scorer);
  const metrics = computeMetrics(toProblemSamples(problems, samples), K, { votable: true });
  const evalS = seconds(t0);

  t0 = performance.now();
  let oneByOneCorrect = 0;
  const byId = new Map(problems.map((p) => [p.id, p]));
  for (const row of rows) {
    const [result] = await scorer.score([
      { task: 'math', response: row.response, ground_truth: byId.get(row.problem_id)?.groundTruth as string },
    ]);
    if (result?.correct) oneByOneCorrect++;
  }
  const oneByOneS = seconds(t0);

  t0 = performance.now();
  const again = await scoreSamples(benchmark, problems, rows, scorer);
  computeMetrics(toProblemSamples(problems, again), K, { votable: true });
  const warmS = seconds(t0);
  await scorer.close();

  const python = pythonBaseline(problems, rows);
  const correct = samples.filter((s) => s.correct).length;
  const line = (name: string, s: number, right: number | string, note: string) =>
    `| ${name} | ${rows.length} | ${s.toFixed(2)} | ${Math.round(rows.length / s).toLocaleString('en')} | ${right} | ${note} |`;
  console.log('| method | responses | seconds | responses/s | judged correct | note |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(
    line(
      'gradus eval scoring (batches, worker pool) + all metrics, first pass',
      evalS,
      correct,
      'cold workers',
    ),
  );
  console.log(line('same scorer, one item per call (baseline)', oneByOneS, oneByOneCorrect, 'warm workers'));
  console.log(line('gradus eval scoring + all metrics, second pass', warmS, correct, 'warm workers'));
  if (python) {
    console.log(
      line(
        'python3 regex grader, last \\boxed{} string match (baseline)',
        python.s,
        python.correct,
        'no equivalence',
      ),
    );
  }
  console.log(`\n- worker pool start-up (not in the times above): ${startupS.toFixed(2)} s`);
  console.log(
    `- avg@16 ${(metrics.avg * 100).toFixed(1)}%, maj@16 ${((metrics.majAtK ?? 0) * 100).toFixed(1)}%, truncated ${(metrics.truncationRate * 100).toFixed(1)}%`,
  );
  console.log(
    `- target: under ${TARGET_S} s on 2 cores: ${evalS < TARGET_S ? 'met' : 'NOT met'} (${evalS.toFixed(2)} s)`,
  );
}

await main();
