/**
 * slime's remote reward (`--rm-type remote_rm --rm-url URL`): one `{prompt, response, label}` POST per
 * sample, the JSON answer used as the reward (`--reward-key reward` picks our field). A list of samples
 * (for a batched `--custom-rm-path` hook) gets a list back, in order. Bad samples score 0, like OpenRLHF's.
 */
import { z } from '@hono/zod-openapi';
import { MAX_ITEMS, type RewardResult } from '../schema.ts';
import { strictObject } from '../wire.ts';
import { ChatMessage, type Mapped, mapItem, scaledReward, type TrainerQuery } from './common.ts';
import { stripSpecialTokens } from './response-text.ts';

/** Strict: slime's remote_rm posts exactly these keys, so another key is a mistake. */
export const SlimeSample = strictObject(
  {
    prompt: z
      .union([z.string(), z.array(ChatMessage)])
      .nullable()
      .optional()
      .openapi({
        description:
          'sample.prompt: text, or messages when no chat template was applied. Not used for scoring.',
      }),
    response: z.string().openapi({ description: 'sample.response: the generated text.' }),
    label: z.unknown().optional().openapi({
      description:
        'sample.label: the gold answer (math) or the tests (code: object, list of test cases, or JSON string).',
    }),
  },
  'slime sends',
).openapi('SlimeSample', {
  example: { prompt: 'What is 6*7?', response: 'So the answer is \\boxed{42}.', label: '42' },
});
export type SlimeSample = z.infer<typeof SlimeSample>;

export const SlimeRequest = z
  .union([SlimeSample, z.array(SlimeSample).min(1).max(MAX_ITEMS)])
  .openapi('SlimeRequest');
export type SlimeRequest = z.infer<typeof SlimeRequest>;

export const SlimeReward = z
  .object({
    reward: z.number().openapi({ description: 'The reward (min_reward..1): use --reward-key reward.' }),
    score: z.number().openapi({ description: 'Raw score, 0..1.' }),
    acc: z.boolean(),
    status: z.string().openapi({ description: 'RewardResult.status' }),
    extracted: z.string().nullable(),
    reason: z.string().optional(),
  })
  .openapi('SlimeReward');
export type SlimeReward = z.infer<typeof SlimeReward>;

export const SlimeResponse = z.union([SlimeReward, z.array(SlimeReward)]).openapi('SlimeResponse');

export function slimeItems(body: SlimeRequest, query: TrainerQuery): Mapped[] {
  const samples = Array.isArray(body) ? body : [body];
  return samples.map((sample, i) =>
    mapItem(
      {
        response: stripSpecialTokens(sample.response),
        label: sample.label,
        labelPath: Array.isArray(body) ? `${i}.label` : 'label',
      },
      query,
    ),
  );
}

export function slimeReward(result: RewardResult, query: TrainerQuery): SlimeReward {
  return {
    reward: scaledReward(result.score, query),
    score: result.score,
    acc: result.correct,
    status: result.status,
    extracted: result.extracted,
    ...(result.reason === undefined ? {} : { reason: result.reason }),
  };
}
