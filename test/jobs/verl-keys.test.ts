import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, type Node, parse, parseDocument } from 'yaml';
import { loadSpec } from '../../shared/curriculum/load-spec.ts';
import { PRESETS } from '../../shared/curriculum/presets/index.ts';
import { stageSettings } from '../../shared/curriculum/spec.ts';
import type { Stage } from '../../shared/formats/stage-manifest.ts';
import { executeStage } from '../../shared/jobs/stage-exec.ts';
import {
  DEFAULT_TRAINER_COMMAND,
  renderVerlConfig,
  STOCK_VERL_ENTRY,
  trainerCommandProblem,
  VERL_ENTRY_MODULE,
} from '../../shared/jobs/verl-config.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { writeManifest, writeRunData } from './run-fixture.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const verlYaml = join(root, '..', 'shared', 'peers', 'verl-0.5.0', '_generated_ppo_trainer.yaml');
const haveVerl = existsSync(verlYaml);
if (!haveVerl) console.warn(`skipped: ${verlYaml} is absent (a clone outside the gradus workspace)`);

/** Blocks of the rendered config that are not verl's: Hydra's own keys, and the one gradus' entry reads. */
const OURS = new Set(['hydra', 'defaults', 'gradus']);
/** verl's yaml writes these as one path, but its dataset takes a list of files too. */
const FILE_LISTS = new Set(['data.train_files', 'data.val_files']);
/**
 * Coefficients whose default verl writes as `0`: the actor block has no `_target_` (plain OmegaConf, no
 * dataclass type), so Hydra takes a float there, and the actor multiplies its loss term by it.
 */
const FLOATS_WRITTEN_AS_INT = new Set(['actor_rollout_ref.actor.entropy_coeff']);

type Kind = 'null' | 'bool' | 'int' | 'float' | 'str' | 'list' | 'map';

/** A YAML node's kind, from its source text for numbers (16 is an int, 16.0 and 1e-6 are floats). */
function kindOf(node: Node | null): Kind {
  if (node === null || isScalar(node)) {
    const value = node?.value ?? null;
    if (value === null) return 'null';
    if (typeof value === 'boolean') return 'bool';
    if (typeof value === 'number') return /^[-+]?\d+$/.test(String(node?.source ?? value)) ? 'int' : 'float';
    return 'str';
  }
  if (isSeq(node)) return 'list';
  if (isMap(node)) return 'map';
  throw new Error(`unexpected YAML node ${String(node)}`);
}

/** Every key path of a YAML map with its node. */
function entries(node: Node | null, prefix = ''): Array<[string, Node | null]> {
  if (!isMap(node)) return [];
  const out: Array<[string, Node | null]> = [];
  for (const pair of node.items) {
    const key = `${prefix}${String(isScalar(pair.key) ? pair.key.value : pair.key)}`;
    const value = (pair.value ?? null) as Node | null;
    out.push([key, value]);
    out.push(...entries(value, `${key}.`));
  }
  return out;
}

function compatible(path: string, ours: Node | null, theirs: Node | null): boolean {
  const want = kindOf(theirs);
  const have = kindOf(ours);
  if (want === 'null' || want === have) return true;
  if (want === 'float') return have === 'int';
  if (want === 'int' && have === 'float') return FLOATS_WRITTEN_AS_INT.has(path);
  if (want === 'str' && have === 'list' && FILE_LISTS.has(path))
    return isSeq(ours) && ours.items.every((i) => kindOf(i as Node) === 'str');
  return false;
}

/** Each stage of a preset as a manifest carries it, settings merged over the spec's defaults. */
async function presetStages(preset: string): Promise<Stage[]> {
  const { spec } = await loadSpec(preset);
  return spec.stages.map((s, i) => ({
    index: i + 1,
    name: s.name,
    levels: s.levels ?? ['mixed'],
    data: [{ path: `stages/${i + 1}/data/train.parquet`, rows: 1, bytes: 1, sha256: '0'.repeat(64) }],
    settings: stageSettings(spec, s),
  }));
}

function render(stage: Stage): string {
  return renderVerlConfig({
    runId: 'keys',
    stage,
    paths: {
      trainFiles: [`/scratch/stage-${stage.index}/train.parquet`],
      modelPath: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
      checkpointDir: `/scratch/stage-${stage.index}/checkpoints`,
      rewardFunctionPath: '/opt/gradus/batch/gradus_reward/verl.py',
    },
    nnodes: 1,
    gpusPerNode: 8,
  });
}

describe.skipIf(!haveVerl)("rendered stage configs against verl 0.5.0's ppo_trainer", () => {
  for (const preset of PRESETS) {
    it(`every key of every ${preset} stage exists in verl's config with a compatible type`, async () => {
      const verl = new Map(entries(parseDocument(await readFile(verlYaml, 'utf8')).contents));
      const stages = await presetStages(preset);
      expect(stages.length).toBeGreaterThan(0);
      for (const stage of stages) {
        const rendered = entries(parseDocument(render(stage)).contents).filter(
          ([path]) => !OURS.has(path.split('.')[0] as string),
        );
        expect(rendered.length).toBeGreaterThan(20);
        const wrong = rendered.flatMap(([path, node]) => {
          if (!verl.has(path)) return [`${path}: not in verl's config`];
          const theirs = verl.get(path) ?? null;
          return compatible(path, node, theirs)
            ? []
            : [`${path}: ${kindOf(node)} where verl has ${kindOf(theirs)}`];
        });
        expect(wrong, `${preset} stage ${stage.index}`).toEqual([]);
      }
    });
  }

  it('catches a key verl does not have and a type it does not take', () => {
    const verl = new Map(entries(parseDocument('a:\n  n: 1\n  f: 0.5\n  s: x\n  any: null\n').contents));
    const ours = new Map(
      entries(parseDocument('a:\n  n: 1.5\n  f: 2\n  s: [x]\n  any: [1]\n  extra: 1\n').contents),
    );
    const check = (path: string) =>
      verl.has(path) && compatible(path, ours.get(path) ?? null, verl.get(path) ?? null);
    expect(['a.n', 'a.f', 'a.s', 'a.any', 'a.extra'].map(check)).toEqual([false, true, false, true, false]);
  });
});

describe("the paper preset's stage 2 runs through gradus' verl entry", () => {
  it('renders gradus.mask_truncated_responses in stage 2 only', async () => {
    const [one, two] = await presetStages('paper');
    expect(parse(render(one as Stage)).gradus.mask_truncated_responses).toBe(false);
    expect(parse(render(two as Stage)).gradus.mask_truncated_responses).toBe(true);
  });

  it("the container's default trainer command is gradus' entry, which exists in batch/", async () => {
    expect(await readFile(join(root, 'batch/entrypoint.sh'), 'utf8')).toContain(
      `'${DEFAULT_TRAINER_COMMAND}'`,
    );
    expect(DEFAULT_TRAINER_COMMAND).toContain(`python3 -m ${VERL_ENTRY_MODULE} `);
    expect(existsSync(`${join(root, 'batch', ...VERL_ENTRY_MODULE.split('.'))}.py`)).toBe(true);
  });

  it("refuses to run a masking stage with verl's own entry, which would ignore the mask", async () => {
    const [one, two] = (await presetStages('paper')) as [Stage, Stage];
    const stock = `python3 -m ${STOCK_VERL_ENTRY} --config-path "$GRADUS_CONFIG_DIR" --config-name "$GRADUS_CONFIG_NAME"`;
    expect(trainerCommandProblem(two, stock)).toMatch(/^stage 2 leaves truncated responses out of the loss/);
    expect(trainerCommandProblem(two, DEFAULT_TRAINER_COMMAND)).toBeUndefined();
    expect(trainerCommandProblem(one, stock)).toBeUndefined();
  });
});

describe('a local stage run', () => {
  let dir: string;
  let storage: LocalStorage;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gradus-verl-keys-'));
    storage = new LocalStorage(join(dir, 'store'));
    await writeManifest(storage, 'local', await writeRunData(storage, 'local'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const exec = (stage: number, trainerCommand: string) =>
    executeStage({
      storage,
      runId: 'local',
      stage,
      workDir: join(dir, 'work', String(stage)),
      trainerCommand,
      runner: 'local',
      pollMs: 20,
      log: () => {},
    });

  it("uses this checkout's reward module and batch reward function, and puts batch/ on PYTHONPATH", async () => {
    const config = join(dir, 'seen-config.yaml');
    const pythonPath = join(dir, 'seen-pythonpath');
    const result = await exec(
      1,
      `cp "$GRADUS_TRAINER_CONFIG" "${config}" && printf %s "$PYTHONPATH" > "${pythonPath}"; exit 3`,
    );
    expect(result).toMatchObject({ state: 'failed', reason: 'trainer exited with code 3' });
    const rendered = parse(await readFile(config, 'utf8'));
    expect(rendered.custom_reward_function).toEqual({
      path: join(root, 'batch', 'gradus_reward', 'verl.py'),
      name: 'compute_score_batch',
    });
    expect(rendered.reward_model).toEqual({ reward_manager: 'batch' });
    const first = (await readFile(pythonPath, 'utf8')).split(delimiter)[0] as string;
    expect(existsSync(join(first, 'gradus_verl', 'main_ppo.py'))).toBe(true);
  });

  it("fails a masking stage run with verl's own entry before anything is fetched or run", async () => {
    const marker = join(dir, 'stock-ran');
    const result = await exec(2, `touch "${marker}"; python3 -m ${STOCK_VERL_ENTRY}`);
    expect(result).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining(
        `which ${STOCK_VERL_ENTRY} ignores: run python3 -m ${VERL_ENTRY_MODULE}`,
      ),
    });
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, 'work', '2', 'data'))).toBe(false);
  });
});
