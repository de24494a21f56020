/**
 * Routes that speak each RL trainer's own wire format (shared/reward/trainers/), on the reward app.
 * Each maps the trainer's samples onto RewardItems, scores them with the app's scorer, and answers in
 * the trainer's shape.
 */
import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi';
import type { RewardScorer } from '../reward/score.ts';
import { scoreMapped, TrainerQuery } from '../reward/trainers/common.ts';
import {
  OpenRLHFRequest,
  OpenRLHFResponse,
  openRLHFItems,
  openRLHFResponse,
} from '../reward/trainers/openrlhf.ts';
import { SlimeRequest, SlimeResponse, slimeItems, slimeReward } from '../reward/trainers/slime.ts';
import {
  firstRowProblem,
  VerlRowsRequest,
  VerlRowsResponse,
  verlItems,
  verlScore,
} from '../reward/trainers/verl.ts';
import { bodyErrorResponses } from './error-responses.ts';

const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });
const errors = bodyErrorResponses({ sandboxes: true });

export const OPENRLHF_PATH = '/get_reward';
export const SLIME_PATH = '/v1/slime/reward';
export const VERL_ROWS_PATH = '/v1/verl/rows';

const openRLHFRoute = createRoute({
  method: 'post',
  path: OPENRLHF_PATH,
  tags: ['trainers'],
  summary:
    'OpenRLHF remote reward model (--remote_rm_url): {query, prompts, labels} → {rewards, scores, extra_logs}',
  description:
    'The response scored is each query minus its prompt (special tokens removed); the gold comes from labels. ' +
    'Without ?task=, a label that is tests (an object, a list of test cases, or their JSON) is scored as code. ' +
    'A sample that cannot be graded gets 0 and extra_logs.error = 1, never a failed request.',
  request: { query: TrainerQuery, body: { required: true, content: json(OpenRLHFRequest) } },
  responses: { 200: { description: 'One entry per sample', content: json(OpenRLHFResponse) }, ...errors },
});

const slimeRoute = createRoute({
  method: 'post',
  path: SLIME_PATH,
  tags: ['trainers'],
  summary:
    'slime remote reward (--rm-type remote_rm --reward-key reward): {prompt, response, label} → {reward, ...}',
  description:
    'One sample gets one object back; a list of samples gets a list, in order. Without ?task=, a label that is ' +
    'tests is scored as code. A sample that cannot be graded gets 0 with status "error" and the reason.',
  request: { query: TrainerQuery, body: { required: true, content: json(SlimeRequest) } },
  responses: { 200: { description: 'The reward(s)', content: json(SlimeResponse) }, ...errors },
});

const verlRowsRoute = createRoute({
  method: 'post',
  path: VERL_ROWS_PATH,
  tags: ['trainers'],
  summary: 'verl parquet rows with their responses → one verl score dict per response',
  description:
    'A row that cannot be scored (unknown data_source, missing reward_model.ground_truth) fails the request with ' +
    'its path. Columns other than those of VerlRow are ignored (datasets add their own).',
  request: { query: TrainerQuery, body: { required: true, content: json(VerlRowsRequest) } },
  responses: {
    200: { description: 'One score per response, row by row', content: json(VerlRowsResponse) },
    ...errors,
  },
});

/**
 * Registers the OpenRLHF, slime and verl-row routes on the app, whose middleware (body limit, strict UTF-8)
 * and validation hook they share.
 */
export function registerTrainerRoutes(app: OpenAPIHono, scorer: RewardScorer): void {
  app.openapi(openRLHFRoute, async (c) => {
    const query = c.req.valid('query');
    const results = await scoreMapped(scorer, openRLHFItems(c.req.valid('json'), query));
    return c.json(openRLHFResponse(results, query), 200);
  });

  app.openapi(slimeRoute, async (c) => {
    const query = c.req.valid('query');
    const body = c.req.valid('json');
    const rewards = (await scoreMapped(scorer, slimeItems(body, query))).map((r) => slimeReward(r, query));
    return c.json(Array.isArray(body) ? rewards : (rewards[0] as (typeof rewards)[number]), 200);
  });

  app.openapi(verlRowsRoute, async (c) => {
    const query = c.req.valid('query');
    const { mapped, rows } = verlItems(c.req.valid('json'), query);
    const problem = firstRowProblem(mapped, rows);
    if (problem !== undefined) return c.json({ error: problem }, 400);
    const results = await scoreMapped(scorer, mapped);
    return c.json({ results: results.map((r, k) => verlScore(r, rows[k] as number, query)) }, 200);
  });
}
