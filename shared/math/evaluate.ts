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
        if (!n || !k || n.d !== 1n || k.d !== 1n || k.n < 0n || n.n < 0n || k.n > n.n) return null;
        if (n.n > BigInt(MAX_FACTORIAL)) {
          stats.overflow = true;
          return null;
        }
        let r = 1n;
        for (let i = 0n; i < k.n; i++) r = (r * (n.n - i)) / (i + 1n);
        return { n: r, d: 1n };
      }
      if (node.name === 'base') return baseValue(node.args);
      if (node.name === 'abs') {
        const a = node.args[0] ? exactValue(node.args[0], stats) : null;
        return a && { n: a.n < 0n ? -a.n : a.n, d: a.d };
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
