import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// A seeded generator, so the fixture is the same on every run.
import { mulberry32 } from '../../shared/eval/metrics.ts';

/**
 * A synthetic curriculum input: N problems (math and code) and the pass rates of four fake reference
 * models, each drawn from a seeded generator so every value is KNOWN to the test. Pass rates are
 * `correct / K` with K samples, so the exact 0 and 1 the level rules test occur often.
 */

export const K = 8;

export const MODEL_IDS = {
  '1.5b': 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
  '7b': 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B',
  '32b': 'deepseek-ai/DeepSeek-R1-Distill-Qwen-32B',
  r1: 'deepseek-ai/DeepSeek-R1',
} as const;
export type FakeModel = keyof typeof MODEL_IDS;
export const FAKE_MODELS = Object.keys(MODEL_IDS) as FakeModel[];

/** A model in the table that no spec mentions: its rows must be ignored. */
export const UNRELATED_MODEL = 'someone/unrelated-0.5B';

export interface FakeProblem {
  id: string;
  ability: 'math' | 'code';
  /** Correct samples out of K per model; undefined = no pass-rate row for that model. */
  correct: Partial<Record<FakeModel, number>>;
}

export interface Fixture {
  problems: FakeProblem[];
  dataRows: Record<string, unknown>[];
  passRateRows: Record<string, unknown>[];
  /** Problem ids with pass rates but no dataset row. */
  orphanIds: string[];
}

/** 30% never solved, 20% always, the rest in between: every branch of the paper's rules gets many problems. */
function drawCorrect(random: () => number): number {
  const u = random();
  if (u < 0.3) return 0;
  if (u < 0.5) return K;
  return 1 + Math.floor(random() * (K - 1));
}

export function makeFixture(count = 10_000, seed = 7): Fixture {
  const random = mulberry32(seed);
  const problems: FakeProblem[] = [];
  for (let i = 0; i < count; i++) {
    const correct: Partial<Record<FakeModel, number>> = {};
    for (const model of FAKE_MODELS) correct[model] = drawCorrect(random);
    // R1 solves most problems, so the filter leaves most of them in.
    if (random() < 0.85) correct.r1 = Math.max(1, correct.r1 ?? 0);
    // Every 97th problem lacks one model's rows: the spec drops it for missing pass rates.
    if (i % 97 === 5) delete correct[FAKE_MODELS[i % FAKE_MODELS.length] as FakeModel];
    problems.push({ id: `p${i}`, ability: random() < 0.68 ? 'math' : 'code', correct });
  }
  const dataRows = problems.map((p, i) => ({
    data_source: p.ability === 'math' ? 'synthetic_math' : 'synthetic_code',
    prompt: [{ role: 'user', content: `Problem ${i}: what is ${i} + 1?` }],
    ability: p.ability,
    reward_model: { style: 'rule', ground_truth: String(i + 1) },
    extra_info: { problem_id: p.id, index: i, split: 'train' },
  }));
  const passRateRows: Record<string, unknown>[] = [];
  for (const p of problems) {
    for (const model of FAKE_MODELS) {
      const correct = p.correct[model];
      if (correct === undefined) continue;
      passRateRows.push({ problem_id: p.id, model: MODEL_IDS[model], n: K, correct, pass_rate: correct / K });
    }
    if (p.id.endsWith('3'))
      passRateRows.push({ problem_id: p.id, model: UNRELATED_MODEL, n: K, correct: 1, pass_rate: 1 / K });
  }
  const orphanIds = ['ghost-1', 'ghost-2', 'ghost-3'];
  for (const id of orphanIds) {
    for (const model of FAKE_MODELS)
      passRateRows.push({ problem_id: id, model: MODEL_IDS[model], n: K, correct: 4, pass_rate: 0.5 });
  }
  return { problems, dataRows, passRateRows, orphanIds };
}

export async function writeJsonl(path: string, rows: unknown[]): Promise<string> {
  await writeFile(path, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  return path;
}

/** Writes the fixture as JSONL files in `dir`. */
export async function writeFixture(
  dir: string,
  fixture: Fixture,
): Promise<{ data: string; passRates: string }> {
  return {
    data: await writeJsonl(join(dir, 'data.jsonl'), fixture.dataRows),
    passRates: await writeJsonl(join(dir, 'passrates.jsonl'), fixture.passRateRows),
  };
}
