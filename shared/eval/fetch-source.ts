import type { Readable } from 'node:stream';
import { LoadError } from './errors.ts';

export interface FetchLimits {
  /** Largest body accepted, counted as it arrives; the download stops past it. */
  maxBytes: number;
  /** Checked for the first URL and every redirect's target; absent: any http(s) URL. */
  allowed?: (url: string) => boolean;
  /** Redirects followed (default 5). */
  maxRedirects?: number;
  /** For the whole download (default 120 s). */
  timeoutMs?: number;
}

/**
 * GETs an http(s) URL into memory: redirects followed one by one, each target checked like the first;
 * the body counted as it streams and the download aborted once it passes `maxBytes`.
 */
export async function fetchBounded(source: string, limits: FetchLimits): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(limits.timeoutMs ?? 120_000);
  const maxRedirects = limits.maxRedirects ?? 5;
  let url = source;
  for (let hop = 0; ; hop++) {
    if (limits.allowed && !limits.allowed(url)) {
      throw new LoadError(
        hop === 0
          ? `${source}: not an allowed source on this server`
          : `${source}: redirected to ${url}, which is not an allowed source on this server`,
      );
    }
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'manual', signal });
    } catch (err) {
      throw new LoadError(`${source}: could not fetch (${(err as Error).message})`);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      await res.body?.cancel();
      if (hop >= maxRedirects) throw new LoadError(`${source}: more than ${maxRedirects} redirects`);
      try {
        url = new URL(location, url).href;
      } catch {
        throw new LoadError(`${source}: a redirect to an unusable location`);
      }
      if (!/^https?:\/\//i.test(url)) throw new LoadError(`${source}: a redirect to a non-http(s) URL`);
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new LoadError(`${source}: HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length'));
    if (declared > limits.maxBytes) {
      await res.body?.cancel();
      throw tooLarge(source, limits.maxBytes);
    }
    if (res.body === null) return new Uint8Array(0);
    try {
      return await collect(res.body, source, limits.maxBytes);
    } catch (err) {
      if (err instanceof LoadError) throw err;
      throw new LoadError(`${source}: the download failed (${(err as Error).message})`);
    }
  }
}

/** Reads a stream into one buffer, refusing it (and stopping the stream) once it passes `maxBytes`. */
export async function collect(
  stream: AsyncIterable<Uint8Array> | Readable,
  source: string,
  maxBytes: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    // Leaving the loop early cancels a web stream and destroys a Node one.
    if (total > maxBytes) throw tooLarge(source, maxBytes);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

function tooLarge(source: string, maxBytes: number): LoadError {
  return new LoadError(`${source}: larger than ${maxBytes} bytes, the most this server reads from a source`);
}
