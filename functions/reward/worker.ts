// Cloudflare Workers entry (infra/wrangler.toml): the same app, math only. Workers cannot load native
// addons, so there are no isolated-vm sandboxes here: code items and /v1/code/run get a 501 saying so.
// Imports only runtime-agnostic modules: nothing that reaches node:*, worker_threads or isolated-vm.
import { HTTPException } from 'hono/http-exception';
import { errorBody } from '../../shared/reward/errors.ts';
import { resolveTask } from '../../shared/reward/registry.ts';
import { inlineScore, type RewardScorer } from '../../shared/reward/score.ts';
import { createApp } from './app.ts';

// Not exported: workerd takes every named export of the main module for an entrypoint and refuses others.
const NO_SANDBOXES =
  'Cloudflare Workers cannot run the code sandboxes (isolated-vm is a native Node addon); ' +
  'send code items to the Node server or the AWS Lambda deployment';

/** Math on the request's thread; a batch holding any code item is refused whole, naming the first one. */
const mathOnlyScorer: RewardScorer = {
  score: async (items) => {
    const code = items.findIndex((item) => resolveTask(item) === 'code');
    if (code >= 0) throw new HTTPException(501, { message: `items.${code} is a code item: ${NO_SANDBOXES}` });
    return inlineScore(items);
  },
  close: async () => {},
};

const app = createApp({ scorer: mathOnlyScorer });

export default {
  fetch(request: Request, env?: object, ctx?: unknown): Response | Promise<Response> {
    if (request.method === 'POST' && new URL(request.url).pathname === '/v1/code/run') {
      return Response.json(errorBody('UNAVAILABLE', `/v1/code/run: ${NO_SANDBOXES}`), { status: 501 });
    }
    return app.fetch(request, env, ctx as never);
  },
};
