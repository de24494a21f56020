import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curate } from '../../shared/curriculum/curate.ts';
import { parseSpecText } from '../../shared/curriculum/spec-text.ts';
import { StageManifest } from '../../shared/formats/stage-manifest.ts';
import { openStorage } from '../../shared/storage/index.ts';
import { makeFixture, writeFixture } from './fixture.ts';

let dir: string;
let inputs: { data: string; passRates: string };
const fixture = makeFixture(400, 5);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-curate-manifest-'));
  inputs = await writeFixture(dir, fixture);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SPEC = `
name: custom
seed: 3
models:
  small: { model: deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B }
  big: { model: deepseek-ai/DeepSeek-R1-Distill-Qwen-32B }
levels:
  learnable: { when: { model: small, op: in_open, range: [0, 1] } }
  hard: { when: { all: [{ model: small, op: eq, value: 0 }, { model: big, op: gt, value: 0 }] } }
defaults:
  learning_rate: 2.0e-6
  trainer_overrides: { "actor_rollout_ref.rollout.n": 8, "trainer.project_name": gradus }
base_model: some/base
eval: { on_checkpoint: true, benchmarks: [aime24, math500] }
stages:
  - name: warmup
    levels: [learnable]
    settings: { max_response_length: 8192, trainer_overrides: { "actor_rollout_ref.rollout.n": 16 } }
    resources: { nodes: 2, gpus_per_node: 8 }
  - name: math-hard
    sources: [{ level: hard, ability: math }, { level: learnable, ability: math }]
    settings: { max_response_length: 16384, learning_rate: 1.0e-6 }
`;

describe('curate manifest', () => {
  it('carries settings merged over defaults, resources, eval and base model into the manifest', async () => {
    const parsed = parseSpecText(SPEC);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const out = openStorage(join(dir, 'out'));
    const steps: [string, number][] = [];
    const result = await curate({
      spec: parsed.spec,
      specSource: { name: 'custom.yaml', text: SPEC },
      ...inputs,
      out,
      progress: {
        step: (name) => ({ update() {}, finish: (done) => steps.push([name, done]) }),
      },
    });
    const manifest = StageManifest.parse(JSON.parse((await out.getText('manifest.json')) as string));
    expect(manifest).toEqual(result.manifest);
    expect(manifest).toMatchObject({
      curriculum: 'custom',
      seed: 3,
      base_model: 'some/base',
      eval: { on_checkpoint: true, benchmarks: ['aime24', 'math500'] },
    });
    expect(manifest.stages[0]).toMatchObject({
      name: 'warmup',
      levels: ['learnable'],
      resources: { nodes: 2, gpus_per_node: 8 },
      settings: {
        max_response_length: 8192,
        learning_rate: 2e-6,
        trainer_overrides: { 'actor_rollout_ref.rollout.n': 16, 'trainer.project_name': 'gradus' },
      },
    });
    expect(manifest.stages[1]?.settings).toEqual({
      max_response_length: 16384,
      learning_rate: 1e-6,
      trainer_overrides: { 'actor_rollout_ref.rollout.n': 8, 'trainer.project_name': 'gradus' },
    });
    expect(manifest.stages[1]?.levels).toEqual(['hard', 'learnable']);

    // Stage 2 holds only math problems, each of them in one of its two levels.
    const math = fixture.problems.filter((p) => {
      const small = p.correct['1.5b'];
      const big = p.correct['32b'];
      if (p.ability !== 'math' || small === undefined || big === undefined) return false;
      return (small > 0 && small < 8) || (small === 0 && big > 0);
    });
    expect(manifest.stages[1]?.data[0]?.rows).toBe(math.length);
    expect(result.summary.stages[1]?.perAbility).toEqual({ math: math.length });

    // Each long step reported its progress and final count.
    expect(steps).toEqual([
      ['pass rates', fixture.passRateRows.length],
      ['levels', fixture.problems.length],
      ['stage 1 (warmup)', manifest.stages[0]?.data[0]?.rows],
      ['stage 2 (math-hard)', math.length],
    ]);
  });
});
