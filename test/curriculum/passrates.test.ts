import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPath } from '../../scripts/data-dir.ts';
import { scoreRollouts } from '../../shared/curriculum/passrates.ts';
import { loadGolds } from '../../shared/curriculum/passrates-gold.ts';
import type { PassRateRow } from '../../shared/formats/pass-rate-row.ts';
import { toVerlParquetRow, type VerlRow, verlColumnsFor } from '../../shared/formats/verl-row.ts';
import { readRows } from '../../shared/io/rows.ts';
import { writeRows } from '../../shared/io/write-rows.ts';
import { createNodeScorer } from '../../shared/reward/node-scorer.ts';
import type { RewardScorer } from '../../shared/reward/score.ts';
import { needData } from '../helpers/data.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3rver.ts';

let dir: string;
let scorer: RewardScorer;
let s3: LocalS3;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-passrates-'));
  scorer = createNodeScorer({ poolSize: 1 }).scorer;
  s3 = await startLocalS3();
});
afterAll(async () => {
  await scorer?.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

const PROBLEMS = 12;
const MODELS = ['tiny', 'small', 'big'];
const SAMPLES = 8;

function problem(i: number): VerlRow {
  return {
    data_source: 'math/synthetic',
    prompt: [{ role: 'user', content: `What is ${i} * 3?` }],
    ability: 'math',
    reward_model: { style: 'rule', ground_truth: String(i * 3) },
    extra_info: { problem_id: `p${i}`, index: i },
  };
}

/** How many of a model's samples answer problem i correctly: a known, varied pattern. */
const correctCount = (i: number, m: number) => (i * (m + 1) + m) % (SAMPLES + 1);

function rollouts() {
  const rows: { problem_id: string; model: string; response: string }[] = [];
  for (let i = 0; i < PROBLEMS; i++) {
    MODELS.forEach((model, m) => {
      for (let s = 0; s < SAMPLES; s++) {
        const answer = s < correctCount(i, m) ? i * 3 : i * 3 + 1;
        rows.push({
          problem_id: `p${i}`,
          model,
          response: `Let me think... so the answer is \\boxed{${answer}}.`,
        });
      }
    });
  }
  // Interleave models and problems, as a sampler writing results as they come would.
  return rows.sort(
    (a, b) => (a.response.length % 3) - (b.response.length % 3) || a.model.localeCompare(b.model),
  );
}

function expectedTable(): PassRateRow[] {
  const rows: PassRateRow[] = [];
  for (let i = 0; i < PROBLEMS; i++) {
    MODELS.forEach((model, m) => {
      const correct = correctCount(i, m);
      rows.push({ problem_id: `p${i}`, model, n: SAMPLES, correct, pass_rate: correct / SAMPLES });
    });
  }
  return rows.sort((a, b) =>
    a.problem_id < b.problem_id ? -1 : a.problem_id > b.problem_id ? 1 : a.model < b.model ? -1 : 1,
  );
}

async function readTable(location: string, options = {}) {
  const out: unknown[] = [];
  for await (const { value } of readRows(location, options).records) out.push(value);
  return out;
}

describe('scoreRollouts', () => {
  it('reduces scored rollouts to the known pass rate of every (problem, model), JSONL in, Parquet out', async () => {
    const dataset = join(dir, 'problems.jsonl');
    await writeRows(
      dataset,
      Array.from({ length: PROBLEMS }, (_, i) => problem(i)),
    );
    const input = join(dir, 'rollouts.jsonl');
    await writeRows(input, rollouts());
    const output = join(dir, 'passrates.parquet');
    const updates: number[] = [];
    const summary = await scoreRollouts({
      rollouts: input,
      dataset,
      output,
      scorer,
      batchSize: 16,
      progress: { update: (done) => updates.push(done), finish: (done) => updates.push(done) },
    });
    expect(summary).toMatchObject({
      rollouts: PROBLEMS * MODELS.length * SAMPLES,
      problems: PROBLEMS,
      models: 3,
      errors: 0,
    });
    expect(await readTable(output)).toEqual(expectedTable());
    expect(updates.at(-1)).toBe(PROBLEMS * MODELS.length * SAMPLES);
  });

  it('reads Parquet rollouts and datasets, joins by a configured id field, and writes JSONL to s3://', async () => {
    const problems = Array.from({ length: PROBLEMS }, (_, i) => ({ ...problem(i), uid: i }));
    const dataset = join(dir, 'problems.parquet');
    await writeRows(dataset, problems.map(toVerlParquetRow), { columns: verlColumnsFor(problems) });
    const input = join(dir, 'rollouts.parquet');
    await writeRows(
      input,
      rollouts().map((r) => ({ ...r, problem_id: Number(r.problem_id.slice(1)) })),
      { rowGroupRows: 50 },
    );
    const output = `s3://${s3.bucket}/runs/passrates.jsonl`;
    await scoreRollouts({ rollouts: input, dataset, output, scorer, idField: 'uid', s3: s3.connection });
    const expected = expectedTable()
      .map((r) => ({ ...r, problem_id: r.problem_id.slice(1) }))
      .sort((a, b) =>
        a.problem_id < b.problem_id ? -1 : a.problem_id > b.problem_id ? 1 : a.model < b.model ? -1 : 1,
      );
    expect(await readTable(output, { s3: s3.connection })).toEqual(expected);
  });

  it('stops at a rollout for a problem the dataset does not have, naming the file, row and field', async () => {
    const dataset = join(dir, 'one.jsonl');
    await writeRows(dataset, [problem(1)]);
    const input = join(dir, 'unknown.jsonl');
    await writeFile(
      input,
      `${JSON.stringify({ problem_id: 'p1', model: 'm', response: '3' })}\n${JSON.stringify({ problem_id: 'p9', model: 'm', response: '3' })}\n`,
    );
    await expect(
      scoreRollouts({ rollouts: input, dataset, output: join(dir, 'x.jsonl'), scorer }),
    ).rejects.toThrow(`${input} row 2, field problem_id: problem "p9" is not in the dataset`);
  });

  it('names the row and field of a malformed rollout', async () => {
    const dataset = join(dir, 'one-b.jsonl');
    await writeRows(dataset, [problem(1)]);
    const input = join(dir, 'malformed.jsonl');
    await writeFile(input, `${JSON.stringify({ problem_id: 'p1', model: 'm' })}\n`);
    await expect(
      scoreRollouts({ rollouts: input, dataset, output: join(dir, 'y.jsonl'), scorer }),
    ).rejects.toThrow(new RegExp(`^${input.replaceAll('.', '\\.')} row 1, field response: `));
  });
});

const DATA = needData('the pass rates of MATH-500 self-pairs', 'benchmarks', 'math');

describe.skipIf(!DATA.has())('on real data: MATH-500 and its self-pairs', () => {
  const jsonlFile = async (path: string) =>
    (await readFile(path, 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('joins every gold through a nested-column Parquet dataset and agrees with the labels', async () => {
    const math500 = await jsonlFile(dataPath('benchmarks/math500.jsonl'));
    const problems: VerlRow[] = math500.map((row) => ({
      data_source: 'HuggingFaceH4/MATH-500',
      prompt: [{ role: 'user', content: String(row.problem) }],
      ability: 'math',
      reward_model: { style: 'rule', ground_truth: String(row.answer) },
      extra_info: { problem_id: String(row.unique_id), level: Number(row.level) },
    }));
    const dataset = join(dir, 'math500.parquet');
    await writeRows(dataset, problems.map(toVerlParquetRow), {
      columns: verlColumnsFor(problems),
      rowGroupRows: 128,
    });

    // Each self-pair is a response to its problem; the label says whether it is right.
    const pairs = await jsonlFile(dataPath('math/math500_selfpairs.jsonl'));
    const input = join(dir, 'selfpairs-rollouts.jsonl');
    await writeRows(
      input,
      pairs.map((p) => ({
        problem_id: p.unique_id,
        model: p.expected ? 'right' : 'wrong',
        response: p.pred,
      })),
    );
    const output = join(dir, 'math500-passrates.jsonl');
    const summary = await scoreRollouts({ rollouts: input, dataset, output, scorer });
    expect(summary).toMatchObject({
      rollouts: pairs.length,
      problems: problems.length,
      models: 2,
      errors: 0,
    });

    const table = (await readTable(output)) as PassRateRow[];
    const expected = new Map<string, number>();
    for (const p of pairs) {
      const key = `${p.unique_id}|${p.expected ? 'right' : 'wrong'}`;
      expected.set(key, (expected.get(key) ?? 0) + (p.expected ? 1 : 0));
    }
    expect(table).toHaveLength(expected.size);
    const disagreements = table.filter((r) => expected.get(`${r.problem_id}|${r.model}`) !== r.correct);
    // bench:math measures 999/1000 agreement on these pairs: at most that one pair may differ.
    expect(disagreements.length).toBeLessThanOrEqual(1);
  });
});

describe('loadGolds', () => {
  it('names the row of a duplicate problem id and of a missing id or gold', async () => {
    const dup = join(dir, 'dup.jsonl');
    await writeRows(dup, [problem(1), problem(2), problem(1)]);
    await expect(loadGolds(dup)).rejects.toThrow(
      `${dup} row 3, field extra_info.problem_id: problem id "p1" also appears at row 1`,
    );

    const noId = join(dir, 'no-id.jsonl');
    await writeRows(noId, [problem(1), { ...problem(2), extra_info: {} }]);
    await expect(loadGolds(noId)).rejects.toThrow(
      `${noId} row 2, field extra_info.problem_id: the problem id is missing`,
    );

    const noGold = join(dir, 'no-gold.jsonl');
    await writeRows(noGold, [{ ...problem(1), reward_model: { style: 'rule' } }]);
    await expect(loadGolds(noGold)).rejects.toThrow(`${noGold} row 1, field reward_model.ground_truth: `);
  });

  it('keeps only the gold, data source and task of each problem', async () => {
    const path = join(dir, 'golds.jsonl');
    await writeFile(
      path,
      `${JSON.stringify({ ...problem(4), ability: 'code', data_source: 'taco', reward_model: { style: 'rule', ground_truth: '{"inputs":["1"],"outputs":["2"]}' } })}\n` +
        `${JSON.stringify({ ...problem(5), ability: 'reasoning' })}\n`,
    );
    const golds = await loadGolds(path);
    expect(golds.get('p4')).toEqual({
      ground_truth: '{"inputs":["1"],"outputs":["2"]}',
      data_source: 'taco',
      task: 'code',
    });
    expect(golds.get('p5')).toEqual({ ground_truth: '15', data_source: 'math/synthetic' });
    expect(JSON.stringify([...golds.values()])).not.toContain('prompt');
  });
});
