import {
  canonicalKey,
  freeSymbols,
  isCollection,
  mapChildren,
  type Node,
  type RelOp,
  someNode,
} from './ast.ts';
import { type EvalStats, exactValue } from './evaluate.ts';
import { type C, numericValue, type Value } from './numeric.ts';
import { expandPm } from './plus-minus.ts';
import { identityPoints, isPiecewise, MIN_PIECEWISE_POINTS, piecewisePoints } from './sample-points.ts';

export interface CompareContext {
  precision: number;
  strict: boolean;
  allowSetRelation: boolean;
  percentLenient: boolean;
  stats: EvalStats;
  deadline: number;
}

/** The per-item budget ran out in the middle of a comparison. */
export class BudgetExceeded extends Error {}

function checkBudget(ctx: CompareContext): void {
  if (performance.now() > ctx.deadline) throw new BudgetExceeded('verification budget exceeded');
}

/** Is `pred` an acceptable answer for `gold`? Asymmetric: gold is the reference. */
export function answersEqual(gold: Node, pred: Node, ctx: CompareContext): boolean {
  checkBudget(ctx);
  if (canonicalKey(gold) === canonicalKey(pred)) return true;
  const g = expandPm(gold);
  const p = expandPm(pred);
  if (g !== gold || p !== pred) return answersEqual(g, p, ctx);

  if (gold.t === 'in') return answersEqual(gold.set, pred.t === 'in' ? pred.set : pred, ctx);
  if (pred.t === 'in') {
    if (gold.t === 'rel' && isInequality(gold)) return inequalityMatchesSet(gold, pred.set, ctx);
    return answersEqual(gold, pred.set, ctx);
  }
  if (gold.t === 'rel' || pred.t === 'rel') return relationsEqual(gold, pred, ctx);
  if (isCollection(gold) || isCollection(pred)) return collectionsEqual(gold, pred, ctx);
  if (isSetLike(gold) || isSetLike(pred)) return setLikeEqual(gold, pred, ctx);
  if (gold.t === 'matrix' || pred.t === 'matrix') return matricesEqual(gold, pred, ctx);
  if (gold.t === 'ratio' || pred.t === 'ratio') {
    return gold.t === 'ratio' && pred.t === 'ratio' && orderedEqual(gold.items, pred.items, ctx);
  }
  if (gold.t === 'text' || pred.t === 'text')
    return textKey(gold) !== null && textKey(gold) === textKey(pred);
  return scalarsEqual(gold, pred, ctx);
}

// ---- relations ------------------------------------------------------------------------------------

const INEQ = new Set<RelOp>(['<', '<=', '>', '>=', '!=']);
function isInequality(n: Extract<Node, { t: 'rel' }>): boolean {
  return n.ops.every((o) => INEQ.has(o));
}
function isEquation(n: Extract<Node, { t: 'rel' }>): boolean {
  return n.ops.every((o) => o === '=' || o === '~');
}

/** A left side that names a quantity rather than computing one: `x`, `f(x)`, `|AB|`, `S_{ABC}:S`, `(p,q)`. */
function isNameLike(n: Node): boolean {
  return !someNode(n, (x) => x.t === 'num' || x.t === 'rel');
}

/** The value an equation chain states: `x = 5+5+1 = 11` → 11; `x = 1/3 \approx 0.33` → 1/3. */
function statedValue(rel: Extract<Node, { t: 'rel' }>, forGold: boolean): Node | null {
  if (!isEquation(rel)) return null;
  let args = rel.args;
  const approx = rel.ops.indexOf('~');
  if (approx >= 0) args = approx === 0 && isNameLike(args[0] as Node) ? args : args.slice(0, approx + 1);
  if (args.length < 2) return args[0] ?? null;
  const last = args[args.length - 1] as Node;
  if (!forGold) return last;
  const names = args.slice(0, -1);
  return names.some(isNameLike) ? last : null;
}

function relationsEqual(gold: Node, pred: Node, ctx: CompareContext): boolean {
  if (gold.t === 'rel' && pred.t === 'rel') {
    if (isEquation(gold) && isEquation(pred)) {
      const gv = statedValue(gold, true);
      const pv = statedValue(pred, true);
      if (gv && pv) return answersEqual(gv, pv, ctx);
      if (gold.args.length === 2 && pred.args.length === 2) return equationsEquivalent(gold, pred, ctx);
      const plast = statedValue(pred, false);
      return gv !== null && plast !== null && answersEqual(gv, plast, ctx);
    }
    if (isInequality(gold) && isInequality(pred)) return inequalitiesEquivalent(gold, pred, ctx);
    return false;
  }
  if (gold.t === 'rel') {
    if (isInequality(gold) && (isSetLike(pred) || asInterval(pred)))
      return inequalityMatchesSet(gold, pred, ctx);
    const gv = statedValue(gold, true);
    return gv !== null && answersEqual(gv, pred, ctx);
  }
  const rel = pred as Extract<Node, { t: 'rel' }>;
  if (isInequality(rel)) {
    const comparable =
      isSetLike(gold) || (asInterval(gold) !== null && (ctx.allowSetRelation || unbounded(gold)));
    return comparable && inequalityMatchesSet(rel, gold, ctx);
  }
  const pv = statedValue(rel, false);
  return pv !== null && answersEqual(gold, pv, ctx);
}

/**
 * A pred inequality answers a gold set: `x \le 2` for `(-\infty, 2]`. Only a bare `(a, b)` with finite ends
 * may be a point as well as an interval; it meets an inequality only under `allowSetRelation`.
 */
function unbounded(n: Node): boolean {
  return n.t === 'tuple' && n.items.some((x) => infinitySign(x) !== 0);
}

function difference(rel: Extract<Node, { t: 'rel' }>, i: number): Node {
  return { t: 'add', args: [rel.args[i] as Node, { t: 'neg', a: rel.args[i + 1] as Node }] };
}

/** Two equations are the same when lhs−rhs of one is a non-zero constant multiple of the other's. */
function equationsEquivalent(
  a: Extract<Node, { t: 'rel' }>,
  b: Extract<Node, { t: 'rel' }>,
  ctx: CompareContext,
): boolean {
  return proportional(difference(a, 0), difference(b, 0), ctx, 'any');
}

function flipped(op: RelOp): RelOp {
  return op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : op === '>=' ? '<=' : op;
}

/** `x < 1` and `-x > -1` are one inequality; so are `x \le 5` and `5 \ge x`. */
function inequalitiesEquivalent(
  a: Extract<Node, { t: 'rel' }>,
  b: Extract<Node, { t: 'rel' }>,
  ctx: CompareContext,
): boolean {
  if (a.ops.length !== b.ops.length) return false;
  if (a.ops.length === 1) {
    const [da, sa] = asLessThanZero(a);
    const [db, sb] = asLessThanZero(b);
    if (sa !== sb) return false;
    return proportional(da, db, ctx, sa === '!=' ? 'any' : 'positive');
  }
  const same = a.ops.every((o, i) => o === b.ops[i]);
  const rev = a.ops.every((o, i) => o === flipped(b.ops[b.ops.length - 1 - i] as RelOp));
  const bArgs = same ? b.args : rev ? [...b.args].reverse() : null;
  return bArgs !== null && orderedEqual(a.args, bArgs, ctx);
}

function asLessThanZero(r: Extract<Node, { t: 'rel' }>): [Node, string] {
  const op = r.ops[0] as RelOp;
  const [l, rr] = r.args as [Node, Node];
  const diff = (x: Node, y: Node): Node => ({ t: 'add', args: [x, { t: 'neg', a: y }] });
  if (op === '<' || op === '<=') return [diff(l, rr), op];
  if (op === '>' || op === '>=') return [diff(rr, l), flipped(op)];
  return [diff(l, rr), op];
}

// ---- sets, intervals, inequalities as sets --------------------------------------------------------

function isSetLike(n: Node): boolean {
  return n.t === 'interval' || n.t === 'union' || (n.t === 'set' && n.items.length > 0);
}

function asInterval(n: Node): Extract<Node, { t: 'interval' }> | null {
  if (n.t === 'interval') return n;
  if (n.t === 'tuple' && n.items.length === 2) {
    return {
      t: 'interval',
      lo: n.items[0] as Node,
      hi: n.items[1] as Node,
      loClosed: false,
      hiClosed: false,
    };
  }
  return null;
}

const NEG_INF: Node = { t: 'neg', a: { t: 'const', name: 'inf' } };
const POS_INF: Node = { t: 'const', name: 'inf' };

/** `-2 \le x < 7` as [-2, 7); `x \ne 3` as (-∞,3) ∪ (3,∞). Null when it is not an inequality in one variable. */
function inequalityToSet(rel: Extract<Node, { t: 'rel' }>): Node | null {
  const absAt = rel.args.findIndex((a) => a.t === 'fn' && a.name === 'abs' && a.args[0]?.t === 'sym');
  if (absAt >= 0) {
    // `1 \le |z| \le 3/2`: solve for |z| as if it were the variable, then take the preimage under |·|.
    const args = rel.args.map((a, i) => (i === absAt ? ({ t: 'sym', name: '|·|' } as Node) : a));
    const forAbs = inequalityToSet({ ...rel, args });
    return forAbs?.t === 'interval' ? absPreimage(forAbs) : null;
  }
  return plainInequalityToSet(rel);
}

function negate(n: Node): Node {
  return n.t === 'neg' ? n.a : { t: 'neg', a: n };
}

/** {x : |x| ∈ I}: one interval around 0 when I reaches down to 0, else two mirrored pieces. */
function absPreimage(i: Extract<Node, { t: 'interval' }>): Node | null {
  const lo =
    infinitySign(i.lo) < 0 ? Number.NEGATIVE_INFINITY : numericValue(i.lo, new Map(), { overflow: false });
  const loValue = typeof lo === 'number' ? lo : lo && !('rows' in lo) ? lo.re : null;
  if (loValue === null) return null;
  const hiNeg = infinitySign(i.hi) > 0 ? NEG_INF : negate(i.hi);
  if (loValue < 0 || (loValue === 0 && !i.loClosed)) {
    return { t: 'interval', lo: hiNeg, hi: i.hi, loClosed: i.hiClosed, hiClosed: i.hiClosed };
  }
  return {
    t: 'union',
    items: [
      { t: 'interval', lo: hiNeg, hi: negate(i.lo), loClosed: i.hiClosed, hiClosed: i.loClosed },
      { t: 'interval', lo: i.lo, hi: i.hi, loClosed: i.loClosed, hiClosed: i.hiClosed },
    ],
  };
}

function plainInequalityToSet(rel: Extract<Node, { t: 'rel' }>): Node | null {
  const vars = rel.args.map((a) => (a.t === 'sym' || a.t === 'fn' || a.t === 'sub' ? canonicalKey(a) : null));
  const constant = (a: Node) => freeSymbols(a).size === 0 && a.t !== 'fn';
  if (rel.args.length === 2) {
    const vi = vars[0] ? 0 : vars[1] ? 1 : -1;
    if (vi < 0 || !constant(rel.args[1 - vi] as Node)) return null;
    const c = rel.args[1 - vi] as Node;
    const op = vi === 0 ? (rel.ops[0] as RelOp) : flipped(rel.ops[0] as RelOp);
    if (op === '!=') {
      return {
        t: 'union',
        items: [
          { t: 'interval', lo: NEG_INF, hi: c, loClosed: false, hiClosed: false },
          { t: 'interval', lo: c, hi: POS_INF, loClosed: false, hiClosed: false },
        ],
      };
    }
    if (op === '<' || op === '<=')
      return { t: 'interval', lo: NEG_INF, hi: c, loClosed: false, hiClosed: op === '<=' };
    if (op === '>' || op === '>=')
      return { t: 'interval', lo: c, hi: POS_INF, loClosed: op === '>=', hiClosed: false };
    return null;
  }
  if (rel.args.length === 3 && vars[1] && constant(rel.args[0] as Node) && constant(rel.args[2] as Node)) {
    const [o1, o2] = rel.ops as [RelOp, RelOp];
    if ((o1 === '<' || o1 === '<=') && (o2 === '<' || o2 === '<=')) {
      return {
        t: 'interval',
        lo: rel.args[0] as Node,
        hi: rel.args[2] as Node,
        loClosed: o1 === '<=',
        hiClosed: o2 === '<=',
      };
    }
    if ((o1 === '>' || o1 === '>=') && (o2 === '>' || o2 === '>=')) {
      return {
        t: 'interval',
        lo: rel.args[2] as Node,
        hi: rel.args[0] as Node,
        loClosed: o2 === '>=',
        hiClosed: o1 === '>=',
      };
    }
  }
  return null;
}

function inequalityMatchesSet(rel: Extract<Node, { t: 'rel' }>, set: Node, ctx: CompareContext): boolean {
  const asSet = inequalityToSet(rel);
  return asSet !== null && setLikeEqual(asSet, set, ctx);
}

function setLikeEqual(gold: Node, pred: Node, ctx: CompareContext): boolean {
  if (gold.t === 'rel' || pred.t === 'rel') return answersEqual(gold, pred, ctx);
  const gi = asInterval(gold);
  const pi = asInterval(pred);
  if (gi && pi) {
    return (
      gi.loClosed === pi.loClosed &&
      gi.hiClosed === pi.hiClosed &&
      scalarsEqual(gi.lo, pi.lo, ctx) &&
      scalarsEqual(gi.hi, pi.hi, ctx)
    );
  }
  const gItems = gold.t === 'union' ? gold.items : [gold];
  const pItems = pred.t === 'union' ? pred.items : [pred];
  if (gItems.length === 1 && pItems.length === 1) {
    const [g, p] = [gItems[0] as Node, pItems[0] as Node];
    if (g.t === 'set' && p.t === 'set') return unorderedEqual(g.items, p.items, ctx);
    return false;
  }
  return unorderedEqual(gItems, pItems, ctx);
}

// ---- collections ------------------------------------------------------------------------------------

function collectionsEqual(gold: Node, pred: Node, ctx: CompareContext): boolean {
  let gItems = isCollection(gold) ? gold.items : [gold];
  let pItems = isCollection(pred) ? pred.items : [pred];
  if (gItems.length !== pItems.length && gold.t !== 'tuple' && pred.t !== 'tuple') {
    gItems = distinct(gItems);
    pItems = distinct(pItems);
  }
  if (gItems.length !== pItems.length) {
    // `(1,3)` vs the open interval `(1,3)` and friends are handled as sets; anything else differs in size.
    if (isSetLike(gold) || isSetLike(pred)) return setLikeEqual(gold, pred, ctx);
    return false;
  }
  if ((gold.t === 'tuple' && pred.t !== 'set') || (pred.t === 'tuple' && gold.t !== 'set')) {
    if (gold.t === 'tuple' && pred.t === 'tuple') return orderedEqual(gItems, pItems, ctx);
    const single = gItems.length === 1;
    if (!single) return orderedEqual(gItems, pItems, ctx);
  }
  if (gItems.length === 1) return answersEqual(gItems[0] as Node, pItems[0] as Node, ctx);
  return unorderedEqual(distinct(gItems), distinct(pItems), ctx);
}

/** Answers listed twice count once: a list of solutions is a set. */
function distinct(items: Node[]): Node[] {
  const seen = new Set<string>();
  return items.filter((n) => {
    const k = canonicalKey(n);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function orderedEqual(a: Node[], b: Node[], ctx: CompareContext): boolean {
  return a.length === b.length && a.every((x, i) => answersEqual(x, b[i] as Node, ctx));
}

/** Every gold item is matched by a distinct pred item (a bipartite matching, small sizes only). */
function unorderedEqual(gold: Node[], pred: Node[], ctx: CompareContext): boolean {
  if (gold.length !== pred.length) return false;
  if (gold.length > 64) return false;
  const matchOf = new Array<number>(pred.length).fill(-1);
  const memo = new Map<number, boolean>();
  const eq = (i: number, j: number) => {
    const key = i * 1000 + j;
    let v = memo.get(key);
    if (v === undefined) {
      v = answersEqual(gold[i] as Node, pred[j] as Node, ctx);
      memo.set(key, v);
    }
    return v;
  };
  const tryAssign = (i: number, seen: boolean[]): boolean => {
    for (let j = 0; j < pred.length; j++) {
      if (seen[j] || !eq(i, j)) continue;
      seen[j] = true;
      if (matchOf[j] === -1 || tryAssign(matchOf[j] as number, seen)) {
        matchOf[j] = i;
        return true;
      }
    }
    return false;
  };
  return gold.every((_, i) => tryAssign(i, new Array<boolean>(pred.length).fill(false)));
}

// ---- matrices ---------------------------------------------------------------------------------------

function matricesEqual(gold: Node, pred: Node, ctx: CompareContext): boolean {
  if (gold.t === 'matrix' && pred.t === 'matrix') {
    if (gold.rows.length !== pred.rows.length) return false;
    return gold.rows.every((r, i) => orderedEqual(r, pred.rows[i] as Node[], ctx));
  }
  const env = new Map<string, number>();
  const g = numericValue(gold, env, ctx.stats);
  const p = numericValue(pred, env, ctx.stats);
  if (!g || !p || !('rows' in g) || !('rows' in p) || g.rows.length !== p.rows.length) return false;
  return g.rows.every(
    (r, i) => r.length === p.rows[i]?.length && r.every((x, j) => valuesClose(x, p.rows[i]?.[j] as C, 1e-9)),
  );
}

// ---- text -------------------------------------------------------------------------------------------

function textKey(n: Node): string | null {
  if (n.t === 'text') return n.s.toLowerCase().replace(/[\s()[\]{}.,;:'"]/g, '');
  if (n.t === 'sym') return n.name.toLowerCase();
  if (n.t === 'const') return n.name === 'e' || n.name === 'i' ? n.name : null;
  if (n.t === 'mul') {
    const parts = n.args.map(textKey);
    return parts.every((p) => p !== null) ? parts.join('') : null;
  }
  return null;
}

// ---- scalars ----------------------------------------------------------------------------------------

function infinitySign(n: Node): number {
  if (n.t === 'const' && n.name === 'inf') return 1;
  if (n.t === 'neg') return -infinitySign(n.a);
  return 0;
}

function scalarsEqual(gold: Node, pred: Node, ctx: CompareContext): boolean {
  if (canonicalKey(gold) === canonicalKey(pred)) return true;
  const gInf = infinitySign(gold);
  const pInf = infinitySign(pred);
  if (gInf || pInf) return gInf === pInf;
  const golds = gold.t === 'pct' ? [gold, gold.a] : [gold];
  const preds = pred.t === 'pct' && ctx.percentLenient ? [pred, pred.a] : [pred];
  return golds.some((g) => preds.some((p) => valueEqual(g, p, ctx)));
}

function valueEqual(gold: Node, pred: Node, ctx: CompareContext): boolean {
  let gVars = freeSymbols(gold);
  let pVars = freeSymbols(pred);
  if (gVars.size === 0 && pVars.size === 0) return constantsEqual(gold, pred, ctx);
  if (!sameSet(gVars, pVars)) {
    if (ctx.strict || gVars.size !== pVars.size) return false;
    pred = renameVariables(pred, [...pVars].sort(), [...gVars].sort());
    pVars = gVars;
  }
  gVars = new Set([...gVars, ...pVars]);
  return proportional(gold, pred, ctx, 'one');
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function renameVariables(n: Node, from: string[], to: string[]): Node {
  if (n.t === 'sym') {
    const i = from.indexOf(n.name);
    return i >= 0 ? { t: 'sym', name: to[i] as string } : n;
  }
  return mapChildren(n, (c) => renameVariables(c, from, to));
}

/** Decimal places written in a single decimal literal (possibly negated), or -1 for anything else. */
function writtenDecimals(n: Node): number {
  if (n.t === 'neg') return writtenDecimals(n.a);
  if (n.t === 'num' && n.text.includes('.')) return n.text.length - n.text.indexOf('.') - 1;
  return -1;
}

function significantDigits(n: Node): number {
  if (n.t === 'neg') return significantDigits(n.a);
  return n.t === 'num' ? n.text.replace('.', '').replace(/^0+/, '').length : 0;
}

function hasDecimal(n: Node): boolean {
  return someNode(n, (x) => x.t === 'num' && x.text.includes('.'));
}

function constantsEqual(gold: Node, pred: Node, ctx: CompareContext): boolean {
  const eg = exactValue(gold, ctx.stats);
  const ep = exactValue(pred, ctx.stats);
  const approximate = hasDecimal(gold) || hasDecimal(pred);
  if (eg && ep) {
    if (eg.n === ep.n && eg.d === ep.d) return true;
    if (!approximate) return false;
  }
  const env = new Map<string, number>();
  const g = numericValue(gold, env, ctx.stats);
  const p = numericValue(pred, env, ctx.stats);
  if (!g || !p || 'rows' in g || 'rows' in p) return false;
  if (valuesClose(g, p, 1e-12)) return true;
  if (!approximate) return false;
  return roundedEqual(g, p, ctx.precision) || withinShownPrecision(gold, pred, g, p);
}

function valuesClose(a: C, b: C, rel: number): boolean {
  const close = (x: number, y: number) =>
    x === y || Math.abs(x - y) <= rel * Math.max(Math.abs(x), Math.abs(y));
  return close(a.re, b.re) && close(a.im, b.im);
}

/** Math-Verify's rule: both sides rounded to `precision` decimal places agree (not used for tiny values). */
function roundedEqual(a: C, b: C, precision: number): boolean {
  const scale = 10 ** precision;
  const eq = (x: number, y: number) => {
    if (Math.max(Math.abs(x), Math.abs(y)) < 10 / scale) return x === y;
    return Math.abs(Math.round(x * scale) - Math.round(y * scale)) < 0.5;
  };
  return eq(a.re, b.re) && eq(a.im, b.im);
}

/** A decimal written with k places (and at least 4 significant digits) stands for anything within half a unit of its last place. */
function withinShownPrecision(gold: Node, pred: Node, g: C, p: C): boolean {
  if (g.im !== 0 || p.im !== 0) return false;
  for (const [lit, other, litV] of [
    [pred, g, p],
    [gold, p, g],
  ] as [Node, C, C][]) {
    const k = writtenDecimals(lit);
    if (k < 1 || significantDigits(lit) < 4) continue;
    if (Math.abs(litV.re - other.re) <= 0.5 * 10 ** -k * (1 + 1e-9)) return true;
  }
  return false;
}

/**
 * Whether `a` equals `b` (mode 'one'), or is a constant multiple of it (mode 'any': non-zero; 'positive'),
 * tested at sample points (see sample-points.ts) with the variables of both sides.
 */
function proportional(a: Node, b: Node, ctx: CompareContext, mode: 'one' | 'any' | 'positive'): boolean {
  const vars = [...new Set([...freeSymbols(a), ...freeSymbols(b)])];
  if (mode === 'one' && vars.length === 0) return constantsEqual(a, b, ctx);
  const piecewise = vars.length > 0 && (isPiecewise(a) || isPiecewise(b));
  const points = piecewise ? piecewisePoints(vars) : identityPoints(vars, vars.length === 0 ? 1 : 6);
  // Far-out probes of piecewise expressions may overflow; that alone must not make the verdict `too_large`.
  const stats: EvalStats = piecewise ? { overflow: false } : ctx.stats;
  let ratio: number | null = null;
  let valid = 0;
  for (const env of points) {
    checkBudget(ctx);
    const va = numericValue(a, env, stats) as Value | null;
    const vb = numericValue(b, env, stats) as Value | null;
    if (!va || !vb || 'rows' in va || 'rows' in vb) continue;
    if (mode === 'one') {
      if (!valuesClose(va, vb, 1e-8) && Math.hypot(va.re - vb.re, va.im - vb.im) > 1e-10) return false;
    } else {
      const za = Math.hypot(va.re, va.im) < 1e-12;
      const zb = Math.hypot(vb.re, vb.im) < 1e-12;
      if (za !== zb) return false;
      if (!za) {
        if (va.im !== 0 || vb.im !== 0) return false;
        const r = va.re / vb.re;
        if (ratio === null) ratio = r;
        else if (Math.abs(r - ratio) > 1e-8 * Math.max(1, Math.abs(ratio))) return false;
      }
    }
    valid++;
  }
  const needed = piecewise ? MIN_PIECEWISE_POINTS : Math.min(2, Math.max(1, vars.length));
  if (valid < needed) {
    if (stats.overflow) ctx.stats.overflow = true;
    return false;
  }
  if (mode === 'positive') return ratio === null || ratio > 0;
  return true;
}
