// Cloudflare Workers entry (infra/wrangler.toml): the same app, math only. Workers cannot load native
// addons, so there are no isolated-vm sandboxes here: code items and /v1/code/run get a 501 saying so.
// Imports only runtime-agnostic modules: nothing that reaches node:*, worker_threads or isolated-vm.
import { createApp } from '../../shared/api/app.ts';
import { createScorer } from '../../shared/reward/compose.ts';

const unavailable =
  'Cloudflare Workers cannot run the code sandboxes (isolated-vm is a native Node addon); ' +
  'send code items to the Node server or the AWS Lambda deployment';

const app = createApp({ scorer: createScorer({ sandboxes: { unavailable } }) });

// Only the default export: workerd takes every named export of the main module for an entrypoint.
export default { fetch: app.fetch };
