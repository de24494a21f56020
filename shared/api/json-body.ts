import type { Context, MiddlewareHandler } from 'hono';
import { MAX_JSON_DEPTH } from '../code/limits.ts';
import { errorBody } from '../reward/errors.ts';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Every request body, in one middleware: its size first (over `maxBytes` it is refused with `tooLarge` and
 * left unread), then, for JSON, strict UTF-8: a body declared in another charset is refused with 415, and
 * bytes that are not UTF-8 with 400 INVALID_ENCODING, instead of being decoded with U+FFFD in their place
 * and scored; a body nested too deep or with an object of too many keys is refused before it is parsed.
 * Not-JSON bodies pass through: the route answers those 415 itself.
 *
 * A body with a Content-Length is read straight from the socket (@hono/node-server's direct read; Node's
 * parser stops at the declared length), never through a web stream: `request.body` would build a full
 * fetch Request and a stream per request, a tenth of a single-item request's time.
 */
export function requestBody(maxBytes: number, tooLarge: (c: Context) => Response): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const declared = c.req.header('content-length');
    const chunked = c.req.header('transfer-encoding') !== undefined;
    if (!chunked && (declared === undefined || declared === '0')) return next();
    if (!chunked && Number(declared) > maxBytes) return tooLarge(c);
    const contentType = c.req.header('content-type') ?? '';
    const [mediaType = '', ...params] = contentType.split(';');
    const isJson = JSON_MEDIA_TYPE.test(mediaType.trim());
    if (!isJson && !chunked) return next();
    let bytes: Uint8Array;
    if (chunked) {
      const read = await readCapped(c.req.raw, maxBytes);
      if (read === undefined) return tooLarge(c);
      bytes = read;
      // Whoever reads the body next reads these bytes: the stream is spent.
      c.req.raw = new Request(c.req.raw, { body: bytes as Uint8Array<ArrayBuffer> });
      if (!isJson) return next();
    } else bytes = new Uint8Array(await c.req.raw.arrayBuffer());
    const charset = charsetOf(params);
    if (charset !== undefined && !isUtf8Label(charset)) {
      return c.json(
        errorBody(
          'UNSUPPORTED_MEDIA_TYPE',
          `send JSON as UTF-8 (charset=utf-8); charset=${charset.slice(0, 40)} is not read`,
        ),
        415,
      );
    }
    const text = strictUtf8(bytes);
    if (text === undefined) return c.json(errorBody('INVALID_ENCODING', 'the body is not valid UTF-8'), 400);
    const problem = shapeProblem(bytes);
    if (problem !== undefined) return c.json(errorBody('VALIDATION_ERROR', problem), 400);
    // The route reads the text decoded here instead of reading the body again: Hono's body cache holds
    // a promise per kind at runtime (request.js `#cachedBody`), though its types say the value itself.
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
    return next();
  };
}

/** Decodes one whole body at a time (no `stream` option), so one instance serves every request. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Node's buffer module where the runtime has one (Node, Lambda; not Workers): it checks and decodes UTF-8
 * about three times faster than TextDecoder does there. Looked up, not imported, so other runtimes load
 * this file as it is.
 */
const nodeBuffer = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:buffer') as typeof import('node:buffer') | undefined;

/** The text of UTF-8 bytes, or undefined when they are not UTF-8 (no replacement characters). */
function strictUtf8(bytes: Uint8Array): string | undefined {
  if (nodeBuffer !== undefined) {
    if (!nodeBuffer.isUtf8(bytes)) return undefined;
    const text = nodeBuffer.Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    // TextDecoder drops a leading byte-order mark; so does this, or JSON.parse would refuse the body.
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A chunked body's bytes, or undefined as soon as they pass `maxBytes` (the rest is left unread). */
async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      void reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * The deepest a request body may nest: test data's own bound (MAX_JSON_DEPTH) and the request around it.
 * Nothing deeper reaches the parser, a worker thread or an isolate, whose copies recurse.
 */
export const MAX_BODY_DEPTH = MAX_JSON_DEPTH + 32;

/**
 * The most keys one object of a body may have. Known objects have a few dozen; free-form ones (extra_info,
 * a test's dict argument) stay far below. An object's keys cost tens of bytes of memory each once parsed,
 * so a body of a million keys is refused before it is parsed.
 */
export const MAX_OBJECT_KEYS = 10_000;

/**
 * Why JSON text nests too deep or has an object with too many keys, or undefined: one pass over the
 * bytes that stops at the first excess. Malformed JSON is left to the parser.
 */
export function shapeProblem(bytes: Uint8Array): string | undefined {
  const keys = new Uint32Array(MAX_BODY_DEPTH + 2);
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x22) {
      i = stringEnd(bytes, i + 1);
      if (i < 0) return undefined;
    } else if (b === 0x5b || b === 0x7b) {
      if (++depth > MAX_BODY_DEPTH)
        return `the body nests deeper than ${MAX_BODY_DEPTH} levels of arrays and objects`;
      keys[depth] = 0;
    } else if (b === 0x5d || b === 0x7d) depth = Math.max(0, depth - 1);
    // A colon outside a string separates an object's key from its value: one per key.
    else if (b === 0x3a) {
      const count = (keys[depth] ?? 0) + 1;
      if (count > MAX_OBJECT_KEYS) return `an object in the body has more than ${MAX_OBJECT_KEYS} keys`;
      keys[depth] = count;
    }
  }
  return undefined;
}

/**
 * The index of the quote that closes a string whose text starts at `from`, or -1 when none does. Strings
 * are most of a body (responses), so they are skipped by a native search for quotes rather than byte by
 * byte; a quote is escaped when an odd run of backslashes comes before it. Each byte is still looked at
 * a bounded number of times: a run of backslashes is counted once, by the quote that ends it.
 */
function stringEnd(bytes: Uint8Array, from: number): number {
  let at = from;
  for (;;) {
    const quote = bytes.indexOf(0x22, at);
    if (quote < 0) return -1;
    let slashes = 0;
    while (quote - slashes - 1 >= at && bytes[quote - slashes - 1] === 0x5c) slashes++;
    if (slashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

function charsetOf(params: string[]): string | undefined {
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const value = param.slice(eq + 1).trim();
    const quoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"');
    return quoted ? value.slice(1, -1) : value;
  }
  return undefined;
}

/** Every label the Encoding Standard gives UTF-8 ("utf-8", "utf8", "unicode-1-1-utf-8", ...). */
function isUtf8Label(label: string): boolean {
  try {
    return new TextDecoder(label).encoding === 'utf-8';
  } catch {
    return false;
  }
}
