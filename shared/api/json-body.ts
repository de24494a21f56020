/**
 * Reads every JSON request body as UTF-8, strictly: a body declared in another charset is refused with 415,
 * and bytes that are not UTF-8 with 400 INVALID_ENCODING, instead of being decoded with U+FFFD in their
 * place and scored; a body nested too deep or with an object of too many keys is refused before it is
 * parsed. Not-JSON bodies pass through: the route answers those 415 itself.
 */
import type { MiddlewareHandler } from 'hono';
import { MAX_JSON_DEPTH } from '../code/limits.ts';
import { errorBody } from '../reward/errors.ts';

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
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return c.json(errorBody('INVALID_ENCODING', 'the body is not valid UTF-8'), 400);
    }
    const problem = shapeProblem(new Uint8Array(bytes));
    if (problem !== undefined) return c.json(errorBody('VALIDATION_ERROR', problem), 400);
    // The route reads the text decoded here instead of decoding the bytes again: Hono's body cache holds
    // a promise per kind at runtime (request.js `#cachedBody`), though its types say the value itself.
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
    return next();
  };
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
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
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
