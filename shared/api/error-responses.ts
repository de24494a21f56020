/** The error answers a route can give, as OpenAPI responses, so /openapi.json lists every one of them. */
import { ErrorBody } from '../reward/schema.ts';

const errorJson = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBody } },
});

export interface ErrorKinds {
  /** 400 descriptions: what this route's body can get wrong. */
  invalid?: string;
  /** The route scores code, so a full sandbox queue answers 429 and a runtime without sandboxes 501. */
  sandboxes?: boolean;
}

/** Every route with a JSON body: 400, 413, 415 and 500; with sandboxes, 429 and 501 too. */
export function bodyErrorResponses(kinds: ErrorKinds = {}) {
  return {
    400: errorJson(kinds.invalid ?? 'INVALID_JSON, INVALID_ENCODING or VALIDATION_ERROR (with the path)'),
    413: errorJson('BODY_TOO_LARGE, or TOO_MANY_ITEMS'),
    415: errorJson('UNSUPPORTED_MEDIA_TYPE: not JSON, or a charset other than UTF-8'),
    ...(kinds.sandboxes
      ? {
          429: errorJson('BUSY: the code sandboxes are full; retry after the Retry-After header (seconds)'),
          501: errorJson(
            'UNAVAILABLE: code items on a runtime without the code sandboxes (Cloudflare Workers)',
          ),
        }
      : {}),
    500: errorJson('INTERNAL_ERROR: nothing was scored; safe to retry'),
  };
}
