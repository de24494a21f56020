import { z } from 'zod';
import { isTaskName } from '../reward/registry.ts';
import type { RewardItem } from '../reward/schema.ts';
import { goldOf } from '../reward/trainers/common.ts';
import { DatasetError } from './dataset/errors.ts';
import type { DatasetLocation } from './dataset/location.ts';
import { type ReadOptions, readRecords } from './dataset/read.ts';

/** What scoring a problem's rollouts needs from its dataset row. */
export interface Gold {
  ground_truth: RewardItem['ground_truth'];
  data_source?: string;
  /** The reward task, when the row's `ability` names one ("math", "code"); otherwise routed by data_source. */
  task?: string;
}

/** The fields of a verl dataset row that scoring reads; other fields are not checked here. */
const GoldRow = z.looseObject({
  data_source: z.string().min(1).optional(),
  ability: z.string().min(1).optional(),
  reward_model: z.looseObject({ ground_truth: z.unknown() }),
});

export const DEFAULT_ID_FIELD = 'extra_info.problem_id';

/** A problem id as the pass-rate table spells it: strings as they are, integers as their digits. */
export const ProblemId = z.union([z.string().min(1), z.number().int()]).transform(String);

/**
 * Reads the dataset once and keeps, per problem id, only its gold answer, data source and task.
 * `idField` is the dotted path of the problem id in a row (default `extra_info.problem_id`).
 */
export async function loadGolds(
  dataset: DatasetLocation,
  options: ReadOptions & { idField?: string } = {},
): Promise<Map<string, Gold>> {
  const idField = options.idField ?? DEFAULT_ID_FIELD;
  const path = idField.split('.');
  const reader = readRecords(dataset, options);
  const golds = new Map<string, Gold>();
  const firstRow = new Map<string, number>();
  for await (const { value, row } of reader.records) {
    const place = { file: reader.file, row };
    const id = ProblemId.safeParse(valueAt(value, path));
    if (!id.success) {
      const what = valueAt(value, path) === undefined ? 'missing' : 'not a string or an integer';
      throw new DatasetError(`the problem id is ${what} (set the id field to where rows keep it)`, {
        ...place,
        field: idField,
      });
    }
    if (golds.has(id.data)) {
      throw new DatasetError(
        `problem id ${JSON.stringify(id.data)} also appears at row ${firstRow.get(id.data)}`,
        {
          ...place,
          field: idField,
        },
      );
    }
    const parsed = GoldRow.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DatasetError(issue?.message ?? 'not a dataset row', {
        ...place,
        field: issue?.path.map(String).join('.') || undefined,
      });
    }
    const gold = goldOf(parsed.data.reward_model.ground_truth, 'reward_model.ground_truth');
    if ('problem' in gold)
      throw new DatasetError(gold.problem.message, { ...place, field: 'reward_model.ground_truth' });
    const { data_source, ability } = parsed.data;
    golds.set(id.data, {
      ground_truth: gold.gold,
      ...(data_source === undefined ? {} : { data_source }),
      ...(ability !== undefined && isTaskName(ability) ? { task: ability } : {}),
    });
    firstRow.set(id.data, row);
  }
  return golds;
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
