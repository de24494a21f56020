import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Stage } from '../../shared/formats/stage-manifest.ts';
import { OverrideError, renderVerlConfig, type VerlConfigInput } from '../../shared/jobs/verl-config.ts';

// The paper's two stages (notes/paper.md section 4) as the curate preset writes them into a manifest.
const shared = {
  learning_rate: 1e-6,
  samples_per_prompt: 16,
  train_batch_size: 128,
  kl_coef: 0.001,
  temperature: 0.6,
};
const data = [{ path: 'stages/1/data/train.parquet', rows: 1, bytes: 1, sha256: '0'.repeat(64) }];
const paperStages: Stage[] = [
  {
    index: 1,
    name: 'stage1-l2-16k',
    levels: ['L2'],
    data,
    settings: { ...shared, max_response_length: 16384, entropy_coef: 0.001, total_steps: 1600 },
  },
  {
    index: 2,
    name: 'stage2-l3-24k',
    levels: ['L3'],
    data,
    settings: {
      ...shared,
      max_response_length: 24576,
      entropy_coef: 0,
      mask_truncated: true,
      total_steps: 860,
    },
  },
];

function input(stage: Stage): VerlConfigInput {
  return {
    runId: 'paper',
    stage,
    paths: {
      trainFiles: [`/scratch/stage-${stage.index}/data/stages/${stage.index}/data/train.parquet`],
      modelPath:
        stage.index === 1
          ? 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B'
          : '/scratch/stage-2/init/actor/huggingface',
      checkpointDir: `/scratch/stage-${stage.index}/checkpoints`,
      rewardFunctionPath: '/opt/gradus/batch/gradus_reward/verl.py',
    },
    nnodes: 1,
    gpusPerNode: 8,
  };
}

describe('verl GRPO config for the paper preset', () => {
  for (const stage of paperStages) {
    it(`stage ${stage.index} matches test/jobs/fixtures/verl-paper-stage${stage.index}.yaml`, async () => {
      const expected = await readFile(
        new URL(`./fixtures/verl-paper-stage${stage.index}.yaml`, import.meta.url),
        'utf8',
      );
      expect(renderVerlConfig(input(stage))).toBe(expected);
    });
  }

  it("carries the paper's settings where verl reads them", () => {
    const [one, two] = paperStages.map((s) => parse(renderVerlConfig(input(s))));
    for (const c of [one, two]) {
      expect(c.algorithm.adv_estimator).toBe('grpo');
      expect(c.actor_rollout_ref.actor.optim.lr).toBe(1e-6);
      expect(c.actor_rollout_ref.rollout.n).toBe(16);
      expect(c.data.train_batch_size).toBe(128);
      expect(c.actor_rollout_ref.actor.ppo_mini_batch_size).toBe(128);
      expect(c.actor_rollout_ref.actor.use_kl_loss).toBe(true);
      expect(c.actor_rollout_ref.actor.kl_loss_coef).toBe(0.001);
      expect(c.custom_reward_function).toEqual({
        path: '/opt/gradus/batch/gradus_reward/verl.py',
        name: 'compute_score_batch',
      });
    }
    expect([one.actor_rollout_ref.actor.entropy_coeff, two.actor_rollout_ref.actor.entropy_coeff]).toEqual([
      0.001, 0,
    ]);
    expect([one.data.max_response_length, two.data.max_response_length]).toEqual([16384, 24576]);
    expect([one.gradus.mask_truncated_responses, two.gradus.mask_truncated_responses]).toEqual([false, true]);
    expect(two.actor_rollout_ref.model.path).toBe('/scratch/stage-2/init/actor/huggingface');
  });

  it('applies trainer_overrides last, by dotted key', () => {
    const [first] = paperStages as [Stage];
    const stage = {
      ...first,
      settings: {
        ...first.settings,
        trainer_overrides: { 'actor_rollout_ref.rollout.name': 'sglang', 'trainer.logger': 'wandb' },
      },
    };
    const c = parse(renderVerlConfig(input(stage)));
    expect(c.actor_rollout_ref.rollout.name).toBe('sglang');
    expect(c.actor_rollout_ref.rollout.n).toBe(16);
    expect(c.trainer.logger).toBe('wandb');
  });

  it('refuses trainer_overrides keys that reach a prototype, and Object.prototype stays clean', () => {
    const [first] = paperStages as [Stage];
    const withOverride = (key: string): Stage => ({
      ...first,
      settings: { ...first.settings, trainer_overrides: { [key]: 'yes' } },
    });
    for (const key of [
      '__proto__.polluted',
      'trainer.__proto__.polluted',
      'constructor.prototype.polluted',
      'trainer.constructor.prototype.polluted',
      'data.prototype',
      '__proto__',
      'trainer..logger',
    ]) {
      expect(() => renderVerlConfig(input(withOverride(key))), key).toThrow(OverrideError);
      expect(() => renderVerlConfig(input(withOverride(key))), key).toThrow(`trainer_overrides key "${key}"`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('writes overrides as own keys: one named like an inherited method does not reach the prototype', () => {
    const [first] = paperStages as [Stage];
    const stage: Stage = {
      ...first,
      settings: {
        ...first.settings,
        trainer_overrides: { 'trainer.toString.x': 1, 'data.hasOwnProperty': 'kept', 'gradus.valueOf': 2 },
      },
    };
    const c = parse(renderVerlConfig(input(stage)));
    expect(c.trainer.toString).toEqual({ x: 1 });
    expect(c.data.hasOwnProperty).toBe('kept');
    expect(c.gradus.valueOf).toBe(2);
    expect(Object.prototype.toString).toBe(Object.prototype.toString);
    expect(Object.hasOwn(Object.prototype.toString, 'x')).toBe(false);
  });
});
