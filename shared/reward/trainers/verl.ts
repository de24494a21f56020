/**
 * verl rows: the parquet schema verl trains from (`data_source`, `prompt`, `ability`,
 * `reward_model.ground_truth`, `extra_info`), each with the response(s) generated for it. The answer is one
 * verl-style score dict per response (`score` always present, as verl's reward managers require), row by row.
 */
import { z } from '@hono/zod-openapi';
import { VerlScoringRow } from '../../formats/verl-row.ts';
import { rewardError } from '../errors.ts';
import { MAX_ITEMS, type RewardError, type RewardResult } from '../schema.ts';
import { strictObject } from '../wire.ts';
import { type Mapped, mapItem, scaledReward, type TrainerQuery } from './common.ts';

/**
 * A verl row as scoring reads it (shared/formats/verl-row.ts) with its response(s); `data_source` is
 * required here. Loose: a verl parquet row carries whatever columns its dataset added (question, level,
 * ...); they are ignored. The request around the rows is ours, so it is strict.
 */
export const VerlRow = VerlScoringRow.extend({
  data_source: VerlScoringRow.shape.data_source.unwrap().openapi({ example: 'HuggingFaceH4/MATH-500' }),
  prompt: VerlScoringRow.shape.prompt.openapi({ description: 'Not used for scoring.' }),
  response: z.string().optional().openapi({ description: 'One response for this row (or use responses).' }),
  responses: z
    .array(z.string())
    .min(1)
    .optional()
    .openapi({ description: 'Several responses for this row, e.g. a GRPO group.' }),
})
  .superRefine((row, ctx) => {
    if ((row.response === undefined) === (row.responses === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['response'],
        message: 'give exactly one of response or responses',
      });
    }
  })
  .openapi('VerlRow', { description: 'A verl parquet row with its response(s); other columns are ignored.' });
export type VerlRow = z.infer<typeof VerlRow>;

export const VerlRowsRequest = strictObject(
  { rows: z.array(VerlRow).min(1).max(MAX_ITEMS) },
  'a request has only',
)
  .superRefine((body, ctx) => {
    const n = body.rows.reduce((sum, row) => sum + (row.responses?.length ?? 1), 0);
    if (n > MAX_ITEMS) {
      ctx.addIssue({
        code: 'custom',
        path: ['rows'],
        message: `${n} responses; a request may carry at most ${MAX_ITEMS}`,
      });
    }
  })
  .openapi('VerlRowsRequest', {
    example: {
      rows: [
        {
          data_source: 'HuggingFaceH4/MATH-500',
          prompt: [{ role: 'user', content: 'What is 6*7?' }],
          ability: 'math',
          reward_model: { style: 'rule', ground_truth: '42' },
          extra_info: { index: 0, split: 'test' },
          responses: ['\\boxed{42}', 'I think 41.'],
        },
      ],
    },
  });
export type VerlRowsRequest = z.infer<typeof VerlRowsRequest>;

export const VerlScore = z
  .object({
    row: z.number().int().openapi({ description: 'Index of the row this response belongs to.' }),
    score: z.number().openapi({ description: 'The reward (min_reward..1).' }),
    acc: z.boolean(),
    pred: z.string().openapi({ description: 'The extracted answer ("" when none).' }),
    status: z.string().openapi({ description: 'RewardResult.status' }),
    reason: z.string().openapi({ description: 'Why it was not graded ("" when it was).' }),
  })
  .openapi('VerlScore');
export type VerlScore = z.infer<typeof VerlScore>;

export const VerlRowsResponse = z
  .object({ results: z.array(VerlScore).openapi({ description: 'One per response, row by row.' }) })
  .openapi('VerlRowsResponse');
export type VerlRowsResponse = z.infer<typeof VerlRowsResponse>;

/** One mapped item per response, with the row index each came from. */
export function verlItems(body: VerlRowsRequest, query: TrainerQuery): { mapped: Mapped[]; rows: number[] } {
  const mapped: Mapped[] = [];
  const rows: number[] = [];
  body.rows.forEach((row, i) => {
    for (const response of row.responses ?? [row.response ?? '']) {
      mapped.push(
        mapItem(
          {
            response,
            label: row.reward_model.ground_truth,
            labelPath: `rows.${i}.reward_model.ground_truth`,
            data_source: row.data_source,
            extra_info: row.extra_info ?? undefined,
          },
          query,
        ),
      );
      rows.push(i);
    }
  });
  return { mapped, rows };
}

/**
 * verl rows are checked strictly: a row that cannot be scored (unknown data_source, missing gold) is a
 * mistake in the dataset, so the request fails with its path rather than training on a silent zero.
 */
export function firstRowProblem(mapped: Mapped[], rows: number[]): RewardError | undefined {
  for (const [k, m] of mapped.entries()) {
    if (!('problem' in m)) continue;
    const { code, message, path } = m.problem;
    const rowPath = path?.startsWith('rows.') ? path : `rows.${rows[k]}${path ? `.${path}` : ''}`;
    return rewardError(code, `${rowPath}: ${message}`, rowPath);
  }
  return undefined;
}

export function verlScore(result: RewardResult, row: number, query: TrainerQuery): VerlScore {
  return {
    row,
    score: scaledReward(result.score, query),
    acc: result.correct,
    pred: result.extracted ?? '',
    status: result.status,
    reason: result.reason ?? '',
  };
}
