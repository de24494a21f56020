import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRows } from '../../shared/io/rows.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3rver.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'functions/cli/gradus.ts');
let dir: string;
let s3: LocalS3;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-rollouts-cli-'));
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI with the Node running the tests; stderr is a pipe, so it holds only the summary line. */
function gradus(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const jsonl = (rows: unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

const dataset = [
  {
    data_source: 'math/synthetic',
    prompt: [{ role: 'user', content: 'What is 1 + 1?' }],
    ability: 'math',
    reward_model: { style: 'rule', ground_truth: '2' },
    extra_info: { problem_id: 'm1' },
  },
  {
    data_source: 'taco',
    prompt: [{ role: 'user', content: 'Read n, print 2n.' }],
    ability: 'code',
    reward_model: {
      style: 'rule',
      ground_truth: JSON.stringify({ inputs: ['2\n', '5\n'], outputs: ['4\n', '10\n'] }),
    },
    extra_info: { problem_id: 'c1' },
  },
];

const js = (factor: number) =>
  "```javascript\nconst n = Number(require('fs').readFileSync(0, 'utf8').trim());\nconsole.log(n * " +
  factor +
  ');\n```';

const rollouts = [
  { problem_id: 'm1', model: 'small', response: 'So the answer is \\boxed{2}.' },
  { problem_id: 'm1', model: 'small', response: 'So the answer is \\boxed{3}.' },
  { problem_id: 'm1', model: 'big', response: '\\boxed{2}' },
  { problem_id: 'c1', model: 'small', response: js(3) },
  { problem_id: 'c1', model: 'big', response: js(2) },
];

describe('gradus rollouts score', () => {
  it('scores math and code rollouts into a pass-rate table (local files, Parquet out)', async () => {
    await writeFile(join(dir, 'data.jsonl'), jsonl(dataset));
    await writeFile(join(dir, 'rollouts.jsonl'), jsonl(rollouts));
    const out = join(dir, 'passrates.parquet');
    const run = await gradus([
      'rollouts',
      'score',
      '--rollouts',
      join(dir, 'rollouts.jsonl'),
      '--data',
      join(dir, 'data.jsonl'),
      '--out',
      out,
      '--concurrency',
      '1',
    ]);
    // Off a terminal: no progress while running, one summary line at the end.
    expect(run.stderr).toMatch(
      /^scored 5 rollouts of 2 problems by 2 models in [\d.]+s \([\d.,]+\/s\); wrote 4 pass rates to \S+\n$/,
    );
    expect(run.code).toBe(0);
    const table: unknown[] = [];
    for await (const { value } of readRows(out).records) table.push(value);
    expect(table).toEqual([
      { problem_id: 'c1', model: 'big', n: 1, correct: 1, pass_rate: 1 },
      { problem_id: 'c1', model: 'small', n: 1, correct: 0, pass_rate: 0 },
      { problem_id: 'm1', model: 'big', n: 1, correct: 1, pass_rate: 1 },
      { problem_id: 'm1', model: 'small', n: 2, correct: 1, pass_rate: 0.5 },
    ]);
  });

  it('reads and writes s3:// URLs configured by GRADUS_S3_* environment variables', async () => {
    const storage = s3.storage('cli');
    await storage.put('data.jsonl', jsonl(dataset));
    await storage.put('rollouts.jsonl', jsonl(rollouts.filter((r) => r.problem_id === 'm1')));
    const base = `s3://${s3.bucket}/cli`;
    const run = await gradus(
      [
        'rollouts',
        'score',
        '--rollouts',
        `${base}/rollouts.jsonl`,
        '--data',
        `${base}/data.jsonl`,
        '--out',
        `${base}/out/passrates.jsonl`,
        '--concurrency',
        '1',
      ],
      { GRADUS_S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    );
    expect(run.stderr).toContain('wrote 2 pass rates');
    expect(run.code).toBe(0);
    expect(await storage.getText('out/passrates.jsonl')).toBe(
      jsonl([
        { problem_id: 'm1', model: 'big', n: 1, correct: 1, pass_rate: 1 },
        { problem_id: 'm1', model: 'small', n: 2, correct: 1, pass_rate: 0.5 },
      ]),
    );
  });

  it('exits 1 with a message naming the file, row and field of a bad input', async () => {
    await writeFile(join(dir, 'data.jsonl'), jsonl(dataset));
    const bad = join(dir, 'bad-rollouts.jsonl');
    await writeFile(bad, jsonl([rollouts[0], { problem_id: 'm1', model: '', response: 'x' }]));
    const run = await gradus([
      'rollouts',
      'score',
      '--rollouts',
      bad,
      '--data',
      join(dir, 'data.jsonl'),
      '--out',
      join(dir, 'never.jsonl'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`gradus: ${bad.replaceAll('.', '\\.')} row 2, field model: `));
    await expect(readFile(join(dir, 'never.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a missing required option is a usage error', async () => {
    const run = await gradus(['rollouts', 'score', '--rollouts', 'x.jsonl']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("required option '--data <file>' not specified");
  });
});
