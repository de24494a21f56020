/**
 * OpenRLHF's remote reward model (`--remote_rm_url`): `{query, prompts, labels}` in, one list entry per
 * sample (batched in older releases, one sample per request in current ones), `{rewards, scores,
 * extra_logs}` out. A bad sample is scored 0 and flagged in extra_logs, never a non-2xx: OpenRLHF retries
 * those and then fails the rollout.
 */
import { z } from '@hono/zod-openapi';
import { MAX_ITEMS, type RewardResult } from '../schema.ts';
import { strictObject } from '../wire.ts';
import { type Mapped, mapItem, scaledReward, type TrainerQuery } from './common.ts';
import { responseFromQuery } from './response-text.ts';

const Texts = z.union([z.string(), z.array(z.string()).min(1).max(MAX_ITEMS)]);

/** Strict: OpenRLHF sends exactly these keys (older releases without labels), so another key is a mistake. */
export const OpenRLHFRequest = strictObject(
  {
    query: Texts.openapi({ description: 'Decoded prompt + response per sample, special tokens kept.' }),
    prompts: Texts.optional().openapi({
      description:
        'The prompt of each sample; it is cut from the front of its query. Older OpenRLHF omits it.',
    }),
    labels: z
      .unknown()
      .optional()
      .openapi({
        description:
          'The gold of each sample (the --label_key column): a list aligned with query, or one value when ' +
          'query is a string. Math: the answer; code: the tests (object, list of test cases, or JSON string).',
      }),
  },
  'OpenRLHF sends',
)
  .superRefine((body, ctx) => {
    const n = Array.isArray(body.query) ? body.query.length : 1;
    const sameShape = (key: 'prompts' | 'labels') => {
      const value = body[key];
      if (value === undefined) return;
      if (
        Array.isArray(body.query) !== Array.isArray(value) ||
        (Array.isArray(value) && value.length !== n)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: Array.isArray(body.query)
            ? `must be a list of ${n} (one per query), like query`
            : 'must be a single value when query is a string',
        });
      }
    };
    sameShape('prompts');
    sameShape('labels');
  })
  .openapi('OpenRLHFRequest', {
    example: {
      query: [
        '<|im_start|>user\nWhat is 6*7?<|im_end|>\n<|im_start|>assistant\nThe answer is \\boxed{42}<|im_end|>',
      ],
      prompts: ['<|im_start|>user\nWhat is 6*7?<|im_end|>\n<|im_start|>assistant\n'],
      labels: ['42'],
    },
  });
export type OpenRLHFRequest = z.infer<typeof OpenRLHFRequest>;

const PerSample = (description: string) => z.array(z.number()).openapi({ description });

export const OpenRLHFResponse = z
  .object({
    rewards: PerSample('Reward per sample, for the advantages (min_reward..1).'),
    scores: PerSample(
      'Raw score per sample (0..1: correctness, or pass rate for code), for dynamic filtering.',
    ),
    extra_logs: z
      .object({
        acc: PerSample('1 when correct.'),
        answered: PerSample(
          '1 when the response was graded (status ok), 0 for no answer, timeouts and errors.',
        ),
        error: PerSample(
          '1 when the sample could not be graded (bad label, unreadable tests, unknown task, no sandboxes): ' +
            'never a silent 0. Send the sample to /v1/reward for the reason.',
        ),
      })
      .openapi({ description: 'Logged by OpenRLHF, one number per sample.' }),
  })
  .openapi('OpenRLHFResponse');
export type OpenRLHFResponse = z.infer<typeof OpenRLHFResponse>;

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** One mapped item per query, its response being the query minus its prompt. */
export function openRLHFItems(body: OpenRLHFRequest, query: TrainerQuery): Mapped[] {
  const queries = asList(body.query);
  const prompts = body.prompts === undefined ? [] : asList(body.prompts);
  const labels: unknown[] = Array.isArray(body.query)
    ? ((body.labels as unknown[] | undefined) ?? [])
    : [body.labels];
  return queries.map((text, i) =>
    mapItem(
      {
        response: responseFromQuery(text, prompts[i]),
        label: labels[i],
        labelPath: Array.isArray(body.query) ? `labels.${i}` : 'labels',
      },
      query,
    ),
  );
}

export function openRLHFResponse(results: RewardResult[], query: TrainerQuery): OpenRLHFResponse {
  const flag = (pick: (r: RewardResult) => boolean) => results.map((r) => (pick(r) ? 1 : 0));
  return {
    rewards: results.map((r) => scaledReward(r.score, query)),
    scores: results.map((r) => r.score),
    extra_logs: {
      acc: flag((r) => r.correct),
      answered: flag((r) => r.status === 'ok'),
      error: flag((r) => r.status === 'error'),
    },
  };
}
