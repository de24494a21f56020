import { type Node, someNode } from './ast.ts';

/**
 * Where two expressions are evaluated to decide whether they are the same function.
 *
 * Analytic expressions (polynomials, roots, exp, trig, ...) that agree on a handful of points of an interval
 * agree everywhere, so a few points in (0.3, 2.3) are enough. Piecewise or integer-valued functions are not
 * analytic: ⌊n/2⌋ and ⌊n/3⌋ are both 0 on most of (0.3, 2.3). Expressions with any of them are probed at
 * integers from -12 to 40 and sparse ones up to 10007, and at reals spread over ±10^4; variables that name
 * integers by convention (n, m, k) take only integer values there.
 */

/** Functions whose value jumps or bends: each defeats a probe over a short interval. */
const PIECEWISE = new Set([
  'floor',
  'ceil',
  'round',
  'frac',
  'mod',
  'abs',
  'sgn',
  'max',
  'min',
  'gcd',
  'lcm',
]);
/** Functions of integers: probed like the piecewise ones when their arguments have variables. */
const INTEGER_FUNCTIONS = new Set(['binom', 'factorial']);

export function isPiecewise(n: Node): boolean {
  return someNode(
    n,
    (x) =>
      x.t === 'fn' &&
      (PIECEWISE.has(x.name) ||
        (INTEGER_FUNCTIONS.has(x.name) && x.args.some((a) => someNode(a, (y) => y.t === 'sym')))),
  );
}

/** n, m, k and their subscripted forms (n_1, k_{ij}) are integers in the answers we grade. */
function namesAnInteger(name: string): boolean {
  return /^[nmkNMK](?:_|'|$)/.test(name);
}

/** A deterministic generator, so every verdict is reproducible. */
function generator(): () => number {
  let seed = 0x9e3779b9;
  return () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 2246822507) + 0x6d2b79f5) >>> 0;
    return seed / 4294967296;
  };
}

/** Points in (0.3, 2.3) for probing identities of analytic expressions. */
export function identityPoints(vars: string[], count: number): Map<string, number>[] {
  const rand = generator();
  return Array.from({ length: count }, () => new Map(vars.map((v) => [v, 0.3 + 2 * rand()])));
}

const SPARSE_INTEGERS = [
  -1000, -97, -60, -36, -25, -17, 45, 48, 50, 60, 63, 64, 72, 81, 90, 96, 99, 100, 101, 120, 127, 128, 144,
  169, 180, 210, 256, 360, 420, 500, 512, 720, 999, 1000, 1024, 2025, 4096, 10007,
];
const INTEGERS = [...Array.from({ length: 53 }, (_, i) => i - 12), ...SPARSE_INTEGERS];

/** A real spread over several scales, both signs. */
function spreadReal(rand: () => number, k: number): number {
  const sign = rand() < 0.5 ? -1 : 1;
  if (k % 3 === 0) return 6 * rand() - 3;
  if (k % 3 === 1) return sign * 30 * rand();
  return sign * 10 ** (1 + 3 * rand());
}

/** The points for expressions with piecewise or integer functions: integer tuples, then real ones. */
export function piecewisePoints(vars: string[]): Map<string, number>[] {
  const rand = generator();
  const pick = () => INTEGERS[Math.floor(rand() * INTEGERS.length)] as number;
  const points: Map<string, number>[] =
    vars.length === 1
      ? INTEGERS.map((n) => new Map([[vars[0] as string, n]]))
      : INTEGERS.map(() => new Map(vars.map((v) => [v, pick()])));
  if (vars.every(namesAnInteger)) return points;
  points.push(...identityPoints(vars, 6).map((p) => integersWhereNamed(p, pick)));
  for (let k = 0; k < 36; k++) {
    points.push(new Map(vars.map((v) => [v, namesAnInteger(v) ? pick() : spreadReal(rand, k)])));
  }
  return points;
}

function integersWhereNamed(p: Map<string, number>, pick: () => number): Map<string, number> {
  for (const v of p.keys()) if (namesAnInteger(v)) p.set(v, pick());
  return p;
}

/** Points where both sides must be defined before a piecewise identity is believed. */
export const MIN_PIECEWISE_POINTS = 8;
