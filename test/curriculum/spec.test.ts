import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../shared/curriculum/load-spec.ts';
import { readPreset } from '../../shared/curriculum/presets/index.ts';
import { stageSettings } from '../../shared/curriculum/spec.ts';
import { parseSpecText, type SpecIssue } from '../../shared/curriculum/spec-text.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-spec-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MINIMAL = `
name: tiny
models:
  small: { model: org/small }
levels:
  easy: { when: { model: small, op: gt, value: 0.5 } }
stages:
  - name: one
    levels: [easy]
    settings: { max_response_length: 1024 }
`;

function issuesOf(text: string): SpecIssue[] {
  const parsed = parseSpecText(text);
  if (parsed.ok) throw new Error('expected the spec to be rejected');
  return parsed.issues;
}

describe('curriculum spec', () => {
  it('ships the paper presets, which validate', async () => {
    const { spec } = await loadSpec('paper');
    expect(Object.keys(spec.models)).toEqual(['1.5b', '7b', '32b', 'r1']);
    expect(Object.keys(spec.levels)).toEqual(['L1', 'L2', 'L3']);
    expect(spec.stages.map((s) => s.levels)).toEqual([['L2'], ['L3']]);
    expect(stageSettings(spec, spec.stages[1] as (typeof spec.stages)[number])).toEqual({
      max_response_length: 24576,
      learning_rate: 1e-6,
      samples_per_prompt: 16,
      train_batch_size: 128,
      kl_coef: 0.001,
      temperature: 0.6,
      entropy_coef: 0,
      mask_truncated: true,
      total_steps: 860,
    });
    const mixed = await loadSpec('paper-mixed');
    expect(mixed.spec.stages[0]?.mix).toEqual({ math: 2.1, code: 1 });
    expect(mixed.spec.stages[0]?.sources).toEqual([
      { level: 'L1', ability: 'math' },
      { level: 'L3', ability: 'code' },
    ]);
  });

  it('reads the same spec written as JSON, with defaults filled in', () => {
    const parsed = parseSpecText(
      JSON.stringify({
        name: 'tiny',
        models: { small: { column: 'difficulty_small' } },
        levels: { easy: { when: { not: { model: 'small', op: 'eq', value: 0 } } } },
        stages: [
          {
            name: 'one',
            sources: [{ level: 'easy', ability: 'math' }],
            settings: { max_response_length: 8 },
          },
        ],
      }),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.spec.seed).toBe(0);
    expect(parsed.spec.data).toEqual({ id_field: 'extra_info.problem_id', ability_field: 'ability' });
    expect(parsed.spec.missing_pass_rate).toBe('drop');
  });

  it('names every mistake at once, with its field path and line', () => {
    const text = `name: broken
seed: 1.5
models:
  small: { model: org/small }
levels:
  easy:
    when: { model: smal, op: gt, value: 0.5 }
  hard:
    when:
      all:
        - { model: small, op: between, value: 0 }
        - { model: small, op: in_open, range: [0.9, 0.1] }
        - { sample: { math: 1.5 } }
        - { nonsense: true }
stages:
  - name: one
    levels: [easy, medium]
    settings: { max_response_length: 0 }
  - name: one
    levels: [hard]
`;
    const issues = issuesOf(text);
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath.seed?.message).toMatch(/integer/);
    expect(byPath.seed?.line).toBe(2);
    expect(byPath['levels.easy.when.model']).toMatchObject({
      line: 7,
      message: expect.stringMatching(/unknown model "smal"; models are "small"/),
    });
    expect(byPath['levels.hard.when.all[0].op']?.message).toMatch(/"eq"\|"ne"\|"gt"/);
    expect(byPath['levels.hard.when.all[1].range']?.message).toMatch(/lo <= hi/);
    expect(byPath['levels.hard.when.all[2].sample.math']?.message).toMatch(/<=1/);
    expect(byPath['levels.hard.when.all[3]']?.message).toMatch(/expected a condition/);
    expect(byPath['stages[0].levels[1]']).toMatchObject({
      line: 17,
      message: expect.stringMatching(/unknown level "medium"/),
    });
    expect(byPath['stages[0].settings.max_response_length']?.message).toMatch(/>=1/);
    expect(byPath['stages[1].name']?.message).toMatch(/duplicate stage name "one"/);
    expect(byPath['stages[1].settings.max_response_length']?.message).toMatch(
      /missing: set it here or in `defaults`/,
    );
  });

  it('rejects unknown keys, a stage with both or neither of levels and sources, and an empty mix', () => {
    const issues = issuesOf(`${MINIMAL.replace('stages:', 'levles: {}\nstages:')}
  - name: both
    levels: [easy]
    sources: [{ level: easy }]
    settings: { max_response_length: 1 }
  - name: neither
    mix: {}
    settings: { max_response_length: 1 }
`);
    const messages = issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^\(top level\): Unrecognized key: "levles"/));
    expect(messages).toContain('stages[1]: give either `levels` or `sources` (not both)');
    expect(messages).toContain('stages[2]: give either `levels` or `sources` (not both)');
    expect(messages).toContainEqual(expect.stringMatching(/^stages\[2\]\.mix: at least one ability weight/));
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = issuesOf('name: x\nmodels: [1\nlevels: {}\n');
    expect(issues[0]?.path).toBe('(syntax)');
    expect(issues[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('loads a spec file by path and says which file and line is wrong', async () => {
    const good = join(dir, 'good.yaml');
    await writeFile(good, MINIMAL);
    expect((await loadSpec(good)).spec.name).toBe('tiny');
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, MINIMAL.replace('op: gt', 'op: greater'));
    await expect(loadSpec(bad)).rejects.toThrow(`${bad}:6:37: levels.easy.when.op: Invalid option`);
    await expect(loadSpec(join(dir, 'nope.yaml'))).rejects.toThrow(
      /no such file, nor a preset \(presets: paper, paper-mixed\)/,
    );
  });

  it('keeps the preset text the paper describes: R1 filter, fails = p32 == 0, solved = p32 > 0', async () => {
    const { spec } = await loadSpec('paper');
    expect(spec.filter).toEqual({ model: 'r1', op: 'gt', value: 0 });
    expect(spec.levels.L3?.when).toEqual({
      any: [
        { model: '32b', op: 'eq', value: 0, tag: 'L3-fail' },
        {
          tag: 'L3-solved-kept',
          all: [{ model: '32b', op: 'gt', value: 0 }, { sample: { math: 0.5, code: 0.1 } }],
        },
      ],
    });
    const text = await readPreset('paper');
    expect(text).toMatch(/A problem is put in every level whose rule it meets/);
    expect(text).toMatch(/"fails" = p32 == 0/);
  });
});
