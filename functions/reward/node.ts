// `npm start`: the reward API on Node (shared/api/node-server.ts), on PORT (default 8787) and HOST.

import { runServer } from '../../shared/api/node-server.ts';
import { CodeLimitsError } from '../../shared/code/limits.ts';

const port = process.env.PORT === undefined ? undefined : Number(process.env.PORT);
if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(2);
}
await runServer({ port, host: process.env.HOST }).catch((err: unknown) => {
  console.error(err instanceof CodeLimitsError ? err.message : err);
  process.exit(2);
});
