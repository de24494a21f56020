/**
 * JSON that keeps integers exact: an integer literal outside the safe range becomes a `bigint`, so
 * 12345678901234567891 and 12345678901234567890 stay different (plain JSON.parse makes them equal).
 */

const INTEGER_LITERAL = /^-?\d+$/;

/** JSON.parse with big integers as bigint. Throws SyntaxError like JSON.parse. */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
    if (typeof value !== 'number' || Number.isSafeInteger(value)) return value;
    const source = context?.source;
    return source !== undefined && INTEGER_LITERAL.test(source) ? BigInt(source) : value;
  });
}

/** JSON text of a value that may hold bigints (written as integer literals); undefined becomes null. */
export function toJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `toJson`, cut to `max` characters with a marker. */
export function previewJson(value: unknown, max = 200): string {
  return cap(toJson(value), max);
}

export function cap(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(${s.length - max} more)`;
}
