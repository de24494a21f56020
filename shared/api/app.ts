import { createRoute, type Hook, OpenAPIHono, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import pkg from '../../package.json' with { type: 'json' };
import { runInputs } from '../code/run-inputs.ts';
import type { SandboxRunner } from '../code/runner.ts';
import { QueueFullError } from '../code/sandbox-pool.ts';
import type { EvalService } from '../eval/service.ts';
import { errorBody, validationError } from '../reward/errors.ts';
import {
  CodeOptionsInput,
  CodeRunRequest,
  CodeRunResponse,
  type ErrorCode,
  MathVerifyRequest,
  RewardRequest,
  RewardResponse,
  RewardResult,
} from '../reward/schema.ts';
import { type RewardScorer, UnavailableError } from '../reward/score.ts';
import { registerDocs } from './docs.ts';
import { bodyErrorResponses } from './error-responses.ts';
import { registerEvalRoutes } from './eval-routes.ts';
import { requestBody } from './json-body.ts';
import { OPENRLHF_PATH, registerTrainerRoutes } from './trainer-routes.ts';

export const DEFAULT_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

export interface AppOptions {
  /** Scores the items (compose.ts: createScorer); its `runner`, if any, serves POST /v1/code/run. */
  scorer: RewardScorer & { runner?: SandboxRunner; unavailable?: string };
  /** Runs programs for POST /v1/code/run instead of the scorer's; with neither the route answers 501. */
  runner?: SandboxRunner;
  /** Largest accepted request body (default 32 MiB). */
  bodyLimitBytes?: number;
  /** Reported by /healthz and /openapi.json (default: package.json's). */
  version?: string;
  /** Serves POST /v1/eval and GET /v1/eval/{id}; without one those routes are absent. */
  evals?: EvalService;
}

const STATUS_OF: Record<ErrorCode, ContentfulStatusCode> = {
  INVALID_JSON: 400,
  INVALID_ENCODING: 400,
  VALIDATION_ERROR: 400,
  UNKNOWN_TASK: 400,
  TOO_MANY_ITEMS: 413,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  BUSY: 429,
  UNAVAILABLE: 501,
  INTERNAL_ERROR: 500,
};

/** Hono raises these itself (the JSON body parser, the media-type gate), with its own error bodies. */
const CODE_OF_HTTP_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'INVALID_JSON',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  501: 'UNAVAILABLE',
};

const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const rewardRoute = createRoute({
  method: 'post',
  path: '/v1/reward',
  summary: 'Score a batch of items; results come back in input order',
  request: { body: jsonBody(RewardRequest) },
  responses: {
    200: { description: 'One result per item', content: { 'application/json': { schema: RewardResponse } } },
    ...bodyErrorResponses({
      invalid: 'INVALID_JSON, INVALID_ENCODING, VALIDATION_ERROR or UNKNOWN_TASK (with the path)',
      sandboxes: true,
    }),
  },
});

const mathVerifyRoute = createRoute({
  method: 'post',
  path: '/v1/math/verify',
  summary: 'Check one response against a math gold answer',
  request: { body: jsonBody(MathVerifyRequest) },
  responses: {
    200: { description: 'The verdict', content: { 'application/json': { schema: RewardResult } } },
    ...bodyErrorResponses(),
  },
});

const codeRunRoute = createRoute({
  method: 'post',
  path: '/v1/code/run',
  summary: 'Run one program on each given stdin in the sandbox, without judging (for debugging)',
  request: { body: jsonBody(CodeRunRequest) },
  responses: {
    200: { description: 'One run per input', content: { 'application/json': { schema: CodeRunResponse } } },
    ...bodyErrorResponses({ sandboxes: true }),
  },
});

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness',
  responses: {
    200: {
      description: 'The service is up',
      content: { 'application/json': { schema: z.object({ ok: z.literal(true), version: z.string() }) } },
    },
  },
});

/** Every route's validation failures: the first problem, with its path and what was expected. */
const validationHook: Hook<unknown, object, string, Response | undefined> = (result, c) => {
  if (result.success) return undefined;
  // The validator passes the value it parsed as `data`, failed or not: it tells a missing field from a bad one.
  const error = validationError(result.error, (result as { data?: unknown }).data);
  return c.json({ error }, STATUS_OF[error.code]);
};

/** The reward API. Adapters (node.ts, lambda.ts) only turn their platform's input into calls of this app. */
export function createApp(options: AppOptions): OpenAPIHono {
  const { scorer } = options;
  const version = options.version ?? pkg.version;
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const fail = (code: ErrorCode, message: string, path?: string, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(errorBody(code, message, path)), {
      status: STATUS_OF[code],
      headers: { 'content-type': 'application/json', ...headers },
    });
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;

  // Every route with a body, in one place: the size limit, then strict UTF-8.
  const tooLarge = () =>
    // The rest of the body is left unread, so the connection cannot carry another request.
    fail('BODY_TOO_LARGE', `the body is over the limit of ${bodyLimitBytes} bytes`, undefined, {
      connection: 'close',
    });
  for (const path of ['/v1/*', OPENRLHF_PATH]) app.use(path, requestBody(bodyLimitBytes, tooLarge));

  // Items are checked whole by their schema (fields, task, gold kind, options), so they are ready to score.
  app.openapi(rewardRoute, async (c) =>
    c.json({ results: await scorer.score(c.req.valid('json').items) }, 200),
  );

  app.openapi(mathVerifyRoute, async (c) => {
    const [result] = await scorer.score([{ task: 'math', ...c.req.valid('json') }]);
    if (result === undefined) throw new Error('the scorer returned no result');
    return c.json(result, 200);
  });

  app.openapi(codeRunRoute, async (c) => {
    const runner = options.runner ?? scorer.runner;
    if (!runner)
      throw new UnavailableError(
        `/v1/code/run: ${scorer.unavailable ?? 'this runtime has no code sandboxes'}`,
      );
    const outcome = await runInputs(runner.run, c.req.valid('json'));
    if ('error' in outcome) return c.json(errorBody('VALIDATION_ERROR', outcome.error, 'inputs'), 400);
    return c.json(outcome, 200);
  });

  if (options.evals) registerEvalRoutes(app, options.evals);

  app.openapi(healthRoute, (c) => c.json({ ok: true as const, version }, 200));
  registerTrainerRoutes(app, scorer);
  registerDocs(app, { title: 'gradus reward API', version });

  // RewardItem.options refers to CodeOptions by name: no route's schema holds it whole.
  app.openAPIRegistry.register('CodeOptions', CodeOptionsInput);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'gradus reward API', version },
  });

  app.notFound((c) => fail('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`));

  app.onError((err) => {
    if (err instanceof UnavailableError) return fail('UNAVAILABLE', err.message);
    if (err instanceof QueueFullError) {
      return fail('BUSY', err.message, undefined, { 'retry-after': String(err.retryAfterS) });
    }
    if (err instanceof HTTPException) {
      const code = CODE_OF_HTTP_STATUS[err.status];
      if (code === 'INVALID_JSON') return fail(code, 'the body is not valid JSON');
      if (code === 'UNSUPPORTED_MEDIA_TYPE')
        return fail(code, 'send the body as JSON (Content-Type: application/json)');
      if (code !== undefined) return fail(code, err.message);
    }
    console.error('reward api: unhandled error', err);
    return fail('INTERNAL_ERROR', 'internal error; the request was not scored');
  });

  return app;
}
