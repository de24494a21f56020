import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { SandboxRunner } from '../../shared/code/runner.ts';
import { createEvalService, type EvalService } from '../../shared/eval/service.ts';
import { createNodeScorer } from '../../shared/reward/node-scorer.ts';
import type { RewardScorer } from '../../shared/reward/score.ts';
import { openStorage } from '../../shared/storage/index.ts';
import { createApp } from './app.ts';

export interface ServerOptions {
  port?: number;
  host?: string;
  /** Default: math on a worker pool of `poolSize` threads (one per core), code in the Node sandboxes. */
  scorer?: RewardScorer;
  /** Runs POST /v1/code/run (default: the sandboxes of the default scorer). */
  runner?: SandboxRunner;
  poolSize?: number;
  bodyLimitBytes?: number;
  /**
   * Serves /v1/eval. Default: evaluations in this process, scored by `scorer`, stored under GRADUS_STORAGE
   * (default ./.gradus), with benchmark files from GRADUS_BENCHMARKS. `false` turns the routes off.
   */
  evals?: EvalService | false;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8787 (the real port when 0 was asked for). */
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes the scorer. */
  close(): Promise<void>;
}

export function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const defaults = options.scorer ? undefined : createNodeScorer({ poolSize: options.poolSize });
  const scorer = options.scorer ?? (defaults as { scorer: RewardScorer }).scorer;
  const runner = options.runner ?? defaults?.runner;
  const evals =
    options.evals === false
      ? undefined
      : (options.evals ??
        createEvalService({ storage: openStorage(), scorer, benchmarkDir: process.env.GRADUS_BENCHMARKS }));
  const app = createApp({ scorer, runner, bodyLimitBytes: options.bodyLimitBytes, evals });
  const hostname = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 8787, hostname }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        close: async () => {
          await new Promise<void>((done) => server.close(() => done()));
          await scorer.close();
        },
      });
    });
    server.once('error', reject);
  });
}

/** Starts the server, logs its URL, and shuts it down cleanly on SIGINT/SIGTERM. */
export async function runServer(options: ServerOptions = {}): Promise<RunningServer> {
  const running = await startServer(options);
  console.log(`gradus reward API listening on ${running.url}`);
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return running;
}

if (import.meta.main) {
  const port = process.env.PORT === undefined ? undefined : Number(process.env.PORT);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
    console.error(`PORT must be a port number, got "${process.env.PORT}"`);
    process.exit(2);
  }
  await runServer({ port, host: process.env.HOST });
}
