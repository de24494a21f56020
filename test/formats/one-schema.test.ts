import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as evalSchema from '../../shared/eval/generate/schema.ts';
import { ChatMessage } from '../../shared/formats/chat-message.ts';
import { VerlScoringRow } from '../../shared/formats/verl-row.ts';
import { ChatMessage as TrainerChatMessage } from '../../shared/reward/trainers/common.ts';
import { VerlRow as RewardApiVerlRow } from '../../shared/reward/trainers/verl.ts';

// Each pipeline record has one schema, in shared/formats: every module that reads or writes one imports
// it from there, and no module elsewhere declares the record's fields again.

const root = fileURLToPath(new URL('../..', import.meta.url));
const source = (file: string) => readFileSync(join(root, file), 'utf8');

/** The names a file imports from one module (`import { A, type B } from '.../formats/x.ts'`). */
function importsFrom(file: string, module: string): string[] {
  const names: string[] = [];
  for (const m of source(file).matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
    if (!(m[2] as string).endsWith(`/${module}`)) continue;
    for (const part of (m[1] as string).split(',')) {
      const name = part.trim().replace(/^type\s+/, '');
      if (name) names.push(name.split(/\s+as\s+/)[0] as string);
    }
  }
  return names;
}

/** Reader and writer modules, the formats module each uses, and what it takes from there. */
const USES: [file: string, module: string, names: string[]][] = [
  ['shared/curriculum/curate.ts', 'formats/verl-row.ts', ['parseVerlRow', 'toVerlParquetRow']],
  ['shared/curriculum/curate.ts', 'formats/stage-manifest.ts', ['StageManifest']],
  ['shared/curriculum/level-pass.ts', 'formats/verl-row.ts', ['parseVerlRow']],
  ['shared/curriculum/column-sampler.ts', 'formats/verl-row.ts', ['VerlRow', 'verlColumnsFor']],
  ['shared/curriculum/passrates-gold.ts', 'formats/verl-row.ts', ['VerlScoringRow']],
  ['shared/curriculum/passrates-gold.ts', 'formats/problem-id.ts', ['ProblemId']],
  ['shared/reward/trainers/verl.ts', 'formats/verl-row.ts', ['VerlScoringRow']],
  ['functions/cli/score-file.ts', 'formats/verl-row.ts', ['VerlScoringRow']],
  ['shared/curriculum/passrates.ts', 'formats/rollout-row.ts', ['ScoredRollout']],
  ['shared/curriculum/passrates.ts', 'formats/pass-rate-row.ts', ['PASS_RATE_COLUMNS', 'PassRateRow']],
  ['shared/curriculum/pass-rate-index.ts', 'formats/pass-rate-row.ts', ['PassRate', 'PassRateInput']],
  ['shared/curriculum/pass-rate-index.ts', 'formats/problem-id.ts', ['ProblemId']],
  ['shared/eval/generate/journal.ts', 'formats/rollout-row.ts', ['RolloutRow']],
  ['shared/eval/generate/sampler.ts', 'formats/rollout-row.ts', ['RolloutRow']],
  ['shared/eval/generate/rollouts.ts', 'formats/problem-id.ts', ['ProblemId']],
  ['shared/eval/generate/rollouts.ts', 'formats/verl-row.ts', ['VerlRow']],
  ['shared/eval/generate/schema.ts', 'formats/chat-message.ts', ['ChatMessage']],
  ['shared/eval/responses.ts', 'formats/rollout-row.ts', ['ResponseRow', 'RolloutRow']],
  ['shared/eval/run.ts', 'formats/rollout-row.ts', ['RolloutRow']],
  ['shared/jobs/contract.ts', 'formats/stage-manifest.ts', ['StageManifest']],
  ['shared/jobs/contract.ts', 'formats/run-contract.ts', ['CheckpointManifest', 'StageStatus', 'RunError']],
  ['shared/jobs/checkpoint.ts', 'formats/run-contract.ts', ['CheckpointManifest']],
];

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

describe('one schema per record', () => {
  it.each(USES)('%s takes its schema from shared/%s', (file, module, names) => {
    expect(importsFrom(file, module)).toEqual(expect.arrayContaining(names));
  });

  it('the reward API and the trainers use the same objects as curate and gradus score', () => {
    expect(TrainerChatMessage).toBe(ChatMessage);
    expect(RewardApiVerlRow.shape.reward_model).toBe(VerlScoringRow.shape.reward_model);
    expect(RewardApiVerlRow.shape.extra_info).toBe(VerlScoringRow.shape.extra_info);
    expect('RolloutRow' in evalSchema).toBe(false);
  });

  it("no module outside shared/formats declares a record's own fields in a zod schema", () => {
    // Fields only these records have: a zod field of that name elsewhere is a second schema.
    const fields = /\b(reward_model|finish_reason|pass_rate|role)\s*:\s*(z\.|[A-Z]\w*\.)/;
    // An evaluation's per-sample result (results.json) carries a finish_reason of its own.
    const other = new Set(['shared/eval/results.ts']);
    const found = [...tsFiles('shared'), ...tsFiles('functions')]
      .filter((f) => !f.startsWith('shared/formats/') && !other.has(f))
      .filter((f) => fields.test(source(f)));
    expect(found).toEqual([]);
  });

  it('rows are read only through shared/io (no Parquet or line reader elsewhere)', () => {
    const reader = /from '(hyparquet|node:readline)'/;
    const allowed = new Map([
      ['functions/cli/count-items.ts', 'counts rows for a progress total: the Parquet footer only'],
      ['shared/data-fetch/convert.ts', 'copies downloaded JSONL lines byte for byte'],
      ['shared/code/javascript/runtime/readline.ts', "the sandbox's own readline module"],
    ]);
    const found = [...tsFiles('shared'), ...tsFiles('functions')]
      .filter((f) => !f.startsWith('shared/io/') && !allowed.has(f))
      .filter((f) => reader.test(source(f)));
    expect(found).toEqual([]);
  });
});
