/**
 * JSON that keeps integers exact: an integer literal outside the safe range becomes a `bigint`, so
 * 12345678901234567891 and 12345678901234567890 stay different (plain JSON.parse makes them equal).
 * Nothing here recurses: V8's JSON.parse without a reviver is iterative, and so are the depth check and
 * `toJson`; a document nested deeper than the limit is refused before a reviver ever sees it.
 */
import { MAX_JSON_DEPTH } from '../limits.ts';

const INTEGER_LITERAL = /^-?\d+$/;

/**
 * JSON.parse with big integers as bigint, refusing documents nested deeper than `maxDepth`. Throws
 * SyntaxError like JSON.parse.
 */
export function parseJsonExact(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const value: unknown = JSON.parse(text);
  const shape = measure(value, maxDepth);
  if (shape.depth > maxDepth) throw new SyntaxError(`the JSON nests deeper than ${maxDepth} levels`);
  if (!shape.unsafeIntegers) return value;
  return JSON.parse(text, (_key, v: unknown, context?: { source?: string }) => {
    if (typeof v !== 'number' || Number.isSafeInteger(v)) return v;
    const source = context?.source;
    return source !== undefined && INTEGER_LITERAL.test(source) ? BigInt(source) : v;
  });
}

/** How deep `value` nests (a scalar is 0, `[]` is 1), counted up to `max + 1` and no further. */
export function valueDepth(value: unknown, max: number): number {
  return measure(value, max).depth;
}

function measure(value: unknown, max: number): { depth: number; unsafeIntegers: boolean } {
  let depth = 0;
  let unsafeIntegers = false;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v === 'number') {
      if (Number.isInteger(v) && !Number.isSafeInteger(v)) unsafeIntegers = true;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > depth) depth = d + 1;
    if (depth > max) break;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return { depth, unsafeIntegers };
}

type Task = { text: string } | { value: unknown };

/** JSON text of a value that may hold bigints (written as integer literals); undefined becomes null. */
export function toJson(value: unknown): string {
  const out: string[] = [];
  const stack: Task[] = [{ value }];
  while (stack.length > 0) {
    const task = stack.pop() as Task;
    if ('text' in task) {
      out.push(task.text);
      continue;
    }
    const v = task.value;
    if (typeof v === 'bigint') out.push(v.toString());
    else if (Array.isArray(v)) {
      out.push('[');
      stack.push({ text: ']' });
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ value: v[i] });
        if (i > 0) stack.push({ text: ',' });
      }
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      out.push('{');
      stack.push({ text: '}' });
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, field] = entries[i] as [string, unknown];
        stack.push({ value: field });
        stack.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` });
      }
    } else out.push(JSON.stringify(v) ?? 'null');
  }
  return out.join('');
}

/** `toJson`, cut to `max` characters with a marker. */
export function previewJson(value: unknown, max = 200): string {
  return cap(toJson(value), max);
}

export function cap(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(${s.length - max} more)`;
}
