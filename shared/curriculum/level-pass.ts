import { parseVerlRow } from '../formats/verl-row.ts';
import type { ColumnSpec } from '../io/columns.ts';
import { fieldAt } from '../io/field-at.ts';
import type { RowsLocation } from '../io/location.ts';
import { RowError } from '../io/row-error.ts';
import { readRows } from '../io/rows.ts';
import type { OpenStorageOptions } from '../storage/index.ts';
import { ColumnSampler } from './column-sampler.ts';
import { levelAssigner } from './levels.ts';
import type { PassRateIndex } from './pass-rate-index.ts';
import type { CurriculumSpec } from './spec.ts';
import type { LeveledProblem } from './stages.ts';
import { type SummaryBuilder, summaryBuilder } from './summary.ts';

/** One row of `levels.parquet`: where a problem landed and why. */
export interface LevelRecord {
  problem_id: string;
  ability: string;
  /** leveled | no_level | filtered | missing_pass_rates */
  status: string;
  levels: string[];
  /** Tags of the rule branches it came through (e.g. L2a, L3-fail). */
  tags: string[];
  pass_rates: { model: string; pass_rate: number }[];
}

export const LEVEL_COLUMNS: ColumnSpec[] = [
  { name: 'problem_id', type: 'string' },
  { name: 'ability', type: 'string' },
  { name: 'status', type: 'string' },
  { name: 'levels', type: { list: 'string' } },
  { name: 'tags', type: { list: 'string' } },
  { name: 'pass_rates', type: { list: { struct: { model: 'string', pass_rate: 'double' } } } },
];

/** What the first pass over the dataset learns, filled in as its records are consumed. */
export interface LevelPassState {
  file: string;
  rows: number;
  leveled: LeveledProblem[];
  ids: Set<string>;
  summary: SummaryBuilder;
  sampler: ColumnSampler;
}

export interface LevelPassInput {
  spec: CurriculumSpec;
  data: RowsLocation;
  storageOptions?: OpenStorageOptions;
  index: PassRateIndex;
  passRatesFile: string;
  progress: { update(done: number, fraction?: number): void; finish(done: number): void };
}

function problemId(value: unknown, field: string, file: string, row: number): string {
  const id = fieldAt(value, field);
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id === 'bigint') return String(id);
  const got = id === undefined ? 'nothing' : JSON.stringify(id);
  throw new RowError(`expected the problem id (a non-empty string or a number), got ${got}`, {
    file,
    row,
    field,
  });
}

function abilityOf(value: unknown, field: string, file: string, row: number): string {
  const ability = fieldAt(value, field);
  if (typeof ability === 'string' && ability !== '') return ability;
  const got = ability === undefined ? 'nothing' : JSON.stringify(ability);
  throw new RowError(`expected the ability (e.g. "math" or "code"), got ${got}`, { file, row, field });
}

/**
 * The first pass: validates every dataset row, assigns its levels and yields one LevelRecord per row
 * (so they stream into levels.parquet); `state` holds what the stages need once the pass is done.
 */
export function levelPass(input: LevelPassInput): {
  state: LevelPassState;
  records: AsyncGenerator<LevelRecord>;
} {
  const { spec, index } = input;
  const reader = readRows(input.data, input.storageOptions);
  const state: LevelPassState = {
    file: reader.file,
    rows: 0,
    leveled: [],
    ids: new Set(),
    summary: summaryBuilder(Object.keys(spec.models), Object.keys(spec.levels)),
    sampler: new ColumnSampler(),
  };
  const assigner = levelAssigner(spec);
  const firstRow = new Map<string, number>();
  const noRates = new Map<string, number>();

  async function* records(): AsyncGenerator<LevelRecord> {
    const file = reader.file;
    for await (const { value, row } of reader.records) {
      state.sampler.add(parseVerlRow(value, { file, row }));
      const id = problemId(value, spec.data.id_field, file, row);
      const ability = abilityOf(value, spec.data.ability_field, file, row);
      const seen = firstRow.get(id);
      if (seen !== undefined) {
        throw new RowError(`duplicate problem id ${JSON.stringify(id)} (first at row ${seen})`, {
          file,
          row,
          field: spec.data.id_field,
        });
      }
      firstRow.set(id, row);
      state.ids.add(id);
      const passRates = index.rates.get(id) ?? noRates;
      const assignment = assigner.assign({ id, ability, passRates });
      if (assignment.kind === 'missing' && spec.missing_pass_rate === 'error') {
        const models = assignment.models.map((m) => `"${m}"`).join(', ');
        throw new RowError(
          `problem ${JSON.stringify(id)} has no pass rate for ${models} in ${input.passRatesFile}`,
          {
            file,
            row,
            field: spec.data.id_field,
          },
        );
      }
      state.summary.add(ability, passRates, assignment);
      const levels = assignment.kind === 'levels' ? assignment.levels : [];
      if (levels.length > 0) state.leveled.push({ row: state.rows, id, ability, levels });
      state.rows++;
      input.progress.update(state.rows, reader.fraction());
      yield {
        problem_id: id,
        ability,
        status:
          assignment.kind === 'missing'
            ? 'missing_pass_rates'
            : assignment.kind === 'filtered'
              ? 'filtered'
              : levels.length > 0
                ? 'leveled'
                : 'no_level',
        levels,
        tags: assignment.kind === 'levels' ? assignment.tags : [],
        pass_rates: [...passRates].map(([model, pass_rate]) => ({ model, pass_rate })),
      };
    }
    input.progress.finish(state.rows);
  }
  return { state, records: records() };
}
