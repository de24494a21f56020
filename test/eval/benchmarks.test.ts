import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPath } from '../../scripts/data-dir.ts';
import { BENCHMARKS, findBenchmark, loadProblems, renderPrompt } from '../../shared/eval/benchmarks.ts';
import { scoreSamples } from '../../shared/eval/score.ts';
import { createScorer } from '../../shared/reward/compose.ts';
import { createNodeScorer } from '../../shared/reward/node-scorer.ts';
import { needData } from '../helpers/data.ts';
import { BENCHMARK_DIR } from './fixture.ts';

const DATA = needData('the benchmark registry tests over the benchmark and code files', 'benchmarks', 'code');
const noBenchmarks = !DATA.has('benchmarks');
const noCode = !DATA.has('code');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-bench-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bench = (name: string) => {
  const b = findBenchmark(name);
  if (!b) throw new Error(`no benchmark ${name}`);
  return b;
};

const rows = (problems: { id: string }[], responses: string[]) =>
  problems.map((p, i) => ({
    problem_id: p.id,
    model: 'm',
    sample: 0,
    response: responses[i] as string,
    finish_reason: 'stop',
    usage: null,
  }));

describe('benchmark registry', () => {
  it.skipIf(noBenchmarks).each([
    ['aime24', 30],
    ['aime25', 30],
    ['amc23', 40],
    ['math500', 500],
    ['minerva', 272],
    ['olympiadbench', 675],
  ])('%s loads %i problems with unique ids, and each gold, boxed, is judged correct', async (name, count) => {
    const b = bench(name);
    const problems = await loadProblems(b, join(BENCHMARK_DIR, b.fileName));
    expect(problems).toHaveLength(count);
    expect(new Set(problems.map((p) => p.id)).size).toBe(count);
    const golds = problems.map((p) =>
      Array.isArray(p.groundTruth) ? p.groundTruth[0] : String(p.groundTruth),
    );
    const scored = await scoreSamples(
      b,
      problems,
      rows(
        problems,
        golds.map((g) => `$\\boxed{${g}}$`),
      ),
      createScorer(),
    );
    const wrong = scored.filter((s) => !s.correct).map((s) => s.problem_id);
    expect(wrong).toEqual([]);
  });

  it('renders the paper / DeepSeek-R1 instruction, leaving LaTeX dollars alone', () => {
    expect(renderPrompt(BENCHMARKS.math500?.template as string, 'Find $$x^2$$.')).toBe(
      'Find $$x^2$$.\nPlease reason step by step, and put your final answer within \\boxed{}.',
    );
  });

  it.skipIf(noBenchmarks)('keeps MATH-500 subject and level for the breakdown', async () => {
    const [first] = await loadProblems(bench('math500'), join(BENCHMARK_DIR, 'math500.jsonl'));
    expect(first).toMatchObject({ id: 'test/precalculus/807.json', subject: 'Precalculus', level: '2' });
  });

  it.skipIf(noCode)(
    'HumanEval and MBPP canonical programs pass their tests in the sandboxes; a wrong one fails',
    async () => {
      const { scorer } = createNodeScorer({ poolSize: 1 });
      try {
        for (const [name, file, programOf] of [
          [
            'humaneval',
            'humaneval.jsonl',
            (r: Record<string, string>) => `${r.prompt}${r.canonical_solution}`,
          ],
          ['mbpp', 'mbpp.jsonl', (r: Record<string, string>) => `${r.code}`],
        ] as const) {
          const raw = (await readFile(dataPath(`code/${file}`), 'utf8'))
            .split('\n')
            .filter(Boolean)
            .slice(0, 3)
            .map((l) => JSON.parse(l));
          await writeFile(join(dir, file), raw.map((r) => JSON.stringify(r)).join('\n'));
          const problems = await loadProblems(bench(name), join(dir, file));
          const responses = raw.map((r) => `Here it is:\n\`\`\`python\n${programOf(r)}\n\`\`\``);
          responses[2] = '```python\ndef nothing():\n    return None\n```';
          const scored = await scoreSamples(bench(name), problems, rows(problems, responses), scorer);
          expect(scored.map((s) => s.correct)).toEqual([true, true, false]);
        }
      } finally {
        await scorer.close();
      }
    },
    120_000,
  );

  it.skipIf(noCode)('LiveCodeBench rows carry their public and private tests', async () => {
    const problems = await loadProblems(bench('lcb'), dataPath('code/lcb_format_sample.jsonl'));
    expect(problems).toHaveLength(10);
    expect(problems[0]?.groundTruth).toHaveProperty('public_test_cases');
    expect(problems[0]?.groundTruth).toHaveProperty('private_test_cases');
  });

  it.skipIf(noBenchmarks)('loads Parquet files and http(s) URLs', async () => {
    const text = await readFile(join(BENCHMARK_DIR, 'aime24.jsonl'), 'utf8');
    const raw = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const parquet = join(dir, 'aime24.parquet');
    parquetWriteFile({
      filename: parquet,
      columnData: [
        { name: 'id', data: raw.map((r) => r.id), type: 'INT32' },
        { name: 'problem', data: raw.map((r) => r.problem), type: 'STRING' },
        { name: 'answer', data: raw.map((r) => r.answer), type: 'STRING' },
      ],
    });
    const fromJsonl = await loadProblems(bench('aime24'), join(BENCHMARK_DIR, 'aime24.jsonl'));
    expect(await loadProblems(bench('aime24'), parquet)).toEqual(fromJsonl);

    const server = createServer((req, res) => {
      if (req.url === '/aime24.jsonl') res.end(text);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await loadProblems(bench('aime24'), `${base}/aime24.jsonl`)).toEqual(fromJsonl);
      await expect(loadProblems(bench('aime24'), `${base}/missing.jsonl`)).rejects.toThrow(
        /missing.jsonl: HTTP 404/,
      );
    } finally {
      server.close();
    }
  });

  it('names the file, row and field of a bad row', async () => {
    const file = join(dir, 'bad.jsonl');
    await writeFile(file, '{"problem": "a", "answer": "1"}\n{"problem": "b", "answer": {"x": 1}}\n');
    await expect(loadProblems(bench('aime25'), file)).rejects.toThrow(
      `${file} row 2 (aime25): field "answer" must be a string or a number`,
    );
    await writeFile(
      file,
      '{"problem": "a", "answer": "1", "id": 3}\n{"problem": "b", "answer": "2", "id": 3}\n',
    );
    await expect(loadProblems(bench('aime24'), file)).rejects.toThrow(
      `${file} row 2: duplicate problem id "3"`,
    );
    await writeFile(file, '{"problem": "a", "answer": "1"}\n{"problem": \n');
    await expect(loadProblems(bench('aime24'), file)).rejects.toThrow(`${file} row 2: not valid JSON`);
  });
});
