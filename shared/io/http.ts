import { RowError } from './row-error.ts';

export interface HttpOptions {
  /** Checked for the first URL and every redirect's target; absent: any http(s) URL. */
  allowed?: (url: string) => boolean;
  /** Redirects followed (default 5). */
  maxRedirects?: number;
  /** For the whole download, body included (default: none; the eval API server sets one). */
  timeoutMs?: number;
}

/**
 * GETs an http(s) URL: redirects followed one by one, each target checked like the first. Resolves to a
 * 2xx response whose body is not read yet; every failure is a RowError naming `source`.
 */
export async function fetchChecked(source: string, options: HttpOptions = {}): Promise<Response> {
  const signal = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const maxRedirects = options.maxRedirects ?? 5;
  const fail = (problem: string) => new RowError(problem, { file: source });
  let url = source;
  for (let hop = 0; ; hop++) {
    if (options.allowed && !options.allowed(url)) {
      throw fail(
        hop === 0
          ? 'not an allowed source on this server'
          : `redirected to ${url}, which is not an allowed source on this server`,
      );
    }
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'manual', signal });
    } catch (err) {
      throw fail(`could not fetch (${(err as Error).message})`);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      await res.body?.cancel();
      if (hop >= maxRedirects) throw fail(`more than ${maxRedirects} redirects`);
      try {
        url = new URL(location, url).href;
      } catch {
        throw fail('a redirect to an unusable location');
      }
      if (!/^https?:\/\//i.test(url)) throw fail('a redirect to a non-http(s) URL');
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw fail(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    return res;
  }
}
