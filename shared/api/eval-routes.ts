import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { LoadError, PlanError } from '../eval/errors.ts';
import { EvalPlan } from '../eval/plan.ts';
import type { EvalService } from '../eval/service.ts';
import { EvalStatus } from '../eval/status.ts';
import { errorBody } from '../reward/errors.ts';
import { ErrorBody } from '../reward/schema.ts';
import { StorageError } from '../storage/types.ts';
import { bodyErrorResponses } from './error-responses.ts';

const errorJson = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBody } },
});

const startRoute = createRoute({
  method: 'post',
  path: '/v1/eval',
  summary: 'Start an evaluation (in this process, or as a job when large and a job runner is configured)',
  request: { body: { required: true, content: { 'application/json': { schema: EvalPlan } } } },
  responses: {
    202: {
      description: 'Started; poll GET /v1/eval/{id}',
      content: { 'application/json': { schema: EvalStatus } },
    },
    ...bodyErrorResponses({
      invalid:
        'INVALID_JSON, INVALID_ENCODING, or VALIDATION_ERROR: a bad plan, an unknown benchmark or preset, or an ' +
        'unreadable benchmark file',
    }),
  },
});

const statusRoute = createRoute({
  method: 'get',
  path: '/v1/eval/{id}',
  summary: "An evaluation's progress, and its metrics once done",
  request: { params: z.object({ id: z.string().openapi({ example: 'ev-mfk2x1-1a2b3c4d' }) }) },
  responses: {
    200: { description: 'The status', content: { 'application/json': { schema: EvalStatus } } },
    404: errorJson('NOT_FOUND: no evaluation has this id'),
    500: errorJson('INTERNAL_ERROR'),
  },
});

/** POST /v1/eval and GET /v1/eval/{id}, on the app built by createApp. */
export function registerEvalRoutes(app: OpenAPIHono, evals: EvalService): void {
  app.openapi(startRoute, async (c) => {
    try {
      return c.json(await evals.start(c.req.valid('json')), 202);
    } catch (err) {
      const callersUrl =
        err instanceof StorageError && (err.code === 'INVALID_URL' || err.code === 'INVALID_KEY');
      if (err instanceof PlanError || err instanceof LoadError || callersUrl) {
        return c.json(errorBody('VALIDATION_ERROR', (err as Error).message), 400);
      }
      throw err;
    }
  });

  app.openapi(statusRoute, async (c) => {
    const { id } = c.req.valid('param');
    const status = await evals.get(id);
    if (!status) return c.json(errorBody('NOT_FOUND', `no evaluation "${id}"`), 404);
    return c.json(status, 200);
  });
}
