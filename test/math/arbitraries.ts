/**
 * Generators for the math property suite (./properties.test.ts): answer values of each family, a
 * nearby different value of each, and random LaTeX renderings of a value that keep it (spacing,
 * `\dfrac`/`\tfrac`/`a/b`, `\left`/`\right`, element order of sets, equal fractions, thousands
 * separators, ...). A rendering's random choices come from a seed that fast-check generates and shrinks.
 */
import fc from 'fast-check';

// --- random choices of one rendering --------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so that one generated integer fixes every choice of a rendering. */
export class Style {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(options: readonly T[]): T {
    return options[this.int(options.length)] as T;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

/**
 * Spacing that LaTeX ignores in math mode. `\!` is left out: `4,\!100` is a thousands separator (4100).
 */
const SPACES = ['', '', '', ' ', '  ', '\\,', '\\;', '\\ ', '\\quad '];

/** Commands whose next token is their argument or delimiter: only plain spaces may come between. */
const TAKES_ARGUMENT = /^\\(?:[dt]?frac|sqrt|left|right)$/;

/**
 * Joins tokens with random spacing. Between a command and its argument (`\frac {3} {4}`, `\left (`) and
 * between two number tokens (`\frac34`) only plain spaces; a control word followed by a letter keeps one
 * space (`\cdot n`).
 */
export function join(tokens: readonly string[], st: Style): string {
  let out = '';
  for (const [i, tok] of tokens.entries()) {
    if (i > 0) {
      const prev = tokens[i - 1] as string;
      const plain =
        (/\d$/.test(prev) && /^\d/.test(tok)) || TAKES_ARGUMENT.test(prev) || (prev === '}' && tok === '{');
      let gap = plain ? st.pick(['', ' ']) : st.pick(SPACES);
      if (/\\[a-zA-Z]+$/.test(prev) && /^[a-zA-Z]/.test(tok) && !/\s$/.test(gap)) gap += ' ';
      out += gap;
    }
    out += tok;
  }
  return out;
}

/** Tokens of a delimited group: `(`...`)` or `\left(`...`\right)`. */
function delimited(open: string, inner: string[], close: string, st: Style): string[] {
  return st.chance(0.4) ? ['\\left', open, ...inner, '\\right', close] : [open, ...inner, close];
}

// --- exact rationals ------------------------------------------------------------------------------------

export interface Rational {
  n: bigint;
  d: bigint;
}

const abs = (x: bigint) => (x < 0n ? -x : x);
function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [abs(a), abs(b)];
  while (y) [x, y] = [y, x % y];
  return x;
}

export function rational(n: bigint, d: bigint): Rational {
  if (d === 0n) throw new Error('zero denominator');
  const g = gcd(n, d) || 1n;
  const s = d < 0n ? -1n : 1n;
  return { n: (s * n) / g, d: (s * d) / g };
}

export const sameRational = (a: Rational, b: Rational) => a.n * b.d === b.n * a.d;
export const ratLess = (a: Rational, b: Rational) => a.n * b.d < b.n * a.d;
export const ratAdd = (a: Rational, k: bigint) => rational(a.n + k * a.d, a.d);
export const ratValue = (a: Rational) => Number(a.n) / Number(a.d);

/** A terminating decimal for `q` with at most 6 places, or null. */
function decimal(q: Rational): string | null {
  for (let places = 1; places <= 6; places++) {
    const scale = 10n ** BigInt(places);
    if ((q.n * scale) % q.d !== 0n) continue;
    const v = (q.n * scale) / q.d;
    const digits = abs(v)
      .toString()
      .padStart(places + 1, '0');
    return `${v < 0n ? '-' : ''}${digits.slice(0, -places)}.${digits.slice(-places)}`;
  }
  return null;
}

/** Tokens of a rational, written in one of its equal forms. `slash` allows `a/b` (not inside a power). */
export function rationalTokens(q: Rational, st: Style, slash = true): string[] {
  const neg = q.n < 0n;
  const n = abs(q.n);
  if (q.d === 1n) {
    const style = st.int(10);
    if (style === 0 && n < 10n ** 15n) return [`${q.n}.0`];
    if (style === 1) {
      const k = BigInt(2 + st.int(3));
      return [...(neg ? ['-'] : []), '\\frac', '{', `${n * k}`, '}', '{', `${k}`, '}'];
    }
    return neg ? ['-', `${n}`] : [`${n}`];
  }
  const dec = decimal(q);
  if (dec !== null && st.chance(0.2)) return [dec];
  const k = st.chance(0.25) ? BigInt(2 + st.int(3)) : 1n;
  const [num, den] = [`${n * k}`, `${q.d * k}`];
  if (slash && st.chance(0.2)) return [...(neg ? ['-'] : []), num, '/', den];
  const cmd = st.pick(['\\frac', '\\frac', '\\dfrac', '\\tfrac']);
  const short = num.length === 1 && den.length === 1 && st.chance(0.4);
  const body = short ? [cmd, num, den] : [cmd, '{', num, '}', '{', den, '}'];
  if (!neg) return body;
  if (!short && st.chance(0.3)) return [cmd, '{', `-${num}`, '}', '{', den, '}'];
  return ['-', ...body];
}

// --- integers ---------------------------------------------------------------------------------------------

/** Small, medium and long integers (up to 25 digits: exact, beyond doubles). */
export const integerArb = fc.oneof(
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
  fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }),
);

/** An integer answer as a whole answer: thousands separators (`12,345`, `12{,}345`, `12\,345`) allowed. */
export function renderInteger(v: bigint, st: Style): string {
  const digits = abs(v).toString();
  if (digits.length > 3 && st.chance(0.3)) {
    const sep = st.pick([',', '{,}', '\\,', ' ', ',\\!']);
    const groups: string[] = [];
    for (let end = digits.length; end > 0; end -= 3) groups.unshift(digits.slice(Math.max(0, end - 3), end));
    return `${v < 0n ? '-' : ''}${groups.join(sep)}`;
  }
  if (v > 0n && st.chance(0.05)) return `+${v}`;
  return join(rationalTokens(rational(v, 1n), st), st);
}

/** Replaces one digit of `|v|` by another (a leading digit by another non-zero one). */
export function changeDigit(v: bigint, position: number, by: number): bigint {
  const digits = abs(v).toString();
  const i = position % digits.length;
  const old = Number(digits[i]);
  const choices = [...'0123456789']
    .map(Number)
    .filter((x) => x !== old && (i > 0 || x !== 0 || digits.length === 1));
  const next = `${digits.slice(0, i)}${choices[by % choices.length]}${digits.slice(i + 1)}`;
  return v < 0n ? -BigInt(next) : BigInt(next);
}

/** An integer and a different one: ± 1, a changed digit, the sign flipped. */
export const nearbyInteger = (v: bigint) =>
  fc
    .oneof(
      fc.constantFrom(v + 1n, v - 1n),
      fc.tuple(fc.nat(30), fc.nat(9)).map(([pos, by]) => changeDigit(v, pos, by)),
      fc.constant(-v),
    )
    .filter((w) => w !== v);

// --- rationals --------------------------------------------------------------------------------------------

/** Non-integer rationals with denominators up to 200 (so distinct values differ far beyond 6 decimals). */
export const rationalArb = fc
  .tuple(fc.bigInt({ min: -9999n, max: 9999n }), fc.bigInt({ min: 2n, max: 200n }))
  .map(([n, d]) => rational(n, d))
  .filter((q) => q.d !== 1n);

/** A different rational: numerator or denominator ± 1 or a digit changed, or the sign flipped. */
export const nearbyRational = (q: Rational) =>
  fc
    .oneof(
      fc.constantFrom(1n, -1n).map((k) => ({ n: q.n + k, d: q.d })),
      fc.constantFrom(1n, -1n).map((k) => ({ n: q.n, d: q.d + k })),
      fc.tuple(fc.nat(10), fc.nat(9)).map(([p, by]) => ({ n: changeDigit(q.n, p, by), d: q.d })),
      fc.tuple(fc.nat(10), fc.nat(9)).map(([p, by]) => ({ n: q.n, d: changeDigit(q.d, p, by) })),
      fc.constant({ n: -q.n, d: q.d }),
    )
    .filter((r) => r.d !== 0n)
    .map((r) => rational(r.n, r.d))
    .filter((r) => !sameRational(r, q) && !withinShownPlaces(r, q));

/**
 * The verifier reads a decimal of 4 or more significant digits as rounded to its last place (on
 * purpose), so `11.99` may stand for 11.995: a nearby value rendered as such a decimal must differ by
 * more than half a unit of its last place.
 */
function withinShownPlaces(r: Rational, q: Rational): boolean {
  const dec = decimal(r);
  if (dec === null) return false;
  const places = dec.length - dec.indexOf('.') - 1;
  const diff = rational(r.n * q.d - q.n * r.d, r.d * q.d);
  // |r - q| <= 1/2 * 10^-places
  return abs(diff.n) * 2n * 10n ** BigInt(places) <= diff.d;
}

export const renderRational = (q: Rational, st: Style) => join(rationalTokens(q, st), st);

// --- radicals: (p + q sqrt(b)) / c -------------------------------------------------------------------------

export interface Radical {
  p: bigint;
  q: bigint;
  b: bigint;
  c: bigint;
}

const SQUAREFREE = [2n, 3n, 5n, 6n, 7n, 10n, 11n, 13n, 14n, 15n, 17n, 19n, 21n, 22n, 23n, 26n, 29n, 30n];

export const radicalArb = fc
  .record({
    p: fc.oneof(fc.constant(0n), fc.bigInt({ min: -20n, max: 20n })),
    q: fc.bigInt({ min: -12n, max: 12n }).filter((q) => q !== 0n),
    b: fc.constantFrom(...SQUAREFREE),
    c: fc.oneof(fc.constant(1n), fc.bigInt({ min: 2n, max: 12n })),
  })
  .map((r) => {
    const g = gcd(gcd(r.p, r.q), r.c) || 1n;
    return { p: r.p / g, q: r.q / g, b: r.b, c: r.c / g };
  });

export const radicalValue = (r: Radical) =>
  (Number(r.p) + Number(r.q) * Math.sqrt(Number(r.b))) / Number(r.c);

/** A different radical: p, q or c moved by one, or another square-free radicand. */
export const nearbyRadical = (r: Radical) =>
  fc
    .oneof(
      fc.constantFrom(1n, -1n).map((k) => ({ ...r, p: r.p + k })),
      fc.constantFrom(1n, -1n).map((k) => ({ ...r, q: r.q + k })),
      fc.constantFrom(1n, -1n).map((k) => ({ ...r, c: r.c + k })),
      fc.constantFrom(...SQUAREFREE).map((b) => ({ ...r, b })),
    )
    .filter((s) => s.c > 0n && Math.abs(radicalValue(s) - radicalValue(r)) > 1e-4);

/** `q\sqrt{b}` in one of its forms (`\sqrt{q^2 b}`, `q \cdot \sqrt{b}`, `\sqrt{b} q`), sign outside. */
function surdTokens(q: bigint, b: bigint, st: Style): string[] {
  const m = abs(q);
  const sign = q < 0n ? ['-'] : [];
  const root = st.chance(0.2) && b < 10n ? ['\\sqrt', `${b}`] : ['\\sqrt', '{', `${b}`, '}'];
  if (m === 1n) return [...sign, ...root];
  const style = st.int(5);
  if (style === 0) return [...sign, '\\sqrt', '{', `${m * m * b}`, '}'];
  if (style === 1) return [...sign, `${m}`, st.pick(['\\cdot', '\\times']), ...root];
  if (style === 2) return [...sign, ...root, st.pick(['\\cdot', '\\times']), `${m}`];
  return [...sign, `${m}`, ...root];
}

/** `a + b` or `b + a` with the sign of the second term folded in. */
function sumTokens(terms: string[][], st: Style): string[] {
  const order = st.shuffle(terms.filter((t) => t.length > 0));
  const out: string[] = [];
  for (const [i, t] of order.entries()) {
    if (i > 0 && t[0] !== '-') out.push('+');
    out.push(...t);
  }
  return out.length ? out : ['0'];
}

export function renderRadical(r: Radical, st: Style): string {
  const c = r.c;
  if (c === 1n) {
    const p = r.p === 0n ? [] : [`${r.p}`].flatMap((s) => (s.startsWith('-') ? ['-', s.slice(1)] : [s]));
    return join(sumTokens([p, surdTokens(r.q, r.b, st)], st), st);
  }
  const style = st.int(3);
  if (style === 0) {
    // Two fractions: p/c + (q/c) sqrt(b).
    const pc = rational(r.p, c);
    const qc = rational(r.q, c);
    const first = r.p === 0n ? [] : rationalTokens(pc, st, false);
    const coef = rationalTokens(rational(abs(qc.n), qc.d), st, false);
    const root = ['\\sqrt', '{', `${r.b}`, '}'];
    const second = [...(qc.n < 0n ? ['-'] : []), ...coef, ...root];
    return join(sumTokens([first, second], st), st);
  }
  const p = r.p === 0n ? [] : r.p < 0n ? ['-', `${-r.p}`] : [`${r.p}`];
  const num = sumTokens([p, surdTokens(r.q, r.b, st)], st);
  if (style === 1) return join(['(', ...num, ')', '/', `${c}`], st);
  return join([st.pick(['\\frac', '\\dfrac']), '{', ...num, '}', '{', `${c}`, '}'], st);
}

// --- sets, tuples, matrices of small rationals ---------------------------------------------------------------

/** Small integers and simple fractions, the usual entries of sets, tuples, intervals and matrices. */
export const entryArb = fc.oneof(
  { weight: 3, arbitrary: fc.bigInt({ min: -50n, max: 50n }).map((n) => rational(n, 1n)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.bigInt({ min: -30n, max: 30n }), fc.bigInt({ min: 2n, max: 9n }))
      .map(([n, d]) => rational(n, d)),
  },
);

/** An entry moved by ± 1 or ± 1/2 (always a different value). */
export const nearbyEntry = (q: Rational) =>
  fc.constantFrom(rational(2n, 1n), rational(-2n, 1n), rational(1n, 1n), rational(-1n, 1n)).map((k) =>
    // q + k/2
    rational(q.n * 2n * k.d + k.n * q.d, 2n * q.d * k.d),
  );

const listTokens = (items: Rational[], st: Style) =>
  items.flatMap((q, i) => [...(i > 0 ? [','] : []), ...rationalTokens(q, st)]);

export const setArb = fc.uniqueArray(entryArb, {
  minLength: 2,
  maxLength: 5,
  comparator: sameRational,
});

export const renderSet = (items: Rational[], st: Style) =>
  join(delimited('\\{', listTokens(st.shuffle(items), st), '\\}', st), st);

export const sameSet = (a: Rational[], b: Rational[]) =>
  a.length === b.length && a.every((x) => b.some((y) => sameRational(x, y)));

/** A different set: one element moved, one dropped, or a new one added. */
export const nearbySet = (items: Rational[]) =>
  fc
    .oneof(
      fc
        .nat(items.length - 1)
        .chain((i) => nearbyEntry(items[i] as Rational).map((x) => items.map((y, j) => (j === i ? x : y)))),
      fc.nat(items.length - 1).map((i) => items.filter((_, j) => j !== i)),
      entryArb.map((x) => [...items, x]),
    )
    .map((xs) => xs.filter((x, i) => xs.findIndex((y) => sameRational(x, y)) === i))
    .filter((xs) => !sameSet(xs, items));

export const tupleArb = fc.array(entryArb, { minLength: 2, maxLength: 4 });

export const renderTuple = (items: Rational[], st: Style) =>
  join(delimited('(', listTokens(items, st), ')', st), st);

export const sameList = (a: Rational[], b: Rational[]) =>
  a.length === b.length && a.every((x, i) => sameRational(x, b[i] as Rational));

/** A different tuple: two unequal entries swapped, or one entry moved. */
export const nearbyTuple = (items: Rational[]) =>
  fc
    .oneof(
      fc
        .tuple(fc.nat(items.length - 1), fc.nat(items.length - 1))
        .map(([i, j]) =>
          items.map((x, k) => (k === i ? (items[j] as Rational) : k === j ? (items[i] as Rational) : x)),
        ),
      fc
        .nat(items.length - 1)
        .chain((i) => nearbyEntry(items[i] as Rational).map((x) => items.map((y, j) => (j === i ? x : y)))),
    )
    .filter((xs) => !sameList(xs, items));

export const matrixArb = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
  .filter(([r, c]) => r * c > 1)
  .chain(([r, c]) =>
    fc.array(fc.array(entryArb, { minLength: c, maxLength: c }), { minLength: r, maxLength: r }),
  );

export function renderMatrix(m: Rational[][], st: Style): string {
  const rows = m.map((row) => row.flatMap((q, i) => [...(i > 0 ? ['&'] : []), ...rationalTokens(q, st)]));
  const body = rows.flatMap((row, i) => [...(i > 0 ? ['\\\\'] : []), ...row]);
  if (st.chance(0.2)) body.push('\\\\');
  const env = st.pick(['pmatrix', 'bmatrix', 'matrix']);
  const inner = [`\\begin{${env}}`, ...body, `\\end{${env}}`];
  if (env !== 'matrix') return join(inner, st);
  const [open, close] = st.pick([
    ['(', ')'],
    ['[', ']'],
  ]);
  return join(delimited(open as string, inner, close as string, st), st);
}

export const sameMatrix = (a: Rational[][], b: Rational[][]) =>
  a.length === b.length && a.every((row, i) => sameList(row, b[i] as Rational[]));

/** A different matrix: one entry moved, transposed, or two rows swapped. */
export const nearbyMatrix = (m: Rational[][]) =>
  fc
    .oneof(
      fc
        .tuple(fc.nat(m.length - 1), fc.nat((m[0] as Rational[]).length - 1))
        .chain(([i, j]) =>
          nearbyEntry((m[i] as Rational[])[j] as Rational).map((x) =>
            m.map((row, a) => row.map((y, b) => (a === i && b === j ? x : y))),
          ),
        ),
      fc.constant((m[0] as Rational[]).map((_, j) => m.map((row) => row[j] as Rational))),
      fc
        .tuple(fc.nat(m.length - 1), fc.nat(m.length - 1))
        .map(([i, j]) =>
          m.map((row, k) => (k === i ? (m[j] as Rational[]) : k === j ? (m[i] as Rational[]) : row)),
        ),
    )
    .filter((x) => !sameMatrix(x, m));

// --- intervals and unions of intervals ---------------------------------------------------------------------

export interface Interval {
  lo: Rational | null; // null: -infinity
  hi: Rational | null; // null: +infinity
  loClosed: boolean;
  hiClosed: boolean;
}

/** One interval, or two disjoint ones with a gap between them; infinite ends are open. */
export const intervalsArb = fc
  .tuple(
    fc.uniqueArray(entryArb, { minLength: 4, maxLength: 4, comparator: sameRational }),
    fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    fc.boolean(),
  )
  .map(([ends, flags, two]) => {
    const e = [...ends].sort((a, b) => (ratLess(a, b) ? -1 : 1));
    const [infLo, infHi, c0, c1, c2, c3] = flags;
    const mk = (lo: Rational | null, hi: Rational | null, lc: boolean, hc: boolean): Interval => ({
      lo,
      hi,
      loClosed: lo !== null && lc,
      hiClosed: hi !== null && hc,
    });
    // One finite end at least: (-\infty, \infty) has no nearby interval of this kind.
    if (!two)
      return [mk(infLo ? null : (e[0] as Rational), infHi && !infLo ? null : (e[3] as Rational), !!c0, !!c1)];
    return [
      mk(infLo ? null : (e[0] as Rational), e[1] as Rational, !!c0, !!c1),
      mk(e[2] as Rational, infHi ? null : (e[3] as Rational), !!c2, !!c3),
    ];
  });

const sameEnd = (a: Rational | null, b: Rational | null) =>
  a === null || b === null ? a === b : sameRational(a, b);
export const sameIntervals = (a: Interval[], b: Interval[]) =>
  a.length === b.length &&
  a.every(
    (x, i) =>
      sameEnd(x.lo, (b[i] as Interval).lo) &&
      sameEnd(x.hi, (b[i] as Interval).hi) &&
      x.loClosed === (b[i] as Interval).loClosed &&
      x.hiClosed === (b[i] as Interval).hiClosed,
  );

/** Sorted, disjoint with a gap, non-empty: then two such lists describe the same set only when equal. */
function wellFormed(xs: Interval[]): boolean {
  return xs.every((x, i) => {
    if (x.lo !== null && x.hi !== null && !ratLess(x.lo, x.hi)) return false;
    const next = xs[i + 1];
    return !next || (x.hi !== null && next.lo !== null && ratLess(x.hi, next.lo));
  });
}

/** A different set: a finite end opened or closed, a finite end moved, or one interval of a union dropped. */
export const nearbyIntervals = (xs: Interval[]) =>
  fc
    .oneof(
      fc.tuple(fc.nat(xs.length - 1), fc.boolean()).map(([i, low]) =>
        xs.map((x, j) => {
          if (j !== i) return x;
          if (low) return x.lo === null ? x : { ...x, loClosed: !x.loClosed };
          return x.hi === null ? x : { ...x, hiClosed: !x.hiClosed };
        }),
      ),
      fc.tuple(fc.nat(xs.length - 1), fc.boolean(), fc.constantFrom(1n, -1n)).map(([i, low, k]) =>
        xs.map((x, j) => {
          if (j !== i) return x;
          if (low) return x.lo === null ? x : { ...x, lo: ratAdd(x.lo, k) };
          return x.hi === null ? x : { ...x, hi: ratAdd(x.hi, k) };
        }),
      ),
      fc.nat(xs.length - 1).map((i) => xs.filter((_, j) => j !== i)),
    )
    .filter((ys) => ys.length > 0 && wellFormed(ys) && !sameIntervals(ys, xs));

function intervalTokens(x: Interval, st: Style): string[] {
  const lo = x.lo === null ? ['-', '\\infty'] : rationalTokens(x.lo, st);
  const hi = x.hi === null ? (st.chance(0.3) ? ['+', '\\infty'] : ['\\infty']) : rationalTokens(x.hi, st);
  return delimited(x.loClosed ? '[' : '(', [...lo, ',', ...hi], x.hiClosed ? ']' : ')', st);
}

export const renderIntervals = (xs: Interval[], st: Style) =>
  join(
    st.shuffle(xs).flatMap((x, i) => [...(i > 0 ? ['\\cup'] : []), ...intervalTokens(x, st)]),
    st,
  );

// --- step and piecewise functions of n: floor, ceil, |.|, max, min ------------------------------------------

export type Step =
  | { kind: 'floor' | 'ceil'; a: number; b: number; d: number }
  | { kind: 'abs'; a: number; b: number }
  | { kind: 'max' | 'min'; a: number; b: number; c: number };

/** k * F(n) + e, F one step/piecewise function of a linear an + b. */
export interface StepExpr {
  f: Step;
  k: number;
  e: number;
}

const gcdN = (a: number, b: number): number => (b === 0 ? a : gcdN(b, a % b));

/**
 * For floor/ceil, gcd(a, d) = 1 so that an + b takes every residue mod d (floor and ceil then differ at
 * integers); for max, c > a + b so that both branches are taken at positive n.
 */
export const stepArb: fc.Arbitrary<StepExpr> = fc.record({
  f: fc.oneof(
    fc
      .record({
        kind: fc.constantFrom('floor' as const, 'ceil' as const),
        a: fc.integer({ min: 1, max: 3 }),
        d: fc.integer({ min: 2, max: 9 }),
        b: fc.integer({ min: 0, max: 8 }),
      })
      .filter((s) => gcdN(s.a, s.d) === 1),
    fc.record({
      kind: fc.constant('abs' as const),
      a: fc.integer({ min: 1, max: 3 }),
      b: fc.integer({ min: -9, max: 9 }),
    }),
    fc
      .record({
        kind: fc.constantFrom('max' as const, 'min' as const),
        a: fc.integer({ min: 1, max: 3 }),
        b: fc.integer({ min: -5, max: 5 }),
        c: fc.integer({ min: 1, max: 10 }),
      })
      .map((s) => ({ ...s, c: s.a + s.b + s.c })),
  ),
  k: fc.constantFrom(1, 1, 1, -1, 2, 3),
  e: fc.integer({ min: -5, max: 5 }),
});

/**
 * A different function of n (different at some positive integer n, and on the reals): the divisor inside
 * floor/ceil changed, floor and ceil swapped, the centre of |.| or the constant of max/min moved, the
 * outer constant moved or the outer factor negated.
 */
export function nearbyStep(s: StepExpr): fc.Arbitrary<StepExpr> {
  const f = s.f;
  const inner: fc.Arbitrary<Step>[] = [];
  if (f.kind === 'floor' || f.kind === 'ceil') {
    inner.push(
      fc
        .integer({ min: 2, max: 9 })
        .filter((d) => d !== f.d)
        .map((d) => ({ ...f, d })),
    );
    inner.push(fc.constant({ ...f, kind: f.kind === 'floor' ? ('ceil' as const) : ('floor' as const) }));
  } else if (f.kind === 'abs') {
    inner.push(fc.constantFrom(1, -1).map((k) => ({ ...f, b: f.b + k })));
  } else if ('c' in f) {
    inner.push(fc.constantFrom(1, -1).map((k) => ({ ...f, c: f.c + k })));
  }
  return fc
    .oneof(
      fc.oneof(...inner).map((g) => ({ ...s, f: g })),
      fc.constantFrom(1, -1).map((k) => ({ ...s, e: s.e + k })),
      fc.constant({ ...s, k: -s.k }),
    )
    .filter((t) => POSITIVE_N.some((n) => evalStep(t, n) !== evalStep(s, n)));
}

const POSITIVE_N = Array.from({ length: 60 }, (_, i) => i + 1);

/** `a n` as `n`, `2n`, `2 n`, `2\cdot n`. */
function termN(a: number, st: Style): string[] {
  if (a === 1) return ['n'];
  return st.chance(0.2) ? [`${a}`, '\\cdot', 'n'] : [`${a}`, 'n'];
}

/** `an + b` in either order. */
function linearTokens(a: number, b: number, st: Style): string[] {
  if (b === 0) return termN(a, st);
  const constant = b < 0 ? ['-', `${-b}`] : [`${b}`];
  return sumTokens([termN(a, st), constant], st);
}

function stepTokens(f: Step, st: Style): string[] {
  if (f.kind === 'floor' || f.kind === 'ceil') {
    const lin = linearTokens(f.a, f.b, st);
    const style = st.int(4);
    let body: string[];
    if (style === 0) body = [...(lin.length > 1 ? ['(', ...lin, ')'] : lin), '/', `${f.d}`];
    else if (style === 1) body = ['\\frac', `1`, `${f.d}`, ...(lin.length > 1 ? ['(', ...lin, ')'] : lin)];
    else body = [st.pick(['\\frac', '\\dfrac', '\\tfrac']), '{', ...lin, '}', '{', `${f.d}`, '}'];
    const [l, r] = f.kind === 'floor' ? ['\\lfloor', '\\rfloor'] : ['\\lceil', '\\rceil'];
    return st.chance(0.4) ? ['\\left', l, ...body, '\\right', r] : [l, ...body, r];
  }
  if (f.kind === 'abs') {
    // |an - b| or |b - an|
    const lin = st.chance(0.5)
      ? linearTokens(f.a, -f.b, st)
      : sumTokens(
          [
            [`${f.b}`].flatMap((x) => (x.startsWith('-') ? ['-', x.slice(1)] : [x])),
            ['-', ...termN(f.a, st)],
          ],
          st,
        );
    const style = st.int(3);
    if (style === 0) return ['\\left', '|', ...lin, '\\right', '|'];
    if (style === 1) return ['\\lvert', ...lin, '\\rvert'];
    return ['|', ...lin, '|'];
  }
  if (!('c' in f)) throw new Error(`unknown step ${f.kind}`);
  const args = st.shuffle([linearTokens(f.a, f.b, st), f.c < 0 ? ['-', `${-f.c}`] : [`${f.c}`]]);
  return [
    `\\${f.kind}`,
    ...delimited('(', [...(args[0] as string[]), ',', ...(args[1] as string[])], ')', st),
  ];
}

export function renderStep(s: StepExpr, st: Style): string {
  const f = stepTokens(s.f, st);
  const m = Math.abs(s.k);
  const scaled = m === 1 ? f : st.chance(0.3) ? [`${m}`, '\\cdot', ...f] : [`${m}`, ...f];
  const main = s.k < 0 ? ['-', ...scaled] : scaled;
  if (s.e === 0) return join(main, st);
  const constant = s.e < 0 ? ['-', `${-s.e}`] : [`${s.e}`];
  return join(sumTokens([main, constant], st), st);
}

/** The value of a StepExpr at n (for checking that a mutation really changes the function). */
export function evalStep(s: StepExpr, n: number): number {
  const f = s.f;
  let v: number;
  if ('d' in f) v = (f.kind === 'floor' ? Math.floor : Math.ceil)((f.a * n + f.b) / f.d);
  else if ('c' in f) v = (f.kind === 'max' ? Math.max : Math.min)(f.a * n + f.b, f.c);
  else v = Math.abs(f.a * n - f.b);
  return s.k * v + s.e;
}

// --- responses ---------------------------------------------------------------------------------------------

/** Responses that state `answer` as the final boxed answer, in the convention the prompts ask for. */
export function respond(answer: string, st: Style): string {
  const templates = [
    (a: string) => `\\boxed{${a}}`,
    (a: string) => `The final answer is $\\boxed{${a}}$.`,
    (a: string) =>
      `<think>\nWork it out step by step.\n</think>\n\nTherefore the answer is \\(\\boxed{${a}}\\).`,
  ];
  return st.pick(templates)(answer);
}

export const styleArb = fc.integer({ min: 0, max: 0x7fffffff });
