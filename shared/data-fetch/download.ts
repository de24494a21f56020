import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataFetchError } from './errors.ts';

export interface DownloadOptions {
  /** Largest file accepted; the transfer stops once past it. */
  maxBytes: number;
  /** Size and sha256 known beforehand (the registry's); otherwise those the server declares are checked. */
  expected?: { sha256?: string; bytes?: number };
  /** A transfer that receives nothing for this long is broken off (and resumed while retries remain). */
  idleTimeoutMs?: number;
  /** One transfer is broken off after this long (default 30 min) and resumed while retries remain. */
  transferTimeoutMs?: number;
  /** Transfers resumed after a dropped connection within one download (default 3). */
  retries?: number;
  /** Wait before the first retry, doubled for each next one (default 1 s). */
  retryDelayMs?: number;
  maxRedirects?: number;
  onBytes?: (received: number, total: number | undefined) => void;
}

export interface Downloaded {
  bytes: number;
  sha256: string;
  /** Whether any part of the file came from an earlier, broken transfer. */
  resumed: boolean;
  /** Where the sha256 checked against came from, if one was. */
  sha256From?: 'registry' | 'server';
}

interface Declared {
  bytes?: number;
  sha256?: string;
}

/** A transfer that broke off midway: what was received stays in the `.part` file for the next one. */
class TransferBroken extends Error {}

/**
 * Downloads an http(s) URL to `dest` through `dest.part`, resuming a `.part` left by an earlier run or a
 * dropped connection with an HTTP Range request. The finished file is checked against the expected or the
 * declared size and sha256; a file failing a check is deleted.
 */
export async function download(url: string, dest: string, options: DownloadOptions): Promise<Downloaded> {
  const part = `${dest}.part`;
  const retries = options.retries ?? 3;
  let resumed = false;
  let declared: Declared = {};
  for (let attempt = 0; ; attempt++) {
    try {
      const done = await transfer(url, part, options);
      declared = { ...declared, ...done.declared };
      resumed ||= done.resumed;
      break;
    } catch (err) {
      if (!(err instanceof TransferBroken)) throw err;
      if (attempt >= retries) {
        const kept = (await sizeOf(part)) > 0;
        if (!kept) await discard(part);
        throw new DataFetchError(
          `${url}: ${err.message}; gave up after ${retries} ${retries === 1 ? 'retry' : 'retries'}` +
            (kept ? ` (run again to resume from ${part})` : ''),
        );
      }
      await sleep((options.retryDelayMs ?? 1000) * 2 ** attempt);
    }
  }
  const bytes = (await stat(part)).size;
  const wantBytes = options.expected?.bytes ?? declared.bytes;
  if (wantBytes !== undefined && bytes !== wantBytes) {
    await discard(part);
    throw new DataFetchError(`${url}: ${bytes} bytes where ${wantBytes} were expected; the file was deleted`);
  }
  const sha256 = await sha256File(part);
  const wantSha = options.expected?.sha256 ?? declared.sha256;
  const sha256From = options.expected?.sha256 ? 'registry' : declared.sha256 ? 'server' : undefined;
  if (wantSha !== undefined && sha256 !== wantSha.toLowerCase()) {
    await discard(part);
    throw new DataFetchError(
      `${url}: sha256 ${sha256} differs from the ${sha256From === 'registry' ? "registry's" : "server's"} ` +
        `${wantSha}; the file was deleted`,
    );
  }
  await rename(part, dest);
  await rm(validatorPath(part), { force: true });
  return { bytes, sha256, resumed, sha256From };
}

async function transfer(
  url: string,
  part: string,
  options: DownloadOptions,
): Promise<{ declared: Declared; resumed: boolean }> {
  const have = await sizeOf(part);
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  };
  arm();
  const limitMs = options.transferTimeoutMs ?? 30 * 60_000;
  const deadline = setTimeout(
    () => controller.abort(new Error(`still running after ${limitMs / 1000} s`)),
    limitMs,
  );
  try {
    const declared: Declared = {};
    const ifRange = have > 0 ? await readValidator(part) : undefined;
    const res = await follow(
      url,
      { from: have, ifRange },
      controller.signal,
      declared,
      options.maxRedirects ?? 5,
    );
    if (res.status === 416) {
      await res.body?.cancel();
      // The `.part` already holds the whole file, or is not a prefix of it: then start over.
      const total = contentRange(res.headers.get('content-range'))?.total;
      if (have > 0 && total === have) return { declared: { bytes: total, ...declared }, resumed: true };
      await discard(part);
      throw new TransferBroken('the server refused to resume; starting over');
    }
    if (!res.ok || res.body === null) {
      await res.body?.cancel();
      throw new DataFetchError(`${url}: HTTP ${res.status}`);
    }
    let offset = 0;
    let total: number | undefined;
    if (res.status === 206) {
      const range = contentRange(res.headers.get('content-range'));
      if (range?.start !== have) {
        await res.body.cancel();
        await discard(part);
        throw new TransferBroken('the server resumed at another offset; starting over');
      }
      offset = have;
      total = range.total;
    } else {
      if (!res.headers.get('content-encoding')) total = headerInt(res.headers.get('content-length'));
      await saveValidator(part, res.headers);
    }
    total ??= declared.bytes;
    if (total !== undefined && total > options.maxBytes) {
      await res.body.cancel();
      await discard(part);
      throw new DataFetchError(`${url}: ${total} bytes, more than the ${options.maxBytes} accepted`);
    }
    const file = await open(part, offset > 0 ? 'a' : 'w');
    let received = offset;
    try {
      for await (const chunk of res.body) {
        arm();
        received += chunk.byteLength;
        if (received > options.maxBytes || (total !== undefined && received > total)) {
          await file.close();
          await discard(part);
          throw new DataFetchError(
            `${url}: more than ${total ?? options.maxBytes} bytes${total === undefined ? ', the most accepted' : ', the size declared'}`,
          );
        }
        await file.write(chunk);
        options.onBytes?.(received, total);
      }
    } catch (err) {
      if (err instanceof DataFetchError) throw err;
      const why = controller.signal.aborted ? (controller.signal.reason as Error).message : causeOf(err);
      throw new TransferBroken(`connection lost after ${received} bytes (${why})`);
    } finally {
      await file.close().catch(() => {});
    }
    return { declared: { bytes: total, ...declared }, resumed: offset > 0 };
  } finally {
    clearTimeout(timer);
    clearTimeout(deadline);
  }
}

const validatorPath = (part: string) => `${part}.validator`;

async function discard(part: string): Promise<void> {
  await rm(part, { force: true });
  await rm(validatorPath(part), { force: true });
}

/** Keeps what identifies this version of the file (a strong ETag, else Last-Modified), for If-Range. */
async function saveValidator(part: string, headers: Headers): Promise<void> {
  const etag = headers.get('etag');
  const validator = etag && !etag.startsWith('W/') ? etag : headers.get('last-modified');
  if (validator) await writeFile(validatorPath(part), validator);
  else await rm(validatorPath(part), { force: true });
}

async function readValidator(part: string): Promise<string | undefined> {
  try {
    return (await readFile(validatorPath(part), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** GETs `url` (from byte `from` on), following redirects by hand so that each target is checked. */
async function follow(
  url: string,
  { from, ifRange }: { from: number; ifRange?: string },
  signal: AbortSignal,
  declared: Declared,
  maxRedirects: number,
): Promise<Response> {
  let target = url;
  for (let hop = 0; ; hop++) {
    if (!/^https?:\/\//i.test(target)) throw new DataFetchError(`${url}: not an http(s) URL (${target})`);
    let res: Response;
    try {
      res = await fetch(target, {
        redirect: 'manual',
        signal,
        // Compression would make byte offsets those of the encoded body.
        headers: {
          'accept-encoding': 'identity',
          ...(from > 0 ? { range: `bytes=${from}-` } : {}),
          // A file changed since the `.part` began comes whole (200) rather than spliced onto the old bytes.
          ...(from > 0 && ifRange ? { 'if-range': ifRange } : {}),
        },
      });
    } catch (err) {
      if (signal.aborted) throw new TransferBroken(`no response (${(signal.reason as Error).message})`);
      throw new TransferBroken(`could not connect (${causeOf(err)})`);
    }
    // Hugging Face declares an LFS file's size and sha256 on the redirect to its storage.
    const linkedSize = headerInt(res.headers.get('x-linked-size'));
    if (linkedSize !== undefined) declared.bytes = linkedSize;
    const etag = /^(?:W\/)?"?([0-9a-f]{64})"?$/i.exec(res.headers.get('x-linked-etag') ?? '');
    if (etag) declared.sha256 = etag[1]?.toLowerCase();
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || location === null) return res;
    await res.body?.cancel();
    if (hop >= maxRedirects) throw new DataFetchError(`${url}: more than ${maxRedirects} redirects`);
    target = new URL(location, target).href;
  }
}

function contentRange(value: string | null): { start?: number; total?: number } | undefined {
  const m = /^bytes (?:(\d+)-\d+|\*)\/(\d+|\*)$/.exec(value?.trim() ?? '');
  if (!m) return undefined;
  return {
    start: m[1] === undefined ? undefined : Number(m[1]),
    total: m[2] === '*' ? undefined : Number(m[2]),
  };
}

function headerInt(value: string | null): number | undefined {
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

function causeOf(err: unknown): string {
  const e = err as Error & { cause?: Error };
  return e.cause?.message ?? e.message;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
