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

/**
 * parseJsonExact on text that may be a long JSON list, one element at a time, calling `pause` (which may
 * yield to the event loop, or throw to stop) after every `sliceChars` characters. Other text is parsed
 * whole. The result, and what is refused, are those of parseJsonExact.
 */
export async function parseJsonListSliced(
  text: string,
  pause: () => Promise<void>,
  sliceChars: number,
): Promise<unknown> {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x5b) return parseJsonExact(text);
  const list: unknown[] = [];
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === 0x5d) return parseJsonExact(text);
  let sinceYield = 0;
  for (;;) {
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === 0x5c) i++;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x5b || c === 0x7b) depth++;
      else if (c === 0x5d || c === 0x7d) {
        if (depth === 0) break;
        depth--;
      } else if (c === 0x2c && depth === 0) break;
    }
    if (i >= text.length) throw new SyntaxError('the JSON list is not closed');
    list.push(parseJsonExact(text.slice(start, i), MAX_JSON_DEPTH - 1));
    sinceYield += i - start;
    if (sinceYield >= sliceChars) {
      sinceYield = 0;
      await pause();
    }
    if (text.charCodeAt(i) === 0x5d) {
      if (skipSpace(text, i + 1) !== text.length)
        throw new SyntaxError('unexpected text after the JSON list');
      return list;
    }
    i++;
  }
}

/** The index of the first character at or after `i` that is not JSON whitespace. */
function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
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

export function cap(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(${s.length - max} more)`;
}
