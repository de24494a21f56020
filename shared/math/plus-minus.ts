import { countNodes, isCollection, mapChildren, type Node } from './ast.ts';

/**
 * `a \pm b` stands for the two values a+b and a-b. Up to MAX_EXPANDED signs in one item are expanded into
 * their 2^k explicit values; a longer chain would need exponentially many, so each of its signs becomes a
 * variable of its own (`a + s_1 b`) and the answers compare as expressions in those sign variables.
 */
const MAX_EXPANDED = 4;
/** Values one answer may expand into across all its items; beyond it every item keeps sign variables. */
const MAX_VARIANTS = 32;

const isPm = (x: Node) => x.t === 'pm';

/** The answer with its `\pm` resolved: a set of values, or the same tree with sign variables. */
export function expandPm(n: Node): Node {
  const items = isCollection(n) ? n.items : [n];
  const counts = items.map((i) => countNodes(i, isPm));
  if (counts.every((c) => c === 0)) return n;
  const total = counts.reduce((sum, c) => sum + (c <= MAX_EXPANDED ? 2 ** c : 1), 0);
  const expand = (i: Node, k: number) =>
    k <= MAX_EXPANDED && total <= MAX_VARIANTS ? variants(i, k) : [withSignVariables(i)];
  if (isCollection(n)) return { ...n, items: items.flatMap((i, k) => expand(i, counts[k] as number)) };
  const v = expand(n, counts[0] as number);
  return v.length === 1 ? (v[0] as Node) : { t: 'set', items: v };
}

function variants(n: Node, signs: number): Node[] {
  let out = [n];
  for (let k = 0; k < signs; k++) out = out.flatMap((x) => [firstPmAs(x, true), firstPmAs(x, false)]);
  return out;
}

/** `n` with its first `\pm` (in tree order) read as + (plus) or as −. */
function firstPmAs(n: Node, plus: boolean): Node {
  let done = false;
  const walk = (x: Node): Node => {
    if (done) return x;
    if (x.t === 'pm') {
      done = true;
      const b = (x.sign === 'pm') === plus ? x.b : ({ t: 'neg', a: x.b } as Node);
      return x.a ? { t: 'add', args: [x.a, b] } : b;
    }
    return mapChildren(x, walk);
  };
  return walk(n);
}

/** Each `\pm` of the tree becomes `+ s_k ·`, each `\mp` `- s_k ·`, with s_k a variable no parse can produce. */
function withSignVariables(n: Node): Node {
  let k = 0;
  const walk = (x: Node): Node => {
    if (x.t !== 'pm') return mapChildren(x, walk);
    const a = x.a ? walk(x.a) : null;
    const sign: Node = { t: 'sym', name: `±${++k}` };
    const term: Node = { t: 'mul', args: [sign, walk(x.b)] };
    const b = x.sign === 'pm' ? term : ({ t: 'neg', a: term } as Node);
    return a ? { t: 'add', args: [a, b] } : b;
  };
  return walk(n);
}
