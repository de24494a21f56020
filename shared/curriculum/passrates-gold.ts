import { ProblemId } from '../formats/problem-id.ts';
import { VerlScoringRow } from '../formats/verl-row.ts';
import { fieldAt } from '../io/field-at.ts';
import type { RowsLocation } from '../io/location.ts';
import { parseRow } from '../io/parse-row.ts';
import { RowError } from '../io/row-error.ts';
import { type ReadRowsOptions, readRows } from '../io/rows.ts';
import { isTaskName } from '../reward/registry.ts';
import type { RewardItem } from '../reward/schema.ts';
import { goldOf } from '../reward/trainers/common.ts';

/** What scoring a problem's rollouts needs from its dataset row. */
export interface Gold {
  ground_truth: RewardItem['ground_truth'];
  data_source?: string;
  /** The reward task, when the row's `ability` names one ("math", "code"); otherwise routed by data_source. */
  task?: string;
}

export const DEFAULT_ID_FIELD = 'extra_info.problem_id';

/**
 * Reads the dataset once and keeps, per problem id, only its gold answer, data source and task.
 * `idField` is the dotted path of the problem id in a row (default `extra_info.problem_id`).
 */
export async function loadGolds(
  dataset: RowsLocation,
  options: ReadRowsOptions & { idField?: string } = {},
): Promise<Map<string, Gold>> {
  const idField = options.idField ?? DEFAULT_ID_FIELD;
  const reader = readRows(dataset, options);
  const golds = new Map<string, Gold>();
  const firstRow = new Map<string, number>();
  for await (const { value, row } of reader.records) {
    const place = { file: reader.file, row };
    const id = ProblemId.safeParse(fieldAt(value, idField));
    if (!id.success) {
      const what = fieldAt(value, idField) === undefined ? 'missing' : 'not a string or an integer';
      throw new RowError(`the problem id is ${what} (set the id field to where rows keep it)`, {
        ...place,
        field: idField,
      });
    }
    if (golds.has(id.data)) {
      throw new RowError(
        `problem id ${JSON.stringify(id.data)} also appears at row ${firstRow.get(id.data)}`,
        {
          ...place,
          field: idField,
        },
      );
    }
    const parsed = parseRow(VerlScoringRow, value, place);
    const gold = goldOf(parsed.reward_model.ground_truth, 'reward_model.ground_truth');
    if ('problem' in gold)
      throw new RowError(gold.problem.message, { ...place, field: 'reward_model.ground_truth' });
    const { data_source, ability } = parsed;
    golds.set(id.data, {
      ground_truth: gold.gold,
      ...(data_source === undefined ? {} : { data_source }),
      ...(ability !== undefined && isTaskName(ability) ? { task: ability } : {}),
    });
    firstRow.set(id.data, row);
  }
  return golds;
}
