import { createRequire } from 'node:module';

/** The part of autocannon's result used here (the package ships no types). */
export interface LoadResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** The part of autocannon's API used here: one load of `duration` seconds over `connections` keep-alive connections. */
export const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  title?: string;
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
}) => Promise<LoadResult>;
