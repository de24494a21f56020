import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countItems, countJsonlLines } from '../../functions/cli/count-items.ts';
import { gradusInPty, gradusPiped, ptyRunner, screens } from '../helpers/cli-child.ts';

/**
 * The progress of long commands, seen as a user sees it: on a terminal a bar of items done out of the
 * total, with rate and ETA; through a pipe nothing while running and one summary line at the end.
 * Math items only (no sandboxes), a few hundred of them, in small batches so the bar has steps to show.
 */

const ITEMS = 300;
let dir: string;
let items: string;

const jsonl = (rows: unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-cli-progress-'));
  items = join(dir, 'items.jsonl');
  // Every third item is wrong; a blank line is not an item.
  const rows = Array.from({ length: ITEMS }, (_, i) => ({
    id: String(i),
    response: `The answer is \\boxed{${i}}.`,
    ground_truth: String(i % 3 === 0 ? i + 1 : i),
  }));
  await writeFile(items, `${jsonl(rows.slice(0, 10))}\n   \n${jsonl(rows.slice(10))}`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const scoreArgs = (out: string) => [
  'score',
  '--in',
  items,
  '--out',
  out,
  '--batch-size',
  '10',
  '--concurrency',
  '1',
];

/** The `<percent>% <done>/<total> <unit>` of each bar drawn. */
function bars(output: string, unit: string): { percent: number; done: number; total: number }[] {
  const pattern = new RegExp(`^(?:.* )?\\[[#.]+\\] (\\d+)% ([\\d,]+)/([\\d,]+) ${unit}, `);
  const shown: { percent: number; done: number; total: number }[] = [];
  for (const screen of screens(output)) {
    const m = pattern.exec(screen);
    if (!m) continue;
    const n = (s: string) => Number(s.replaceAll(',', ''));
    shown.push({ percent: n(m[1] as string), done: n(m[2] as string), total: n(m[3] as string) });
  }
  return shown;
}

describe('counting items', () => {
  it('counts non-blank JSONL lines, a last line without a newline too', async () => {
    const file = join(dir, 'count.jsonl');
    await writeFile(file, '{"a":1}\n\n  \r\n{"b":2}\r\n\t\n{"c":3}');
    expect(await countJsonlLines(file)).toBe(3);
    await writeFile(file, '');
    expect(await countJsonlLines(file)).toBe(0);
  });

  it("takes a Parquet file's rows from its footer, and leaves URLs uncounted", async () => {
    const file = join(dir, 'count.parquet');
    parquetWriteFile({
      filename: file,
      rowGroupSize: 2,
      columnData: [{ name: 'id', data: [1, 2, 3, 4, 5], type: 'INT32' }],
    });
    expect(await countItems(file)).toBe(5);
    expect(await countItems('s3://bucket/items.jsonl')).toBeUndefined();
    expect(await countItems(join(dir, 'missing.jsonl'))).toBeUndefined();
  });
});

describe('gradus score progress', { timeout: 60_000 }, () => {
  it('through a pipe: nothing while running, one summary line with counts, rate and where the results went', async () => {
    const out = join(dir, 'piped.jsonl');
    const run = await gradusPiped(scoreArgs(out));
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(`^scored 300 items in [\\d.]+s \\([\\d.,]+/s\\): 200 correct; results in ${out}\\n$`),
    );
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(ITEMS);
  });

  it('to stdout through a pipe, the summary says so and stays off stdout', async () => {
    const run = await gradusPiped(['score', '--in', items, '--batch-size', '100']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(ITEMS);
    expect(run.stderr).toMatch(/^scored 300 items in .*; results in stdout\n$/);
  });

  it.skipIf(!ptyRunner)(
    'on a terminal: a bar of items scored out of the total, rising, with rate and ETA',
    async () => {
      const out = join(dir, 'pty.jsonl');
      const run = await gradusInPty(scoreArgs(out));
      expect(run.code).toBe(0);
      const shown = bars(run.output, 'items');
      // The total is the items, not bytes read: it never shows 100% before the last item is scored.
      expect(shown.length).toBeGreaterThan(3);
      for (const bar of shown) {
        expect(bar.total).toBe(ITEMS);
        expect(bar.percent).toBe(Math.floor((bar.done / ITEMS) * 100));
      }
      expect(shown.some((b) => b.done > 0 && b.done < ITEMS)).toBe(true);
      expect(shown.map((b) => b.done)).toEqual([...shown.map((b) => b.done)].sort((a, b) => a - b));
      expect(shown.at(-1)).toEqual({ percent: 100, done: ITEMS, total: ITEMS });
      expect(run.output).toMatch(/\d+% [\d,]+\/300 items, [\d.,]+\/s, ETA [\d.]+s/);
      expect(screens(run.output).at(-1)).toMatch(
        /^scored 300 items in .*: 200 correct; results in \S+pty\.jsonl$/,
      );
    },
  );
});

const dataset = [1, 2, 3, 4].map((n) => ({
  data_source: 'math/synthetic',
  prompt: [{ role: 'user', content: `What is ${n} + ${n}?` }],
  ability: 'math',
  reward_model: { style: 'rule', ground_truth: String(2 * n) },
  extra_info: { problem_id: `p${n}` },
}));
const rollouts = Array.from({ length: 120 }, (_, i) => ({
  problem_id: `p${(i % 4) + 1}`,
  model: i % 8 < 4 ? 'small' : 'big',
  response: `\\boxed{${i % 3 ? 2 * ((i % 4) + 1) : 0}}`,
}));

describe('gradus rollouts score progress', { timeout: 60_000 }, () => {
  const args = (out: string) => [
    'rollouts',
    'score',
    '--rollouts',
    join(dir, 'rollouts.jsonl'),
    '--data',
    join(dir, 'data.jsonl'),
    '--out',
    out,
    '--batch-size',
    '10',
    '--concurrency',
    '1',
  ];
  beforeAll(async () => {
    await writeFile(join(dir, 'data.jsonl'), jsonl(dataset));
    await writeFile(join(dir, 'rollouts.jsonl'), jsonl(rollouts));
  });

  it('through a pipe: one summary line', async () => {
    const out = join(dir, 'rates.jsonl');
    const run = await gradusPiped(args(out));
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(
        `^scored 120 rollouts of 4 problems by 2 models in [\\d.]+s \\([\\d.,]+/s\\); wrote 8 pass rates to ${out}\\n$`,
      ),
    );
  });

  it.skipIf(!ptyRunner)('on a terminal: rollouts scored out of the rollouts in the file', async () => {
    const run = await gradusInPty(args(join(dir, 'rates-pty.jsonl')));
    expect(run.code).toBe(0);
    const shown = bars(run.output, 'rollouts');
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.every((b) => b.total === 120 && b.percent === Math.floor((b.done / 120) * 100))).toBe(true);
    expect(shown.some((b) => b.done > 0 && b.done < 120)).toBe(true);
    expect(screens(run.output).at(-1)).toMatch(/^scored 120 rollouts of 4 problems/);
  });
});

describe('gradus eval progress', { timeout: 60_000 }, () => {
  const problems = Array.from({ length: 6 }, (_, i) => ({
    unique_id: `demo/${i}.json`,
    problem: `What is ${i} + ${i}?`,
    answer: String(2 * i),
  }));
  const responses = problems.flatMap((p, i) =>
    [0, 1].map((sample) => ({
      problem_id: p.unique_id,
      sample,
      response: `\\boxed{${sample ? 2 * i : 99}}`,
    })),
  );
  const args = (out: string) => [
    'eval',
    '--benchmarks',
    `math500=${join(dir, 'bench.jsonl')}`,
    '--responses',
    join(dir, 'responses.jsonl'),
    '--out',
    out,
  ];
  beforeAll(async () => {
    await writeFile(join(dir, 'bench.jsonl'), jsonl(problems));
    await writeFile(join(dir, 'responses.jsonl'), jsonl(responses));
  });

  it('through a pipe: the report on stdout, one summary line on stderr', async () => {
    const out = join(dir, 'eval');
    const run = await gradusPiped(args(out));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`results: ${join(out, 'results.json')}`);
    expect(run.stderr).toMatch(
      new RegExp(
        `^evaluated 1 benchmark: 12 samples in [\\d.]+s \\([\\d.,]+/s\\); results in ${join(out, 'results.json')}\\n$`,
      ),
    );
  });

  it.skipIf(!ptyRunner)('on a terminal: a bar per benchmark and phase, counting samples', async () => {
    const run = await gradusInPty(args(join(dir, 'eval-pty')));
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/math500 score \[#+\] 100% 12\/12 samples/);
    expect(screens(run.output).at(-1)).toMatch(/^evaluated 1 benchmark: 12 samples/);
  });
});

describe('gradus rollouts sample progress', { timeout: 60_000 }, () => {
  let server: Server;
  let url: string;
  const rows = Array.from({ length: 20 }, (_, i) => ({
    prompt: [{ role: 'user', content: `What is ${i} + 1?` }],
    extra_info: { problem_id: `q${i}` },
  }));
  beforeAll(async () => {
    await writeFile(join(dir, 'prompts.jsonl'), jsonl(rows));
    // A model server that answers every request with n boxed answers, a little later.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const reply =
          req.url === '/v1/models'
            ? { data: [{ id: 'stand-in' }] }
            : {
                choices: Array.from({ length: JSON.parse(body).n ?? 1 }, (_, index) => ({
                  index,
                  message: { role: 'assistant', content: '\\boxed{1}' },
                  finish_reason: 'stop',
                })),
              };
        setTimeout(() => res.setHeader('content-type', 'application/json').end(JSON.stringify(reply)), 20);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const args = (out: string) => [
    'rollouts',
    'sample',
    '--model',
    url,
    '--data',
    join(dir, 'prompts.jsonl'),
    '--out',
    out,
    '--n',
    '4',
    '--concurrency',
    '1',
  ];

  it('through a pipe: one summary line', async () => {
    const out = join(dir, 'sampled.jsonl');
    const run = await gradusPiped(args(out));
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(
        `^sampled 80 samples in [\\d.]+s \\([\\d.,]+/s\\): 80 generated now, 0 already there; rollouts in ${out}\\n$`,
      ),
    );
  });

  it.skipIf(!ptyRunner)('on a terminal: samples done out of rows times n', async () => {
    const run = await gradusInPty(args(join(dir, 'sampled-pty.jsonl')));
    expect(run.code).toBe(0);
    const shown = bars(run.output, 'samples');
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.every((b) => b.total === 80)).toBe(true);
    expect(shown.some((b) => b.done > 0 && b.done < 80)).toBe(true);
    expect(screens(run.output).at(-1)).toMatch(/^sampled 80 samples in /);
  });
});
