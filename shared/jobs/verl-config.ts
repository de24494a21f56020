import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Stage } from '../formats/stage-manifest.ts';

/**
 * Renders one stage's verl GRPO configuration (a Hydra config layered on verl's `ppo_trainer`), run as
 * `python3 -m gradus_verl.main_ppo --config-path <dir> --config-name <file without .yaml>` (verl's
 * `main_ppo` with the config's `gradus` block applied: batch/gradus_verl).
 * Settings the manifest leaves out take the paper's values (notes/paper.md section 4).
 */

/** gradus' entry to verl's trainer (batch/gradus_verl/main_ppo.py); it applies the `gradus` block. */
export const VERL_ENTRY_MODULE = 'gradus_verl.main_ppo';
/** verl's own entry, which ignores the `gradus` block. */
export const STOCK_VERL_ENTRY = 'verl.trainer.main_ppo';
/** The trainer command the container runs by default (batch/entrypoint.sh), and the one docs suggest. */
export const DEFAULT_TRAINER_COMMAND = `python3 -m ${VERL_ENTRY_MODULE} --config-path "$GRADUS_CONFIG_DIR" --config-name "$GRADUS_CONFIG_NAME"`;

/**
 * This checkout's (or installed package's) `batch/` folder: `gradus_reward` and `gradus_verl` live there.
 * The sources (shared/jobs/) and the npm package's bundle (dist/package/) both sit two folders below the root.
 */
export function pythonPackagesDir(): string {
  return fileURLToPath(new URL('../../batch', import.meta.url));
}

/** The reward module verl loads by path: this checkout's batch/gradus_reward/verl.py. */
export function defaultRewardFunctionPath(): string {
  return join(pythonPackagesDir(), 'gradus_reward', 'verl.py');
}

/**
 * Why `command` would not train `stage` as configured, if it would not: the stage leaves truncated
 * responses out of the loss, and the command runs verl's own entry, which ignores that.
 */
export function trainerCommandProblem(stage: Stage, command: string): string | undefined {
  if (!stage.settings.mask_truncated || !command.includes(STOCK_VERL_ENTRY)) return undefined;
  return (
    `stage ${stage.index} leaves truncated responses out of the loss (mask_truncated), which ` +
    `${STOCK_VERL_ENTRY} ignores: run python3 -m ${VERL_ENTRY_MODULE} with the same arguments`
  );
}

export const PAPER_DEFAULTS = {
  learning_rate: 1e-6,
  samples_per_prompt: 16,
  train_batch_size: 128,
  kl_coef: 0.001,
  entropy_coef: 0,
  temperature: 0.6,
  max_prompt_length: 1024,
  save_every_steps: 50,
} as const;

export interface VerlPaths {
  /** Local Parquet files of the stage's data. */
  trainFiles: string[];
  /** The model the stage starts from: an HF id or a local folder in HF format. */
  modelPath: string;
  /** verl's `trainer.default_local_dir`: `global_step_<n>/` folders appear here. */
  checkpointDir: string;
  /** The Python file holding gradus' `compute_score_batch` (batch/gradus_reward/verl.py). */
  rewardFunctionPath: string;
}

export interface VerlConfigInput {
  runId: string;
  stage: Stage;
  paths: VerlPaths;
  nnodes: number;
  gpusPerNode: number;
}

type Tree = { [key: string]: unknown };

/** Path segments that would reach an object's prototype instead of a key of its own. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** A trainer override that cannot be applied; the message names the key. */
export class OverrideError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OverrideError';
  }
}

/**
 * Sets `a.b.c` in a nested object, creating the levels on the way. Only own properties are followed and
 * written (as data properties), and prototype-reaching segments are refused, so no key can change
 * anything but the config itself.
 */
function setDotted(tree: Tree, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  for (const part of parts) {
    if (part === '') throw new OverrideError(`trainer_overrides key "${dotted}": empty path segment`);
    if (FORBIDDEN_SEGMENTS.has(part)) {
      throw new OverrideError(
        `trainer_overrides key "${dotted}": "${part}" is not allowed as a path segment`,
      );
    }
  }
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = Object.hasOwn(node, part) ? node[part] : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const level: Tree = {};
      define(node, part, level);
      node = level;
    } else {
      node = next as Tree;
    }
  }
  define(node, parts.at(-1) as string, value);
}

const define = (node: Tree, key: string, value: unknown) =>
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });

export function verlConfig(input: VerlConfigInput): Tree {
  const { stage, paths } = input;
  const s = { ...PAPER_DEFAULTS, ...stage.settings };
  const maxTokens = s.max_prompt_length + s.max_response_length;
  const config: Tree = {
    hydra: { searchpath: ['pkg://verl.trainer.config'] },
    defaults: ['ppo_trainer', '_self_'],
    algorithm: { adv_estimator: 'grpo', use_kl_in_reward: false },
    data: {
      train_files: paths.trainFiles,
      // verl wants validation files; in-training evaluation is off (test_freq -1), evals run separately.
      val_files: paths.trainFiles,
      train_batch_size: s.train_batch_size,
      max_prompt_length: s.max_prompt_length,
      max_response_length: s.max_response_length,
      filter_overlong_prompts: true,
      truncation: 'error',
    },
    actor_rollout_ref: {
      model: { path: paths.modelPath, use_remove_padding: true, enable_gradient_checkpointing: true },
      actor: {
        optim: { lr: s.learning_rate },
        // One update per rollout batch: the paper's "on-policy" parameter updates.
        ppo_mini_batch_size: s.train_batch_size,
        ppo_epochs: 1,
        use_dynamic_bsz: true,
        ppo_max_token_len_per_gpu: maxTokens,
        use_kl_loss: s.kl_coef > 0,
        kl_loss_coef: s.kl_coef,
        kl_loss_type: 'low_var_kl',
        entropy_coeff: s.entropy_coef,
        checkpoint: { save_contents: ['model', 'optimizer', 'extra', 'hf_model'] },
      },
      rollout: {
        name: 'vllm',
        n: s.samples_per_prompt,
        temperature: s.temperature,
        max_num_batched_tokens: maxTokens,
        gpu_memory_utilization: 0.8,
        tensor_model_parallel_size: 1,
      },
      ref: { fsdp_config: { param_offload: true } },
    },
    // verl's batch reward manager hands a whole step to one call, which the client sends in a few requests.
    reward_model: { reward_manager: 'batch' },
    custom_reward_function: { path: paths.rewardFunctionPath, name: 'compute_score_batch' },
    trainer: {
      project_name: 'gradus',
      experiment_name: `${input.runId}-s${stage.index}-${stage.name}`,
      logger: ['console'],
      nnodes: input.nnodes,
      n_gpus_per_node: input.gpusPerNode,
      default_local_dir: paths.checkpointDir,
      resume_mode: 'auto',
      save_freq: s.save_every_steps,
      test_freq: -1,
      val_before_train: false,
      // Older local copies can go: every saved step is on storage already.
      max_actor_ckpt_to_keep: 2,
      ...(s.total_steps === undefined ? {} : { total_training_steps: s.total_steps }),
    },
    // Read by gradus' entry (VERL_ENTRY_MODULE), not by verl, which has no switch that keeps truncated
    // responses out of the loss: with `mask_truncated_responses` the entry zeroes their loss mask.
    gradus: { run_id: input.runId, stage: stage.index, mask_truncated_responses: s.mask_truncated ?? false },
  };
  for (const [key, value] of Object.entries(s.trainer_overrides ?? {})) setDotted(config, key, value);
  return config;
}

export function renderVerlConfig(input: VerlConfigInput): string {
  const header = `# verl GRPO config for run ${input.runId}, stage ${input.stage.index} (${input.stage.name}); rendered by gradus\n`;
  return header + stringify(verlConfig(input), { lineWidth: 0, aliasDuplicateObjects: false });
}
