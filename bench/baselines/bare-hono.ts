/**
 * The ceiling for bench:api's single-item rows: a Hono app on @hono/node-server (the reward server's stack)
 * whose only route reads the JSON body and answers constant JSON. Started as a child process like the
 * reward server (PORT, HOST; prints `listening on <url>`).
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/** The shape and size of a single-item `/v1/reward` answer. */
const ANSWER = {
  results: [
    { task: 'math', score: 1, correct: true, status: 'ok', extracted: '2', gold_parsed: '2', ms: 0.05 },
  ],
};

const app = new Hono();
app.post('/', async (c) => {
  await c.req.json();
  return c.json(ANSWER);
});

serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 8788), hostname: process.env.HOST ?? '127.0.0.1' },
  (info: AddressInfo) => console.log(`bare Hono listening on http://${info.address}:${info.port}`),
);
