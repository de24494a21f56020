/**
 * The stdout judge's rule for one token pair, and the number comparison it shares with call results.
 *
 * A token passes when it equals the expected token as text. Only when the expected token is a real
 * literal (`[+-]?(digits[.digits] | .digits)[e[+-]digits]` with a `.` or an exponent) may a differently
 * written number pass: one equal as an exact decimal (`1.50` = `1.5`, `15e-1` = `1.5`, `2` = `2.0`), or,
 * with a tolerance, one within it. An expected integer, word or anything else compares exactly, so
 * `0011`, `007`, `+5` and `1e2` fail for `11`, `7`, `5` and `100`, and `1e9` fails for `1000000007`.
 *
 * Every function here is one pass over its input with no regular expression: tokens come from program
 * output, which may be a megabyte of digits.
 */

/** Where the parts of a decimal literal lie in its text. */
interface Literal {
  negative: boolean;
  intStart: number;
  intEnd: number;
  fracStart: number;
  fracEnd: number;
  expNegative: boolean;
  expStart: number;
  expEnd: number;
  /** Written with a `.` or an exponent. */
  real: boolean;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const digitsFrom = (t: string, i: number) => {
  while (i < t.length && isDigit(t.charCodeAt(i))) i++;
  return i;
};

/** The decimal literal `token` is, or null when it is none (hex, `inf`, words, a lone sign or dot). */
function scanDecimal(token: string): Literal | null {
  let i = 0;
  const first = token.charCodeAt(0);
  const negative = first === 45; // '-'
  if (negative || first === 43) i++; // '+'
  const intStart = i;
  const intEnd = digitsFrom(token, i);
  i = intEnd;
  let fracStart = i;
  let fracEnd = i;
  let real = false;
  if (token.charCodeAt(i) === 46) {
    real = true;
    fracStart = i + 1;
    fracEnd = digitsFrom(token, fracStart);
    i = fracEnd;
  }
  if (intEnd === intStart && fracEnd === fracStart) return null;
  let expNegative = false;
  let expStart = i;
  let expEnd = i;
  const e = token.charCodeAt(i);
  if (e === 101 || e === 69) {
    real = true;
    i++;
    const sign = token.charCodeAt(i);
    expNegative = sign === 45;
    if (expNegative || sign === 43) i++;
    expStart = i;
    expEnd = digitsFrom(token, i);
    if (expEnd === expStart) return null;
    i = expEnd;
  }
  if (i !== token.length) return null;
  return { negative, intStart, intEnd, fracStart, fracEnd, expNegative, expStart, expEnd, real };
}

/** Exponents longer than this are not normalised (the value is 0 or infinite as a double anyway). */
const MAX_EXPONENT_DIGITS = 15;

/**
 * The literal as `[-]significand e exponent` with no leading or trailing zeros in the significand, so
 * that equal decimals give equal strings (`0` for any zero); null when its exponent is too long.
 */
function canonicalDecimal(token: string, lit: Literal): string | null {
  const digits = token.slice(lit.intStart, lit.intEnd) + token.slice(lit.fracStart, lit.fracEnd);
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 48) first++;
  if (first === digits.length) return '0';
  let last = digits.length - 1;
  while (digits.charCodeAt(last) === 48) last--;
  let expFirst = lit.expStart;
  while (expFirst < lit.expEnd && token.charCodeAt(expFirst) === 48) expFirst++;
  if (lit.expEnd - expFirst > MAX_EXPONENT_DIGITS) return null;
  const written = expFirst === lit.expEnd ? 0 : Number(token.slice(expFirst, lit.expEnd));
  const trailingZeros = digits.length - 1 - last;
  const exponent = (lit.expNegative ? -written : written) - (lit.fracEnd - lit.fracStart) + trailingZeros;
  return `${lit.negative ? '-' : ''}${digits.slice(first, last + 1)}e${exponent}`;
}

/** |got - expected| <= tolerance * max(1, |expected|): absolute or relative error, Codeforces-style. */
export function numbersClose(got: number, expected: number, tolerance: number): boolean {
  if (!Number.isFinite(got) || !Number.isFinite(expected)) return false;
  if (got === expected) return true;
  return Math.abs(got - expected) <= tolerance * Math.max(1, Math.abs(expected));
}

/** The stdout rule for one token: see the top of this file. `tolerance` 0 means exact decimals only. */
export function tokensEqual(got: string, expected: string, tolerance: number): boolean {
  if (got === expected) return true;
  const want = scanDecimal(expected);
  if (want === null || !want.real) return false;
  const have = scanDecimal(got);
  if (have === null) return false;
  // Number() accepts every literal scanDecimal does, in time linear in its length. Equal decimals are
  // equal doubles, so with a tolerance the exact comparison is needed only past a double's range.
  const a = Number(got);
  const b = Number(expected);
  if (tolerance > 0 && Number.isFinite(a) && Number.isFinite(b)) return numbersClose(a, b, tolerance);
  const canonical = canonicalDecimal(expected, want);
  return canonical !== null && canonical === canonicalDecimal(got, have);
}
