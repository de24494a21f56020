import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreRollouts } from '../../shared/curriculum/passrates.ts';
import { readRolloutRows } from '../../shared/eval/generate/journal.ts';
import { sampleRollouts } from '../../shared/eval/generate/rollouts.ts';
import type { PassRateRow } from '../../shared/formats/pass-rate-row.ts';
import { readRows } from '../../shared/io/rows.ts';
import type { RewardItem, RewardResult } from '../../shared/reward/schema.ts';
import type { RewardScorer } from '../../shared/reward/score.ts';
import { startStandIn } from '../eval/stand-in-server.ts';

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

// `gradus rollouts sample` writes rollout rows and `gradus rollouts score` reads them: one RolloutRow
// (shared/formats/rollout-row.ts) for both, so whatever sample accepts, score reads.

/** Right when the response is the gold answer, as text. */
const exactScorer: RewardScorer = {
  async score(items: RewardItem[]): Promise<RewardResult[]> {
    return items.map((item) => {
      const correct = item.response === String(item.ground_truth);
      return { task: 'math', score: correct ? 1 : 0, correct, status: 'ok', extracted: item.response, ms: 0 };
    });
  },
  async close() {},
};

const row = (id: unknown, question: string, gold: string) => ({
  data_source: 'math/synthetic',
  prompt: [{ role: 'user', content: question }],
  ability: 'math',
  reward_model: { style: 'rule', ground_truth: gold },
  extra_info: { problem_id: id },
});

let dir: string;
let standIn: Awaited<ReturnType<typeof startStandIn>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-rollout-pipe-'));
  // Sample 0 answers right, sample 1 wrong, sample 2 right for "two"; the answer is the question's last word.
  standIn = await startStandIn({
    respond: (prompt, sample) => ({
      text: sample === 1 ? 'nope' : (prompt.split(' ').at(-1) ?? ''),
      finishReason: 'stop',
    }),
  });
});
afterAll(async () => {
  await standIn?.close();
  await rm(dir, { recursive: true, force: true });
});

const sample = (data: string, out: string) =>
  sampleRollouts({
    endpoint: { baseUrl: standIn.url, model: 'stand-in-model' },
    data,
    out,
    n: 3,
    params: { temperature: 1, topP: 1, maxTokens: 16, seed: 0 },
  });

describe('rollouts: what sample writes, score reads', () => {
  it('string and integer problem ids, chat prompts: every sampled row is scored into the pass-rate table', async () => {
    const data = join(dir, 'data.jsonl');
    await writeFile(
      data,
      [row('a', 'say one', 'one'), row(7, 'say two', 'two')].map((r) => `${JSON.stringify(r)}\n`).join(''),
    );
    const rollouts = join(dir, 'rollouts.jsonl');
    expect(await sample(data, rollouts)).toMatchObject({ total: 6, generated: 6 });
    expect((await all(readRolloutRows(rollouts))).map((r) => r.problem_id).sort()).toEqual([
      '7',
      '7',
      '7',
      'a',
      'a',
      'a',
    ]);

    const output = join(dir, 'pass-rates.jsonl');
    const summary = await scoreRollouts({ rollouts, dataset: data, output, scorer: exactScorer });
    expect(summary).toMatchObject({ rollouts: 6, problems: 2, models: 1, errors: 0 });
    const table = (await all(readRows(output).records)).map((r) => r.value as PassRateRow);
    expect(table).toEqual([
      { problem_id: '7', model: 'stand-in-model', n: 3, correct: 2, pass_rate: 2 / 3 },
      { problem_id: 'a', model: 'stand-in-model', n: 3, correct: 2, pass_rate: 2 / 3 },
    ]);
  });

  it('sample refuses a problem id that score would refuse (empty, fractional), before requesting anything', async () => {
    for (const [id, what] of [
      ['', 'must be a non-empty string or an integer'],
      [1.5, 'must be a non-empty string or an integer'],
    ] as const) {
      const data = join(dir, `bad-${String(id)}.jsonl`);
      await writeFile(data, `${JSON.stringify(row(id, 'say one', 'one'))}\n`);
      const before = standIn.requests.length;
      await expect(sample(data, join(dir, `bad-${String(id)}-out.jsonl`))).rejects.toThrow(
        `${data} row 1: field "extra_info.problem_id" (the problem id) ${what}`,
      );
      expect(standIn.requests.length).toBe(before);
    }
  });
});
