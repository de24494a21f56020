import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The download cache `gradus data fetch` fills and `gradus eval` reads: GRADUS_DATA_DIR when set, else
 * `$XDG_CACHE_HOME/gradus/data`, else `~/.cache/gradus/data` (scripts/data-dir.ts looks in the same place
 * after ../shared/data).
 */
export function dataCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GRADUS_DATA_DIR) return resolve(env.GRADUS_DATA_DIR);
  // XDG: a relative XDG_CACHE_HOME is to be ignored.
  const cache =
    env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(cache, 'gradus', 'data');
}

/**
 * A source URL as a mirror serves it: `https://host/path` -> `<mirror>/host/path`. Without a mirror, the URL.
 */
export function mirrored(url: string, mirror: string | undefined): string {
  if (!mirror) return url;
  const { host, pathname, search } = new URL(url);
  return `${mirror.replace(/\/+$/, '')}/${host}${pathname}${search}`;
}
