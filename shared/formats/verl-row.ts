import { z } from 'zod';
import { type ColumnSpec, type ColumnType, inferColumns } from '../io/columns.ts';
import { parseRow } from '../io/parse-row.ts';
import type { RecordPlace } from '../io/row-error.ts';
import { ChatMessage } from './chat-message.ts';

/**
 * A dataset row in verl's schema. `ground_truth` is a math answer (text, number or a list of accepted
 * answers) or a code problem's tests (an object, or JSON text as verl's code datasets store them).
 */
export const VerlRow = z.looseObject({
  data_source: z.string().min(1),
  prompt: z.array(ChatMessage).min(1),
  ability: z.string().min(1),
  reward_model: z.looseObject({
    style: z.string().min(1),
    ground_truth: z.union([z.string(), z.number(), z.array(z.string()), z.record(z.string(), z.unknown())]),
  }),
  extra_info: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type VerlRow = z.infer<typeof VerlRow>;

/**
 * A verl row as scoring reads it (the pass-rate gold, the reward API's `/v1/verl/rows`): rows of datasets
 * gradus did not write, of which only `reward_model.ground_truth` is needed (its shape is checked by the
 * scorer, which names what is wrong with it); the other fields are checked as VerlRow checks them where
 * present, except the prompt, which scoring never reads: plain text, or messages of any shape (a
 * multimodal dataset's content is a list of parts, and its rows must still be scored).
 */
export const VerlScoringRow = z.looseObject({
  data_source: VerlRow.shape.data_source.optional(),
  prompt: z.union([z.string(), z.array(z.record(z.string(), z.unknown()))]).optional(),
  ability: VerlRow.shape.ability.optional(),
  reward_model: z.looseObject({ style: z.string().nullish(), ground_truth: z.unknown() }),
  extra_info: VerlRow.shape.extra_info,
});
export type VerlScoringRow = z.infer<typeof VerlScoringRow>;

/** Validates one record; the error names the file, row and the first wrong field ("reward_model.ground_truth"). */
export function parseVerlRow(value: unknown, place: RecordPlace): VerlRow {
  return parseRow(VerlRow, value, place);
}

/**
 * How a verl row is stored in Parquet: `prompt` a list of `{role, content}` structs, `reward_model` a
 * `{style, ground_truth}` struct, `extra_info` a struct of the fields the caller names (or the first rows
 * have). Parquet columns have one type, so `ground_truth` is always text: a number is written as its digits,
 * a list or an object as JSON text (how verl's own code datasets keep their tests).
 */
export function verlColumns(
  extraInfo: Record<string, ColumnType> = {},
  others: ColumnSpec[] = [],
): ColumnSpec[] {
  const columns: ColumnSpec[] = [
    { name: 'data_source', type: 'string' },
    { name: 'prompt', type: { list: { struct: { role: 'string', content: 'string' } } } },
    { name: 'ability', type: 'string' },
    { name: 'reward_model', type: { struct: { style: 'string', ground_truth: 'string' } } },
  ];
  // verl's RLHFDataset calls row["extra_info"].get(...): a missing column reads as {}, a null one fails.
  // So a row without extra_info gets a struct of nulls, and with no fields at all there is no column
  // (Parquet has no empty groups).
  if (Object.keys(extraInfo).length > 0) {
    columns.push({ name: 'extra_info', type: { struct: extraInfo }, missingAs: {} });
  }
  return [...columns, ...others];
}

/** The Parquet columns for these sample rows: verl's fixed ones, `extra_info` and any other keys inferred. */
export function verlColumnsFor(samples: readonly VerlRow[]): ColumnSpec[] {
  const extra = inferColumns(samples.map((row) => row.extra_info ?? {}));
  const fixed = new Set(['data_source', 'prompt', 'ability', 'reward_model', 'extra_info']);
  const others = inferColumns(samples).filter((c) => !fixed.has(c.name));
  return verlColumns(Object.fromEntries(extra.map((c) => [c.name, c.type])), others);
}

/**
 * The row as `verlColumns` stores it (prompt messages reduced to role and content, gold as text); an
 * absent, null or empty `extra_info` is left out, as `verlColumns` may have no column for it.
 */
export function toVerlParquetRow(row: VerlRow): Record<string, unknown> {
  const { extra_info, ...rest } = row;
  const gold = row.reward_model.ground_truth;
  return {
    ...rest,
    prompt: row.prompt.map(({ role, content }) => ({ role, content })),
    reward_model: {
      style: row.reward_model.style,
      ground_truth: typeof gold === 'string' ? gold : JSON.stringify(gold),
    },
    ...(extra_info && Object.keys(extra_info).length > 0 ? { extra_info } : {}),
  };
}
