/**
 * The body shape scan (shared/api/json-body.ts shapeProblem): nesting and key counts are taken outside
 * strings only, with escaped quotes and runs of backslashes read as JSON reads them.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH, MAX_OBJECT_KEYS, shapeProblem } from '../../shared/api/json-body.ts';

const scan = (text: string) => shapeProblem(new TextEncoder().encode(text));
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const keys = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',')}}`;

describe('shapeProblem', () => {
  it('allows the deepest nesting and the most keys, and refuses one more of either', () => {
    expect(scan(nested(MAX_BODY_DEPTH))).toBeUndefined();
    expect(scan(nested(MAX_BODY_DEPTH + 1))).toMatch(/nests deeper/);
    expect(scan(keys(MAX_OBJECT_KEYS))).toBeUndefined();
    expect(scan(keys(MAX_OBJECT_KEYS + 1))).toMatch(/more than/);
  });

  it('does not count brackets or colons inside strings, escaped quotes included', () => {
    const inside = `{"a":"${'[{:'.repeat(MAX_BODY_DEPTH + MAX_OBJECT_KEYS)}\\"${'[:'.repeat(MAX_OBJECT_KEYS)}"}`;
    expect(scan(inside)).toBeUndefined();
  });

  it('reads a quote after an even run of backslashes as the end of the string', () => {
    // `"\\\\"` is a string of two backslashes: the brackets after it are structure and count.
    const even = `["\\\\\\\\"${nested(MAX_BODY_DEPTH)}]`;
    expect(scan(even)).toMatch(/nests deeper/);
    // `"\\\\\\" ...` keeps going: an odd run escapes the quote, so the brackets are text.
    const odd = `["\\\\\\\\\\"${nested(MAX_BODY_DEPTH)}"]`;
    expect(scan(odd)).toBeUndefined();
  });

  it('leaves an unterminated string to the parser', () => {
    expect(scan(`["abc${nested(MAX_BODY_DEPTH + 5)}`)).toBeUndefined();
  });
});
