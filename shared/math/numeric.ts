import type { Node } from './ast.ts';
import { type EvalStats, exactValue, ratToNumber } from './evaluate.ts';

/** A complex number; real values have im === 0. */
export interface C {
  re: number;
  im: number;
}
export type Value = C | { rows: C[][] };

const c = (re: number, im = 0): C => ({ re, im });
const isMatrix = (v: Value): v is { rows: C[][] } => 'rows' in v;

function add(a: C, b: C): C {
  return c(a.re + b.re, a.im + b.im);
}
function mulC(a: C, b: C): C {
  return c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
}
function divC(a: C, b: C): C {
  const den = b.re * b.re + b.im * b.im;
  return c((a.re * b.re + a.im * b.im) / den, (a.im * b.re - a.re * b.im) / den);
}
function expC(a: C): C {
  const m = Math.exp(a.re);
  return a.im === 0 ? c(m) : c(m * Math.cos(a.im), m * Math.sin(a.im));
}
function logC(a: C): C {
  return c(Math.log(Math.hypot(a.re, a.im)), Math.atan2(a.im, a.re));
}

function powC(a: C, b: C): C {
  if (a.im === 0 && b.im === 0) {
    if (a.re >= 0 || Number.isInteger(b.re)) return c(a.re ** b.re);
    // A negative base under a rational power with an odd denominator has a real root: (-8)^(1/3) = -2.
    for (const den of [3, 5, 7, 9]) {
      const num = Math.round(b.re * den);
      if (Math.abs(num / den - b.re) < 1e-12 && num % 2 !== 0) return c(-((-a.re) ** b.re));
      if (Math.abs(num / den - b.re) < 1e-12) return c((-a.re) ** b.re);
    }
  }
  if (a.re === 0 && a.im === 0) return c(0);
  return expC(mulC(b, logC(a)));
}

function real1(f: (x: number) => number): (a: C) => C {
  return (a) => (a.im === 0 ? c(f(a.re)) : c(Number.NaN));
}

function gamma(x: number): number {
  if (Number.isInteger(x) && x <= 0) return Number.NaN; // a pole
  if (Number.isInteger(x) && x > 0 && x <= 171) {
    let r = 1;
    for (let i = 2; i < x; i++) r *= i;
    return r;
  }
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const g = 7;
  const p = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const y = x - 1;
  let a = p[0] as number;
  const t = y + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += (p[i] as number) / (y + i);
  return Math.sqrt(2 * Math.PI) * t ** (y + 0.5) * Math.exp(-t) * a;
}

const UNARY: Record<string, (a: C) => C> = {
  sin: (a) =>
    a.im === 0 ? c(Math.sin(a.re)) : c(Math.sin(a.re) * Math.cosh(a.im), Math.cos(a.re) * Math.sinh(a.im)),
  cos: (a) =>
    a.im === 0 ? c(Math.cos(a.re)) : c(Math.cos(a.re) * Math.cosh(a.im), -Math.sin(a.re) * Math.sinh(a.im)),
  tan: real1(Math.tan),
  sec: real1((x) => 1 / Math.cos(x)),
  csc: real1((x) => 1 / Math.sin(x)),
  cot: real1((x) => 1 / Math.tan(x)),
  arcsin: real1(Math.asin),
  arccos: real1(Math.acos),
  arctan: real1(Math.atan),
  sinh: real1(Math.sinh),
  cosh: real1(Math.cosh),
  tanh: real1(Math.tanh),
  ln: (a) => (a.im === 0 && a.re > 0 ? c(Math.log(a.re)) : logC(a)),
  log10: real1(Math.log10),
  exp: expC,
  sqrt: (a) => (a.im === 0 && a.re >= 0 ? c(Math.sqrt(a.re)) : powC(a, c(0.5))),
  abs: (a) => c(Math.hypot(a.re, a.im)),
  factorial: real1((x) => (x < 0 && Number.isInteger(x) ? Number.NaN : gamma(x + 1))),
  floor: real1(floorOf),
  ceil: real1((x) => -floorOf(-x)),
  round: real1((x) => Math.sign(x) * floorOf(Math.abs(x) + 0.5)),
  frac: real1((x) => x - floorOf(x)),
  sgn: real1((x) => (Math.abs(x) < 1e-12 ? 0 : Math.sign(x))),
};

/**
 * ⌊x⌋ of a value computed in floating point: one within rounding error of an integer is that integer, so
 * ⌊log_2 1024⌋ is 10 although the quotient of logarithms comes out as 10.000000000000002.
 */
function floorOf(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-9 * Math.max(1, Math.abs(x)) ? r : Math.floor(x);
}

/** An integer value within rounding error, or NaN: gcd and lcm are defined on integers only. */
function integerOf(x: C): number {
  const r = Math.round(x.re);
  return x.im === 0 && Math.abs(x.re - r) <= 1e-9 * Math.max(1, Math.abs(r)) ? r : Number.NaN;
}

function gcdOf(a: number, b: number): number {
  let [x, y] = [Math.abs(a), Math.abs(b)];
  while (y) [x, y] = [y, x % y];
  return x;
}

/** Named functions of two or more arguments; sympy's conventions (Mod takes the sign of the divisor). */
const MULTI: Record<string, (args: C[]) => C> = {
  max: (args) => c(Math.max(...args.map((a) => (a.im === 0 ? a.re : Number.NaN)))),
  min: (args) => c(Math.min(...args.map((a) => (a.im === 0 ? a.re : Number.NaN)))),
  gcd: (args) => c(args.map(integerOf).reduce(gcdOf)),
  lcm: (args) =>
    c(args.map(integerOf).reduce((a, b) => (a === 0 || b === 0 ? 0 : Math.abs(a * b) / gcdOf(a, b)))),
  mod: ([a, b]) => {
    if (!a || !b || a.im !== 0 || b.im !== 0 || b.re === 0) return c(Number.NaN);
    const r = a.re - b.re * floorOf(a.re / b.re);
    return c(Math.abs(r) <= 1e-9 * Math.max(1, Math.abs(a.re)) ? 0 : r);
  },
};

/** C(n, k) for a whole k ≥ 0 as n(n-1)...(n-k+1)/k!, defined for every n; otherwise through Γ. */
function binomial(n: C, k: C): C {
  if (n.im !== 0 || k.im !== 0) return c(Number.NaN);
  if (Number.isInteger(k.re) && k.re >= 0 && k.re <= 1000) {
    let r = 1;
    for (let i = 0; i < k.re; i++) r = (r * (n.re - i)) / (i + 1);
    return c(r);
  }
  return c(gamma(n.re + 1) / (gamma(k.re + 1) * gamma(n.re - k.re + 1)));
}

/** A deterministic stand-in for an unknown function, so `f(x)` compares equal only to `f(x)`. */
function opaque(name: string, args: C[]): C {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  const s = (h >>> 0) / 4294967296;
  let v = s;
  for (const [i, a] of args.entries()) v += Math.sin(a.re * (1.3 + s + i) + 0.7 * i) * (1 + i) + a.im * 0.37;
  return c(v);
}

/** Numeric value of a tree with the given variable values; null when it is not a finite number or matrix. */
export function numericValue(node: Node, env: Map<string, number>, stats: EvalStats): Value | null {
  const v = evalNode(node, env, stats);
  if (!v) return null;
  const finite = (x: C) => Number.isFinite(x.re) && Number.isFinite(x.im);
  if (isMatrix(v) ? v.rows.every((r) => r.every(finite)) : finite(v)) return v;
  if (
    !isMatrix(v) &&
    (Math.abs(v.re) === Number.POSITIVE_INFINITY || Math.abs(v.im) === Number.POSITIVE_INFINITY)
  ) {
    stats.overflow = true;
  }
  return null;
}

function scalar(node: Node, env: Map<string, number>, stats: EvalStats): C | null {
  const v = evalNode(node, env, stats);
  return v && !isMatrix(v) ? v : null;
}

function evalNode(node: Node, env: Map<string, number>, stats: EvalStats): Value | null {
  switch (node.t) {
    case 'num':
      return c(Number(node.text));
    case 'sym': {
      const v = env.get(node.name);
      return v === undefined ? null : c(v);
    }
    case 'const':
      return node.name === 'pi'
        ? c(Math.PI)
        : node.name === 'e'
          ? c(Math.E)
          : node.name === 'i'
            ? c(0, 1)
            : null;
    case 'neg': {
      const a = evalNode(node.a, env, stats);
      if (!a) return null;
      return isMatrix(a) ? { rows: a.rows.map((r) => r.map((x) => c(-x.re, -x.im))) } : c(-a.re, -a.im);
    }
    case 'pct': {
      const a = scalar(node.a, env, stats);
      return a && c(a.re / 100, a.im / 100);
    }
    case 'add':
    case 'mul':
      return foldValues(node.args, node.t === 'add' ? addValues : mulValues, env, stats);
    case 'div': {
      const a = scalar(node.a, env, stats);
      const b = scalar(node.b, env, stats);
      return a && b ? divC(a, b) : null;
    }
    case 'pow': {
      const b = scalar(node.b, env, stats);
      if (!b) return null;
      if (b.im === 0 && Math.abs(b.re) > 1e6) {
        const a = scalar(node.a, env, stats);
        if (a && a.im === 0 && Math.abs(a.re) !== 1 && a.re !== 0) stats.overflow = true;
      }
      const a = scalar(node.a, env, stats);
      return a && powC(a, b);
    }
    case 'fn':
      return evalFunction(node, env, stats);
    case 'sub': {
      const idx = scalar(node.idx, env, stats);
      return idx && opaque(`sub:${JSON.stringify(node.a)}`, [idx]);
    }
    case 'matrix': {
      const rows: C[][] = [];
      for (const r of node.rows) {
        const row: C[] = [];
        for (const cell of r) {
          const v = scalar(cell, env, stats);
          if (!v) return null;
          row.push(v);
        }
        rows.push(row);
      }
      return { rows };
    }
    default:
      return null;
  }
}

function evalFunction(
  node: Extract<Node, { t: 'fn' }>,
  env: Map<string, number>,
  stats: EvalStats,
): Value | null {
  const exact =
    node.name === 'factorial' || node.name === 'binom' || node.name === 'base'
      ? exactValue(node, stats)
      : null;
  if (exact) return c(ratToNumber(exact));
  if (node.name === 'det') {
    const m = node.args[0] && evalNode(node.args[0], env, stats);
    return m && isMatrix(m) ? determinant(m.rows) : null;
  }
  const args: C[] = [];
  for (const a of node.args) {
    const v = scalar(a, env, stats);
    if (!v) return null;
    args.push(v);
  }
  const [x, y] = args;
  if (!x) return null;
  const f = UNARY[node.name];
  if (f && args.length === 1) return f(x);
  if (node.name === 'root' && y) return powC(x, divC(c(1), y));
  if (node.name === 'log') return y ? divC(logC(x), logC(y)) : logC(x);
  if (node.name === 'binom' && y) return binomial(x, y);
  const multi = MULTI[node.name];
  if (multi && (args.length > 1 || node.name === 'max' || node.name === 'min')) return multi(args);
  return opaque(node.name, args);
}

function foldValues(
  args: Node[],
  combine: (a: Value, b: Value) => Value | null,
  env: Map<string, number>,
  stats: EvalStats,
): Value | null {
  let acc: Value | null = null;
  for (const arg of args) {
    const v = evalNode(arg, env, stats);
    if (!v) return null;
    acc = acc === null ? v : combine(acc, v);
    if (!acc) return null;
  }
  return acc;
}

function addValues(a: Value, b: Value): Value | null {
  if (isMatrix(a) && isMatrix(b)) {
    if (a.rows.length !== b.rows.length || a.rows[0]?.length !== b.rows[0]?.length) return null;
    return { rows: a.rows.map((r, i) => r.map((x, j) => add(x, (b.rows[i] as C[])[j] as C))) };
  }
  if (isMatrix(a) || isMatrix(b)) return null;
  return add(a, b);
}

function mulValues(a: Value, b: Value): Value | null {
  if (isMatrix(a) && isMatrix(b)) {
    const n = a.rows[0]?.length ?? 0;
    if (n !== b.rows.length) return null;
    const cols = b.rows[0]?.length ?? 0;
    return {
      rows: a.rows.map((r) =>
        Array.from({ length: cols }, (_, j) =>
          r.reduce((s, x, k) => add(s, mulC(x, (b.rows[k] as C[])[j] as C)), c(0)),
        ),
      ),
    };
  }
  if (isMatrix(a)) return { rows: a.rows.map((r) => r.map((x) => mulC(x, b as C))) };
  if (isMatrix(b)) return { rows: b.rows.map((r) => r.map((x) => mulC(a, x))) };
  return mulC(a, b);
}

function determinant(rows: C[][]): C | null {
  const n = rows.length;
  if (n === 0 || rows.some((r) => r.length !== n) || n > 8) return null;
  if (n === 1) return (rows[0] as C[])[0] as C;
  let det = c(0);
  for (let j = 0; j < n; j++) {
    const minor = rows.slice(1).map((r) => r.filter((_, k) => k !== j));
    const sub = determinant(minor);
    if (!sub) return null;
    const term = mulC((rows[0] as C[])[j] as C, sub);
    det = j % 2 === 0 ? add(det, term) : add(det, c(-term.re, -term.im));
  }
  return det;
}
