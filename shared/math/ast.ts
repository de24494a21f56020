/** The answer tree the parser builds and the comparators read. Plain data, no methods. */
export type Node =
  | { t: 'num'; text: string } // a decimal literal as written (digits, optional point)
  | { t: 'sym'; name: string } // a variable, possibly subscripted: x, x_1, alpha
  | { t: 'const'; name: 'pi' | 'e' | 'i' | 'inf' }
  | { t: 'add'; args: Node[] }
  | { t: 'neg'; a: Node }
  | { t: 'mul'; args: Node[] }
  | { t: 'div'; a: Node; b: Node }
  | { t: 'pow'; a: Node; b: Node }
  | { t: 'fn'; name: string; args: Node[] } // sin, sqrt, root, log, abs, factorial, binom, user functions
  | { t: 'sub'; a: Node; idx: Node } // a subscript that is not a plain name: F_{n-1}
  | { t: 'pct'; a: Node }
  | { t: 'pm'; a: Node | null; b: Node; sign: 'pm' | 'mp' }
  | { t: 'tuple'; items: Node[] } // (a, b, ...) as written
  | { t: 'set'; items: Node[] } // \{a, b\}
  | { t: 'list'; items: Node[] } // a bare comma list
  | { t: 'interval'; lo: Node; hi: Node; loClosed: boolean; hiClosed: boolean }
  | { t: 'union'; items: Node[] }
  | { t: 'matrix'; rows: Node[][] }
  | { t: 'rel'; ops: RelOp[]; args: Node[] } // a chain: args[0] ops[0] args[1] ...
  | { t: 'in'; a: Node; set: Node } // x \in S
  | { t: 'ratio'; items: Node[] } // 7:32
  | { t: 'text'; s: string }
  | { t: 'big'; op: 'sum' | 'prod' | 'int' | 'lim'; lower: Node | null; upper: Node | null; body: Node };

export type RelOp = '=' | '<' | '<=' | '>' | '>=' | '!=' | '~';

/** Functions whose arguments can be given in any order: their canonical key sorts them. */
const SYMMETRIC_FUNCTIONS = new Set(['gcd', 'lcm', 'max', 'min']);

export function isCollection(n: Node): n is Extract<Node, { t: 'tuple' | 'set' | 'list' }> {
  return n.t === 'tuple' || n.t === 'set' || n.t === 'list';
}

/** Keys already computed: trees are never changed once built, and comparisons ask for the same ones often. */
const KEYS = new WeakMap<Node, string>();

/** A canonical string of a tree: commutative arguments sorted, so `ab` and `ba` print alike. */
export function canonicalKey(n: Node): string {
  let key = KEYS.get(n);
  if (key === undefined) {
    key = computeKey(n);
    KEYS.set(n, key);
  }
  return key;
}

function computeKey(n: Node): string {
  switch (n.t) {
    case 'num':
      return normaliseNumberText(n.text);
    case 'sym':
      return n.name;
    case 'const':
      return `#${n.name}`;
    case 'add':
    case 'mul':
      return `${n.t}(${n.args.map(canonicalKey).sort().join(',')})`;
    case 'set':
    case 'list':
    case 'union':
      return `${n.t}{${n.items.map(canonicalKey).sort().join(',')}}`;
    case 'neg':
      return `-(${canonicalKey(n.a)})`;
    case 'div':
      return `(${canonicalKey(n.a)})/(${canonicalKey(n.b)})`;
    case 'pow':
      return `(${canonicalKey(n.a)})^(${canonicalKey(n.b)})`;
    case 'fn': {
      const args = n.args.map(canonicalKey);
      return `${n.name}[${(SYMMETRIC_FUNCTIONS.has(n.name) ? args.sort() : args).join(',')}]`;
    }
    case 'sub':
      return `${canonicalKey(n.a)}_(${canonicalKey(n.idx)})`;
    case 'pct':
      return `(${canonicalKey(n.a)})%`;
    case 'pm':
      return `${n.a ? canonicalKey(n.a) : ''}${n.sign}(${canonicalKey(n.b)})`;
    case 'tuple':
    case 'ratio':
      return `${n.t}(${n.items.map(canonicalKey).join(',')})`;
    case 'interval':
      return `${n.loClosed ? '[' : '('}${canonicalKey(n.lo)},${canonicalKey(n.hi)}${n.hiClosed ? ']' : ')'}`;
    case 'matrix':
      return `mat(${n.rows.map((r) => r.map(canonicalKey).join('&')).join(';')})`;
    case 'rel':
      return n.args.map((a, i) => (i === 0 ? canonicalKey(a) : `${n.ops[i - 1]}${canonicalKey(a)}`)).join('');
    case 'in':
      return `${canonicalKey(n.a)}∈${canonicalKey(n.set)}`;
    case 'text':
      return `"${n.s.toLowerCase()}"`;
    case 'big':
      return `${n.op}_(${n.lower ? canonicalKey(n.lower) : ''})^(${n.upper ? canonicalKey(n.upper) : ''})(${canonicalKey(n.body)})`;
  }
}

function normaliseNumberText(text: string): string {
  let s = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  s = s.replace(/^0+(?=\d)/, '');
  return s.startsWith('.') ? `0${s}` : s;
}

/** Names of the free variables of a tree (constants excluded). */
export function freeSymbols(n: Node, into: Set<string> = new Set()): Set<string> {
  if (n.t === 'sym') into.add(n.name);
  else forEachChild(n, (c) => freeSymbols(c, into));
  return into;
}

export function forEachChild(n: Node, f: (c: Node) => void): void {
  switch (n.t) {
    case 'add':
    case 'mul':
    case 'fn':
      n.args.forEach(f);
      return;
    case 'neg':
    case 'pct':
      f(n.a);
      return;
    case 'div':
    case 'pow':
      f(n.a);
      f(n.b);
      return;
    case 'sub':
      f(n.a);
      f(n.idx);
      return;
    case 'pm':
      if (n.a) f(n.a);
      f(n.b);
      return;
    case 'tuple':
    case 'set':
    case 'list':
    case 'union':
    case 'ratio':
      n.items.forEach(f);
      return;
    case 'interval':
      f(n.lo);
      f(n.hi);
      return;
    case 'matrix':
      for (const r of n.rows) r.forEach(f);
      return;
    case 'rel':
      n.args.forEach(f);
      return;
    case 'in':
      f(n.a);
      f(n.set);
      return;
    case 'big':
      if (n.lower) f(n.lower);
      if (n.upper) f(n.upper);
      f(n.body);
      return;
    default:
      return;
  }
}

/** A copy of `n` with `f` applied to each direct child (the same node when it has none). */
export function mapChildren(n: Node, f: (c: Node) => Node): Node {
  switch (n.t) {
    case 'add':
    case 'mul':
    case 'fn':
      return { ...n, args: n.args.map(f) };
    case 'neg':
    case 'pct':
      return { ...n, a: f(n.a) };
    case 'div':
    case 'pow':
      return { ...n, a: f(n.a), b: f(n.b) };
    case 'sub':
      return { ...n, a: f(n.a), idx: f(n.idx) };
    case 'pm':
      return { ...n, a: n.a ? f(n.a) : null, b: f(n.b) };
    case 'tuple':
    case 'set':
    case 'list':
    case 'union':
    case 'ratio':
      return { ...n, items: n.items.map(f) };
    case 'interval':
      return { ...n, lo: f(n.lo), hi: f(n.hi) };
    case 'matrix':
      return { ...n, rows: n.rows.map((r) => r.map(f)) };
    case 'rel':
      return { ...n, args: n.args.map(f) };
    case 'in':
      return { ...n, a: f(n.a), set: f(n.set) };
    case 'big':
      return {
        ...n,
        lower: n.lower ? f(n.lower) : null,
        upper: n.upper ? f(n.upper) : null,
        body: f(n.body),
      };
    default:
      return n;
  }
}

/** How many nodes of the tree satisfy `pred`. */
export function countNodes(n: Node, pred: (x: Node) => boolean): number {
  let count = pred(n) ? 1 : 0;
  forEachChild(n, (c) => {
    count += countNodes(c, pred);
  });
  return count;
}

/** True when some node of the tree satisfies `pred`. */
export function someNode(n: Node, pred: (x: Node) => boolean): boolean {
  if (pred(n)) return true;
  let found = false;
  forEachChild(n, (c) => {
    if (!found && someNode(c, pred)) found = true;
  });
  return found;
}
