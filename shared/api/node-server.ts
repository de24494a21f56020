import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { serverCodeLimits } from '../code/limits.ts';
import type { SandboxRunner } from '../code/runner.ts';
import { createEvalService, type EvalService } from '../eval/service.ts';
import type { Scorer } from '../reward/compose.ts';
import { createNodeScorer } from '../reward/node-scorer.ts';
import { openStorage } from '../storage/index.ts';
import { createApp } from './app.ts';

export interface ServerOptions {
  port?: number;
  host?: string;
  /** Default: math on a worker pool of `poolSize` threads (one per core), code in the Node sandboxes. */
  scorer?: Scorer;
  /** Runs POST /v1/code/run (default: the sandboxes of the default scorer). */
  runner?: SandboxRunner;
  poolSize?: number;
  bodyLimitBytes?: number;
  /**
   * Serves /v1/eval. Default: evaluations in this process, scored by `scorer`, stored under GRADUS_STORAGE
   * (default ./.gradus), with benchmark files from GRADUS_BENCHMARKS. `false` turns the routes off.
   */
  evals?: EvalService | false;
  /** Connection limits (default: httpLimitsFromEnv()). */
  http?: Partial<HttpLimits>;
}

export interface HttpLimits {
  /** A client must send its request headers within this. */
  headersTimeoutMs: number;
  /** ... and its whole request, body included: a slow body cannot hold a connection longer. */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Connections past this are refused by the socket layer. */
  maxConnections: number;
}

function envMs(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Defaults, lowered or raised by the operator: GRADUS_HEADERS_TIMEOUT_MS, GRADUS_REQUEST_TIMEOUT_MS, GRADUS_MAX_CONNECTIONS. */
export function httpLimitsFromEnv(): HttpLimits {
  return {
    headersTimeoutMs: envMs('GRADUS_HEADERS_TIMEOUT_MS', 10_000),
    requestTimeoutMs: envMs('GRADUS_REQUEST_TIMEOUT_MS', 60_000),
    keepAliveTimeoutMs: 5_000,
    maxConnections: envMs('GRADUS_MAX_CONNECTIONS', 1024),
  };
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8787 (the real port when 0 was asked for). */
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes the scorer. */
  close(): Promise<void>;
}

export function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  serverCodeLimits(); // a bad GRADUS_CODE_MAX_* stops the start, rather than failing every code item later
  const scorer = options.scorer ?? createNodeScorer({ poolSize: options.poolSize }).scorer;
  const { runner } = options;
  const evals =
    options.evals === false
      ? undefined
      : (options.evals ??
        createEvalService({ storage: openStorage(), scorer, benchmarkDir: process.env.GRADUS_BENCHMARKS }));
  const app = createApp({ scorer, runner, bodyLimitBytes: options.bodyLimitBytes, evals });
  const hostname = options.host ?? '127.0.0.1';
  const limits = { ...httpLimitsFromEnv(), ...options.http };
  return new Promise((resolve, reject) => {
    const serverOptions = {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often Node enforces the two timeouts above (its default, 30 s, would let a slow client stay that long).
      connectionsCheckingInterval: 1000,
    };
    const server = serve(
      { fetch: app.fetch, port: options.port ?? 8787, hostname, serverOptions },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host}:${info.port}`,
          close: async () => {
            await new Promise<void>((done) => server.close(() => done()));
            await scorer.close();
          },
        });
      },
    );
    server.maxConnections = limits.maxConnections;
    server.once('error', reject);
  });
}

/**
 * Starts the server, logs its URL, and shuts it down on SIGINT/SIGTERM: no new connections, in-flight
 * requests finish, and past `shutdownMs` (or on a second signal) the process is killed outright, so a
 * stuck scorer can never keep it alive.
 */
export async function runServer(
  options: ServerOptions & { shutdownMs?: number } = {},
): Promise<RunningServer> {
  const running = await startServer(options);
  console.log(`gradus reward API listening on ${running.url}`);
  const shutdownMs = options.shutdownMs ?? envMs('GRADUS_SHUTDOWN_MS', DEFAULT_SHUTDOWN_MS);
  let stopping = false;
  const stop = () => {
    if (stopping) forceExit('second signal');
    stopping = true;
    setTimeout(() => forceExit(`requests still running ${shutdownMs} ms after the signal`), shutdownMs);
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

/** The longest an item may take (the code budget cap) and a margin: in-flight requests get that long. */
const DEFAULT_SHUTDOWN_MS = 30_000;

/** SIGKILL, not exit(): an isolate that V8 could not stop makes a normal exit hang. */
function forceExit(why: string): never {
  console.error(`gradus reward API: shutting down now (${why})`);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}
