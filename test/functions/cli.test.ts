import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RewardResult } from '../../shared/reward/schema.ts';
import { gradusPiped } from '../helpers/cli-child.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const gradus = (...args: string[]) => gradusPiped(args);

function parseLines(text: string): RewardResult[] {
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as RewardResult);
}

const lines = [
  JSON.stringify({ id: 'a', response: '7', ground_truth: '7' }),
  JSON.stringify({ id: 'b', response: '7', ground_truth: '8' }),
  '{"id": "c", "response": ',
  JSON.stringify({ id: 'd', response: 7, ground_truth: '7' }),
  '',
  JSON.stringify({ id: 'e', response: '3', ground_truth: ['4', '3'], data_source: 'gsm8k' }),
  JSON.stringify({ id: 'f', response: 'x', ground_truth: 'x', task: 'code' }),
  JSON.stringify({ id: 'g', response: 'x', ground_truth: 'x', data_source: 'somewhere/else' }),
];

describe('gradus score', () => {
  it('writes one result per line in input order, with bad lines as error results naming the line', async () => {
    const input = join(dir, 'items.jsonl');
    const output = join(dir, 'results.jsonl');
    await writeFile(input, `${lines.join('\n')}\n`);
    const run = await gradus(
      'score',
      '--in',
      input,
      '--out',
      output,
      '--concurrency',
      '2',
      '--batch-size',
      '2',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    // Off a terminal: no bar, one summary line (test/functions/cli-progress.test.ts covers both).
    expect(run.stderr).toMatch(/^scored 7 items in .*; results in \S+results\.jsonl\n$/);

    const results = parseLines(await readFile(output, 'utf8'));
    expect(results.map((r) => r.id ?? null)).toEqual(['a', 'b', null, 'd', 'e', 'f', 'g']);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'error', 'error', 'ok', 'error', 'error']);
    expect(results.map((r) => r.correct)).toEqual([true, false, false, false, true, false, false]);
    expect(results[2]?.reason).toMatch(/^line 3: not valid JSON$/);
    expect(results[3]?.reason).toMatch(/^line 4: response/);
    expect(results[5]?.reason).toMatch(/^BAD_TESTS/);
    expect(results[6]?.reason).toMatch(/^line 8: .*somewhere\/else/);
  });

  it('writes to stdout when no --out is given', async () => {
    const input = join(dir, 'two.jsonl');
    await writeFile(input, `${lines[0]}\n${lines[1]}\n`);
    const run = await gradus('score', '--in', input, '--concurrency', '1');
    expect(run.code).toBe(0);
    expect(parseLines(run.stdout).map((r) => [r.id, r.correct])).toEqual([
      ['a', true],
      ['b', false],
    ]);
  });

  it('reads a Parquet file row group by row group, rows becoming items', async () => {
    const input = join(dir, 'items.parquet');
    parquetWriteFile({
      filename: input,
      rowGroupSize: 2,
      columnData: [
        { name: 'id', data: [1, 2, 3, 4, 5], type: 'INT32' },
        { name: 'response', data: ['1', '2', '3', '4', '5'], type: 'STRING' },
        { name: 'ground_truth', data: ['1', '0', '3', '0', '5'], type: 'STRING' },
        {
          name: 'data_source',
          data: ['aime24', null, null, 'math500', null],
          type: 'STRING',
          nullable: true,
        },
      ],
    });
    const run = await gradus('score', '--in', input, '--concurrency', '2');
    expect(run.code).toBe(0);
    const results = parseLines(run.stdout);
    expect(results.map((r) => [r.id, r.task, r.status, r.correct])).toEqual([
      [1, 'math', 'ok', true],
      [2, 'math', 'ok', false],
      [3, 'math', 'ok', true],
      [4, 'math', 'ok', false],
      [5, 'math', 'ok', true],
    ]);
  });

  it('fails with a message and exit code 1 when the input file does not exist', async () => {
    const run = await gradus('score', '--in', join(dir, 'missing.jsonl'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/gradus: .*missing\.jsonl/);
  });
});

describe('gradus score with math and code items', () => {
  it('scores a mixed file through the worker pool and the sandboxes, in order', async () => {
    const addTests = { inputs: ['1 2\n', '40 2\n'], outputs: ['3\n', '42\n'] };
    const mixed = [
      { id: 'm1', response: 'the answer is $\\boxed{42}$', ground_truth: '42' },
      {
        id: 'py',
        data_source: 'codecontests',
        response: '```python\na, b = map(int, input().split())\nprint(a + b)\n```',
        ground_truth: addTests,
      },
      { id: 'm2', response: 'the answer is $\\boxed{41}$', ground_truth: '42' },
      {
        id: 'js',
        task: 'code',
        response:
          "```js\nconst [a, b] = require('fs').readFileSync(0, 'utf8').split(' ').map(Number);\nconsole.log(Math.max(a, b) + 1);\n```",
        ground_truth: addTests,
      },
      {
        id: 'he',
        data_source: 'openai_humaneval',
        response: '```python\ndef add(x, y):\n    return x + y\n```',
        ground_truth: {
          test: 'def check(candidate):\n    assert candidate(2, 3) == 5\n',
          entry_point: 'add',
        },
      },
    ];
    const input = join(dir, 'mixed.jsonl');
    await writeFile(input, `${mixed.map((m) => JSON.stringify(m)).join('\n')}\n`);
    const run = await gradus('score', '--in', input);
    expect(run.code).toBe(0);
    const results = parseLines(run.stdout);
    expect(results.map((r) => [r.id, r.task, r.score])).toEqual([
      ['m1', 'math', 1],
      ['py', 'code', 1],
      ['m2', 'math', 0],
      ['js', 'code', 0.5],
      ['he', 'code', 1],
    ]);
  });

  it('reads list-layout tests, verl rows with dataset columns, and refuses unknown item fields', async () => {
    const program = '```python\na, b = map(int, input().split())\nprint(a + b)\n```';
    const cases = [{ input: '1 2\n', output: '3\n' }];
    const rows = [
      { id: 'cf', response: program, ground_truth: cases },
      {
        data_source: 'codeforces',
        prompt: [{ role: 'user', content: 'Add.' }],
        ability: 'code',
        question: 'Add two numbers.',
        reward_model: { style: 'rule', ground_truth: JSON.stringify(cases) },
        response: program,
      },
      { id: 'typo', response: '7', ground_truth: '7', timeout_ms: 5 },
    ];
    const input = join(dir, 'wire.jsonl');
    await writeFile(input, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const run = await gradus('score', '--in', input);
    expect(run.code).toBe(0);
    const results = parseLines(run.stdout);
    expect(results.map((r) => [r.task, r.status, r.score])).toEqual([
      ['code', 'ok', 1],
      ['code', 'ok', 1],
      ['unknown', 'error', 0],
    ]);
    expect(results[2]?.reason).toMatch(/^line 3: unknown key 'timeout_ms'/);
  });
});
