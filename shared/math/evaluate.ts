import type { Node } from './ast.ts';

/** An exact rational, always reduced, with a positive denominator. */
export interface Rat {
  n: bigint;
  d: bigint;
}

const MAX_BITS = 100_000;
const MAX_FACTORIAL = 5000;

/** Set when a value was refused for its size, so a false verdict can say `too_large` rather than just false. */
export interface EvalStats {
  overflow: boolean;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y) [x, y] = [y, x % y];
  return x;
}

export function rat(n: bigint, d: bigint = 1n): Rat | null {
  if (d === 0n) return null;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

function bits(x: bigint): number {
  return (x < 0n ? -x : x).toString(16).length * 4;
}

function parseDecimal(text: string): Rat | null {
  const [int = '', frac = ''] = text.split('.');
  return rat(BigInt((int || '0') + frac), 10n ** BigInt(frac.length));
}

function powRat(a: Rat, e: bigint, stats: EvalStats): Rat | null {
  if (e === 0n) return { n: 1n, d: 1n };
  if (a.n === 0n) return e > 0n ? a : null;
  if ((a.n === 1n || a.n === -1n) && a.d === 1n) return { n: e % 2n === 0n ? 1n : a.n, d: 1n };
  const size = Math.max(bits(a.n), bits(a.d)) * Number(e < 0n ? -e : e);
  if (size > MAX_BITS) {
    stats.overflow = true;
    return null;
  }
  const k = e < 0n ? -e : e;
  const r = rat(a.n ** k, a.d ** k);
  return r && e < 0n ? rat(r.d, r.n) : r;
}

function factorial(n: bigint, stats: EvalStats): bigint | null {
  if (n < 0n) return null;
  if (n > BigInt(MAX_FACTORIAL)) {
    stats.overflow = true;
    return null;
  }
  let r = 1n;
  for (let i = 2n; i <= n; i++) r *= i;
  return r;
}

/** The exact rational value of a tree without variables, or null (irrational, symbolic, undefined or too big). */
export function exactValue(node: Node, stats: EvalStats): Rat | null {
  switch (node.t) {
    case 'num':
      return parseDecimal(node.text);
    case 'neg': {
      const a = exactValue(node.a, stats);
      return a && { n: -a.n, d: a.d };
    }
    case 'pct': {
      const a = exactValue(node.a, stats);
      return a && rat(a.n, a.d * 100n);
    }
    case 'add':
    case 'mul': {
      let acc: Rat | null = node.t === 'add' ? { n: 0n, d: 1n } : { n: 1n, d: 1n };
      for (const arg of node.args) {
        const v = exactValue(arg, stats);
        if (!v || !acc) return null;
        acc = node.t === 'add' ? rat(acc.n * v.d + v.n * acc.d, acc.d * v.d) : rat(acc.n * v.n, acc.d * v.d);
        if (acc && bits(acc.n) + bits(acc.d) > 2 * MAX_BITS) {
          stats.overflow = true;
          return null;
        }
      }
      return acc;
    }
    case 'div': {
      const a = exactValue(node.a, stats);
      const b = exactValue(node.b, stats);
      return a && b ? rat(a.n * b.d, a.d * b.n) : null;
    }
    case 'pow': {
      const e = exactValue(node.b, stats);
      if (e?.d !== 1n) return null;
      const a = exactValue(node.a, stats);
      return a && powRat(a, e.n, stats);
    }
    case 'fn': {
      if (node.name === 'factorial') {
        const a = node.args[0] ? exactValue(node.args[0], stats) : null;
        if (a?.d !== 1n) return null;
        const f = factorial(a.n, stats);
        return f === null ? null : { n: f, d: 1n };
      }
      if (node.name === 'binom') {
        const [n, k] = node.args.map((x) => exactValue(x, stats));
        return n && k ? binomial(n, k, stats) : null;
      }
      if (node.name === 'base') return baseValue(node.args);
      const step = STEP_FUNCTIONS[node.name];
      if (step) {
        const args: Rat[] = [];
        for (const a of node.args) {
          const v = exactValue(a, stats);
          if (!v) return null;
          args.push(v);
        }
        return args.length ? step(args) : null;
      }
      if (node.name === 'sqrt') {
        const a = node.args[0] ? exactValue(node.args[0], stats) : null;
        if (!a || a.n < 0n) return null;
        const rn = isqrt(a.n);
        const rd = isqrt(a.d);
        return rn * rn === a.n && rd * rd === a.d ? { n: rn, d: rd } : null;
      }
      return null;
    }
    default:
      return null;
  }
}

/** C(n, k) for a whole k ≥ 0 as n(n-1)...(n-k+1)/k!: defined for every rational n, 0 when k > n ≥ 0. */
function binomial(n: Rat, k: Rat, stats: EvalStats): Rat | null {
  if (k.d !== 1n) return null;
  if (k.n < 0n) return n.d === 1n && n.n >= 0n ? { n: 0n, d: 1n } : null;
  if (k.n > BigInt(MAX_FACTORIAL) || (n.d === 1n && n.n > BigInt(MAX_FACTORIAL))) {
    stats.overflow = true;
    return null;
  }
  let r: Rat | null = { n: 1n, d: 1n };
  for (let i = 0n; i < k.n && r; i++) r = rat(r.n * (n.n - i * n.d), r.d * n.d * (i + 1n));
  return r;
}

const floorRat = (a: Rat): bigint => (a.n >= 0n ? a.n / a.d : -((-a.n + a.d - 1n) / a.d));
const integer = (n: bigint): Rat => ({ n, d: 1n });
const compareRat = (a: Rat, b: Rat): number => {
  const diff = a.n * b.d - b.n * a.d;
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
};

/** Piecewise and integer functions of exact rationals (sympy's conventions: Mod takes the divisor's sign). */
const one =
  (f: (a: Rat) => Rat | null) =>
  (args: Rat[]): Rat | null =>
    args.length === 1 ? f(args[0] as Rat) : null;

const STEP_FUNCTIONS: Record<string, (args: Rat[]) => Rat | null> = {
  abs: one((a) => ({ n: a.n < 0n ? -a.n : a.n, d: a.d })),
  floor: one((a) => integer(floorRat(a))),
  ceil: one((a) => integer(-floorRat({ n: -a.n, d: a.d }))),
  round: one((a) => {
    const half = floorRat({ n: 2n * (a.n < 0n ? -a.n : a.n) + a.d, d: 2n * a.d });
    return integer(a.n < 0n ? -half : half);
  }),
  frac: one((a) => rat(a.n - floorRat(a) * a.d, a.d)),
  sgn: one((a) => integer(a.n > 0n ? 1n : a.n < 0n ? -1n : 0n)),
  max: (args) => args.reduce((m, x) => (compareRat(x, m) > 0 ? x : m)),
  min: (args) => args.reduce((m, x) => (compareRat(x, m) < 0 ? x : m)),
  mod: ([a, b]) => {
    if (!a || !b || b.n === 0n) return null;
    const q = floorRat(rat(a.n * b.d, a.d * b.n) as Rat);
    return rat(a.n * b.d - q * b.n * a.d, a.d * b.d);
  },
  gcd: (args) =>
    args.length > 1 && args.every((x) => x.d === 1n) ? integer(args.map((x) => x.n).reduce(gcd)) : null,
  lcm: (args) =>
    args.length > 1 && args.every((x) => x.d === 1n)
      ? integer(
          args
            .map((x) => x.n)
            .reduce((a, b) => (a === 0n || b === 0n ? 0n : (a * b < 0n ? -a * b : a * b) / gcd(a, b))),
        )
      : null,
};

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

function baseValue(args: Node[]): Rat | null {
  const [digits, base] = args;
  if (digits?.t !== 'num' || base?.t !== 'num') return null;
  const b = Number(base.text);
  if (!Number.isInteger(b) || b < 2 || b > 36 || digits.text.includes('.')) return null;
  let v = 0n;
  for (const ch of digits.text) {
    const d = Number.parseInt(ch, 36);
    if (d >= b) return null;
    v = v * BigInt(b) + BigInt(d);
  }
  return { n: v, d: 1n };
}

export function ratToNumber(r: Rat): number {
  const v = Number(r.n) / Number(r.d);
  if (Number.isFinite(v) && v !== 0) return v;
  // Scale big numerators/denominators down together to keep the quotient representable.
  const shift = BigInt(Math.max(0, Math.max(bits(r.n), bits(r.d)) - 1000));
  return Number(r.n >> shift) / Number(r.d >> shift);
}
