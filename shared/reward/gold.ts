/**
 * What a ground truth is, read from its shape alone: math golds are text, numbers or lists of text; code
 * golds are tests (an object, a list of test cases, or the JSON text of either). Each check looks at the
 * top of the value only (a string's leading whitespace at most), so it costs nothing however large the tests.
 */

/** True for tests: an object, a list whose first entry is an object, or a JSON string of either. */
export function looksLikeTests(gold: unknown): boolean {
  if (typeof gold === 'string') return looksLikeTestsJson(gold);
  if (Array.isArray(gold)) return isObject(gold[0]);
  return isObject(gold);
}

/** The acceptable answers of a math gold, or undefined when the value is not one. */
export function mathGolds(gold: unknown): string[] | undefined {
  if (typeof gold === 'string') return [gold];
  if (typeof gold === 'number' && Number.isFinite(gold)) return [String(gold)];
  if (Array.isArray(gold) && gold.length > 0 && gold.every((g) => typeof g === 'string')) return gold;
  return undefined;
}

/** What a math gold may be, for messages. */
export const MATH_GOLD = 'a string, a number or a non-empty list of strings';

/**
 * `{"…` (an object with a key) or `[{…` (a list of objects), whitespace allowed between. No math answer
 * starts like that: LaTeX sets are `\{…\}`, and `{1, 2}` or `[1, 2]` have no quote or brace inside.
 */
function looksLikeTestsJson(text: string): boolean {
  let i = skipSpace(text, 0);
  if (text[i] === '[') i = skipSpace(text, i + 1);
  else if (text[i] !== '{') return false;
  if (text[i] !== '{') return false;
  const next = text[skipSpace(text, i + 1)];
  return next === '"' || next === '}';
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t'))
    i++;
  return i;
}

function isObject(x: unknown): boolean {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
