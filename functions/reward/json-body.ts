/**
 * Reads every JSON request body as UTF-8, strictly: a body declared in another charset is refused with 415,
 * and bytes that are not UTF-8 with 400 INVALID_ENCODING, instead of being decoded with U+FFFD in their
 * place and scored. Not-JSON bodies pass through: the route answers those 415 itself.
 */
import type { MiddlewareHandler } from 'hono';
import { MAX_JSON_DEPTH } from '../../shared/code/limits.ts';
import { errorBody } from '../../shared/reward/errors.ts';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

export function utf8JsonBody(): MiddlewareHandler {
  return async (c, next) => {
    const contentType = c.req.header('content-type');
    if (c.req.raw.body === null || contentType === undefined) return next();
    const [mediaType = '', ...params] = contentType.split(';');
    if (!JSON_MEDIA_TYPE.test(mediaType.trim())) return next();
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
    const bytes = await c.req.raw.arrayBuffer();
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return c.json(errorBody('INVALID_ENCODING', 'the body is not valid UTF-8'), 400);
    }
    if (nestingDepth(new Uint8Array(bytes), MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
      const message = `the body nests deeper than ${MAX_BODY_DEPTH} levels of arrays and objects`;
      return c.json(errorBody('VALIDATION_ERROR', message), 400);
    }
    // The checked bytes go on to the route, whose reader now decodes them exactly.
    c.req.raw = new Request(c.req.raw, { body: bytes });
    return next();
  };
}

/**
 * The deepest a request body may nest: test data's own bound (MAX_JSON_DEPTH) and the request around it.
 * Nothing deeper reaches the parser, a worker thread or an isolate, whose copies recurse.
 */
export const MAX_BODY_DEPTH = MAX_JSON_DEPTH + 32;

/** How deep the arrays and objects of JSON text nest, scanning once and stopping past `limit`. */
export function nestingDepth(bytes: Uint8Array, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return deepest;
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
