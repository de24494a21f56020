import { isS3Url, parseS3ObjectUrl, parseS3Url } from '../storage/s3-url.ts';
import { StorageError } from '../storage/types.ts';
import { PlanError } from './errors.ts';

/**
 * What an evaluation started through the API may reach. The operator sets it (see `accessFromEnv`); the
 * CLI runs without one. Allow-list entries:
 *   - a URL prefix: `https://data.example.org/evals/`, `s3://bucket/benchmarks/`, `http://10.0.0.5:8000/v1`
 *     (same scheme, host and port; the path must start with the entry's, at a `/` boundary);
 *   - a host, with or without a port: `models.internal`, `10.0.0.5:8000` (http and https);
 *   - `loopback`: localhost, 127.0.0.0/8 and [::1], any port;
 *   - `*`: anything (only for a server no one untrusted can reach).
 */
export interface EvalAccess {
  /** Where http(s):// and s3:// benchmark and responses files may come from (default: nowhere). */
  sources: readonly string[];
  /** Where the model endpoint (`model.baseUrl`) may be (default: `loopback`). */
  baseUrls: readonly string[];
  /** Largest file a source may be, in bytes, counted as it downloads (default 64 MiB). */
  maxSourceBytes: number;
  /** Most requests in flight to the endpoint (default 64); a plan asking for more is refused. */
  maxConcurrency: number;
}

export const DEFAULT_EVAL_ACCESS: EvalAccess = {
  sources: [],
  baseUrls: ['loopback'],
  maxSourceBytes: 64 * 1024 ** 2,
  maxConcurrency: 64,
};

/** The environment variables `accessFromEnv` reads, also handed on to eval jobs. */
export const EVAL_ACCESS_ENV = [
  'GRADUS_EVAL_ALLOWED_SOURCES',
  'GRADUS_EVAL_ALLOWED_BASE_URLS',
  'GRADUS_EVAL_MAX_SOURCE_BYTES',
  'GRADUS_EVAL_MAX_CONCURRENCY',
] as const;

/**
 * Reads the policy from comma-separated allow-lists and numbers; unset means the default, an empty
 * list (or `none`) means nothing. A number that is not a positive integer is a configuration error.
 */
export function accessFromEnv(env: NodeJS.ProcessEnv): EvalAccess {
  const list = (name: string, fallback: readonly string[]) => {
    const raw = env[name];
    if (raw === undefined) return fallback;
    const entries = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '' && s.toLowerCase() !== 'none');
    for (const entry of entries) checkEntry(name, entry);
    return entries;
  };
  const count = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}=${raw}: expected a positive integer`);
    return n;
  };
  return {
    sources: list('GRADUS_EVAL_ALLOWED_SOURCES', DEFAULT_EVAL_ACCESS.sources),
    baseUrls: list('GRADUS_EVAL_ALLOWED_BASE_URLS', DEFAULT_EVAL_ACCESS.baseUrls),
    maxSourceBytes: count('GRADUS_EVAL_MAX_SOURCE_BYTES', DEFAULT_EVAL_ACCESS.maxSourceBytes),
    maxConcurrency: count('GRADUS_EVAL_MAX_CONCURRENCY', DEFAULT_EVAL_ACCESS.maxConcurrency),
  };
}

/** The policy as the environment of a job that must apply it too. */
export function accessToEnv(access: EvalAccess): Record<string, string> {
  return {
    GRADUS_EVAL_ALLOWED_SOURCES: access.sources.join(','),
    GRADUS_EVAL_ALLOWED_BASE_URLS: access.baseUrls.join(','),
    GRADUS_EVAL_MAX_SOURCE_BYTES: String(access.maxSourceBytes),
    GRADUS_EVAL_MAX_CONCURRENCY: String(access.maxConcurrency),
  };
}

function checkEntry(name: string, entry: string): void {
  if (entry === '*' || entry.toLowerCase() === 'loopback') return;
  if (isS3Url(entry)) {
    try {
      parseS3Url(entry);
      return;
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  }
  if (parseEntry(entry) === undefined) throw new Error(`${name}: "${entry}" is not a URL prefix or a host`);
}

/** Whether `url` (http(s) or s3) is allowed by one of `entries`. */
export function urlAllowed(url: string, entries: readonly string[]): boolean {
  if (isS3Url(url)) {
    let key: string;
    let bucket: string;
    try {
      ({ bucket, key } = parseS3ObjectUrl(url));
    } catch {
      return false;
    }
    return entries.some((entry) => entry === '*' || s3EntryAllows(entry, bucket, key));
  }
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return false;
  if (target.username !== '' || target.password !== '') return false;
  return entries.some((entry) => {
    if (entry === '*') return true;
    if (entry.toLowerCase() === 'loopback') return isLoopback(target.hostname);
    const allowed = parseEntry(entry);
    if (allowed === undefined) return false;
    if (allowed.hostOnly) {
      return (
        allowed.url.hostname === target.hostname &&
        (allowed.url.port === '' || allowed.url.port === target.port)
      );
    }
    return allowed.url.origin === target.origin && underPath(target.pathname, allowed.url.pathname);
  });
}

/** Throws a PlanError unless `url` is on the list; `what` names the field for the message. */
export function checkAllowed(url: string, entries: readonly string[], what: string, envName: string): void {
  if (isS3Url(url)) {
    try {
      parseS3ObjectUrl(url);
    } catch (err) {
      if (err instanceof StorageError) throw new PlanError(`${what}: ${err.message}`);
      throw err;
    }
  }
  if (!urlAllowed(url, entries)) {
    throw new PlanError(
      `${what} ${JSON.stringify(url)} is not allowed on this server; its operator allows: ` +
        `${entries.length ? entries.join(', ') : 'none'} (${envName})`,
    );
  }
}

function parseEntry(entry: string): { url: URL; hostOnly: boolean } | undefined {
  const hostOnly = !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(entry);
  try {
    const url = new URL(hostOnly ? `http://${entry}` : entry);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (hostOnly && (url.pathname !== '/' || url.search !== '' || url.hash !== '')) return undefined;
    return { url, hostOnly };
  } catch {
    return undefined;
  }
}

function s3EntryAllows(entry: string, bucket: string, key: string): boolean {
  if (!isS3Url(entry)) return false;
  try {
    const allowed = parseS3Url(entry);
    return allowed.bucket === bucket && (allowed.prefix === '' || `${key}`.startsWith(`${allowed.prefix}/`));
  } catch {
    return false;
  }
}

/** `/v1/chat` is under `/v1` and `/v1/`, not under `/v1x`. */
function underPath(path: string, prefix: string): boolean {
  if (prefix === '/' || path === prefix) return true;
  return path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
