import { mapChildren, type Node, type RelOp } from './ast.ts';
import { numberFromWords } from './number-words.ts';

/** The input is not an expression we can read. */
export class ParseError extends Error {}
/** The input is beyond the size or nesting this parser accepts. */
export class TooLargeError extends Error {}

const MAX_DEPTH = 120;
const MAX_TOKENS = 4000;

type Tok =
  | { k: 'num'; v: string }
  | { k: 'letter'; v: string }
  | { k: 'cmd'; v: string }
  | { k: 'op'; v: string }
  | { k: 'end' };

const FUNCTIONS = new Set([
  'sin',
  'cos',
  'tan',
  'sec',
  'csc',
  'cot',
  'arcsin',
  'arccos',
  'arctan',
  'sinh',
  'cosh',
  'tanh',
  'ln',
  'log',
  'lg',
  'exp',
  'det',
  'gcd',
  'lcm',
  'max',
  'min',
  'arg',
  'sgn',
  'sign',
  'round',
]);
/** Functions of a list of values, also written with a set: `\max\{a, b\}`, `\gcd\{a, b\}`. */
const LIST_FUNCTIONS = new Set(['max', 'min', 'gcd', 'lcm']);
const GREEK = new Set([
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'varepsilon',
  'zeta',
  'eta',
  'theta',
  'vartheta',
  'iota',
  'kappa',
  'lambda',
  'mu',
  'nu',
  'xi',
  'rho',
  'sigma',
  'tau',
  'upsilon',
  'phi',
  'varphi',
  'chi',
  'psi',
  'omega',
  'Gamma',
  'Delta',
  'Theta',
  'Lambda',
  'Xi',
  'Pi',
  'Sigma',
  'Phi',
  'Psi',
  'Omega',
]);
/** Letters read as function names when directly followed by `(`: `f(x)` is an application, `x(x+1)` a product. */
/** Accents make a new name of a symbol: `\\dot{x}`, `\\hat{y}`, `\\vec{v}`. */
const ACCENTS = new Set([
  'dot',
  'ddot',
  'hat',
  'bar',
  'vec',
  'tilde',
  'overline',
  'widehat',
  'widetilde',
  'check',
]);
const FUNCTION_LETTERS = new Set(['f', 'g', 'h', 'F', 'G', 'H', 'P', 'Q', 'W']);
const REL_OPS: Record<string, RelOp> = {
  '=': '=',
  '<': '<',
  '>': '>',
  '<=': '<=',
  '>=': '>=',
  '!=': '!=',
  '\\leq': '<=',
  '\\le': '<=',
  '\\leqslant': '<=',
  '\\geq': '>=',
  '\\ge': '>=',
  '\\geqslant': '>=',
  '\\lt': '<',
  '\\gt': '>',
  '\\neq': '!=',
  '\\ne': '!=',
  '\\approx': '~',
  '\\equiv': '=',
};
const TEXT_COMMANDS = new Set([
  'text',
  'textbf',
  'textit',
  'mbox',
  'textnormal',
  'textrm',
  'texttt',
  'mathrm',
  'mathbf',
  'mathit',
  'mathsf',
  'operatorname',
  'mathtt',
  'boldsymbol',
  'bm',
  'hbox',
  'emph',
]);

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    if (out.length > MAX_TOKENS) throw new TooLargeError(`more than ${MAX_TOKENS} tokens`);
    const c = src[i] as string;
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if ((c >= '0' && c <= '9') || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(\d+(\.\d*)?|\.\d+)/.exec(src.slice(i, i + 4000)) as RegExpExecArray;
      if (m[0].length >= 4000) throw new TooLargeError('number literal too long');
      out.push({ k: 'num', v: m[0].endsWith('.') ? m[0].slice(0, -1) : m[0] });
      i += m[0].length;
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      out.push({ k: 'letter', v: c });
      i++;
      continue;
    }
    if (c === '\\') {
      const m = /^\\([a-zA-Z]+)/.exec(src.slice(i, i + 40));
      if (m) {
        out.push({ k: 'cmd', v: m[1] as string });
        i += m[0].length;
      } else {
        const n = src[i + 1] ?? '';
        // Spacing (`\,` `\;` `\:` `\!` `\ `) that clean-up left in place, e.g. right after a row break `\\`.
        if (n === ',' || n === ';' || n === ':' || n === '!' || n === ' ') {
          i += 2;
          continue;
        }
        out.push(n === '\\' ? { k: 'op', v: 'ROW' } : { k: 'op', v: `\\${n}` });
        i += 2;
      }
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '!=' || two === '=<' || two === '=>') {
      out.push({ k: 'op', v: two === '=<' ? '<=' : two === '=>' ? '>=' : two });
      i += 2;
      continue;
    }
    out.push({ k: 'op', v: c });
    i++;
  }
  out.push({ k: 'end' });
  return out;
}

/** Parse normalised LaTeX into an answer tree. Throws ParseError or TooLargeError. */
export function parseLatex(src: string): Node {
  const p = new Parser(tokenize(src));
  const n = p.parseTop();
  if (p.peek().k !== 'end') throw new ParseError(`unexpected ${describe(p.peek())}`);
  return p.sawSet ? fractionalParts(n, false) : n;
}

function describe(t: Tok): string {
  return t.k === 'end' ? 'end of input' : `'${t.v}'`;
}

class Parser {
  private pos = 0;
  private depth = 0;
  private absDepth = 0;
  private readonly toks: Tok[];
  /** A `\{...\}` was read: it may be a fractional part, see `fractionalParts`. */
  sawSet = false;

  constructor(toks: Tok[]) {
    this.toks = toks;
  }

  peek(o = 0): Tok {
    return this.toks[Math.min(this.pos + o, this.toks.length - 1)] as Tok;
  }
  private next(): Tok {
    const t = this.peek();
    if (t.k !== 'end') this.pos++;
    return t;
  }
  private isOp(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t.k === 'op' && t.v === v;
  }
  private isCmd(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t.k === 'cmd' && t.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new ParseError(`expected '${v}' but found ${describe(this.peek())}`);
    this.pos++;
  }
  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new TooLargeError(`nesting deeper than ${MAX_DEPTH}`);
  }

  parseTop(): Node {
    const groups: Node[][] = [this.parseCommaList(['end', ';'])];
    while (this.isOp(';')) {
      this.next();
      groups.push(this.parseCommaList(['end', ';']));
    }
    // `p=5,q=2; p=7,q=2`: semicolons separate solutions, commas the parts of one solution.
    const items =
      groups.length > 1
        ? groups
            .filter((g) => g.length)
            .map((g) => (g.length === 1 ? (g[0] as Node) : ({ t: 'tuple', items: g } as Node)))
        : (groups[0] as Node[]);
    if (items.length === 0) throw new ParseError('empty answer');
    return items.length === 1 ? (items[0] as Node) : { t: 'list', items };
  }

  /** Comma (or semicolon) separated items up to one of the closing tokens (not consumed). */
  private parseCommaList(closers: string[]): Node[] {
    const items: Node[] = [];
    const closes = () => {
      const t = this.peek();
      return (
        t.k === 'end' ||
        (t.k === 'op' && closers.includes(t.v)) ||
        (t.k === 'cmd' && closers.includes(`\\${t.v}`))
      );
    };
    while (true) {
      if (this.isOp(',') || (this.isOp(';') && !closers.includes(';'))) {
        this.next(); // tolerate empty items such as `1,,2`
        continue;
      }
      if (closes()) break;
      items.push(this.parseRelation());
      if (this.isOp(',') || (this.isOp(';') && !closers.includes(';'))) continue;
      if (closes()) break;
      throw new ParseError(`unexpected ${describe(this.peek())}`);
    }
    return items;
  }

  private relOp(): RelOp | null {
    const t = this.peek();
    if (t.k === 'op') return REL_OPS[t.v] ?? null;
    if (t.k === 'cmd') return REL_OPS[`\\${t.v}`] ?? null;
    return null;
  }

  private parseRelation(): Node {
    const first = this.parseRatio();
    if (this.isCmd('in')) {
      this.next();
      return { t: 'in', a: first, set: this.parseRatio() };
    }
    const args = [first];
    const ops: RelOp[] = [];
    for (let op = this.relOp(); op; op = this.relOp()) {
      this.next();
      ops.push(op);
      args.push(this.parseRatio());
    }
    return ops.length ? { t: 'rel', ops, args } : first;
  }

  private parseRatio(): Node {
    const items = [this.parseUnion()];
    while (this.isOp(':')) {
      this.next();
      items.push(this.parseUnion());
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'ratio', items };
  }

  private parseUnion(): Node {
    const items = [this.parseAdditive()];
    while (this.isCmd('cup')) {
      this.next();
      items.push(this.parseAdditive());
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'union', items };
  }

  private parseAdditive(): Node {
    this.enter();
    let acc: Node | null = null;
    const terms: Node[] = [];
    const flush = () => {
      if (acc) terms.push(acc);
      acc = null;
    };
    let first = true;
    while (true) {
      if (this.isOp('+') || this.isOp('-')) {
        const neg =
          this.next().k === 'op' &&
          this.toks[this.pos - 1]?.k === 'op' &&
          (this.toks[this.pos - 1] as { v: string }).v === '-';
        const term = this.parseMul();
        flush();
        acc = neg ? { t: 'neg', a: term } : term;
      } else if (this.isCmd('pm') || this.isCmd('mp')) {
        const sign = (this.next() as { v: string }).v as 'pm' | 'mp';
        const b = this.parseMul();
        flush();
        const before: Node | null =
          terms.length === 0
            ? null
            : terms.length === 1
              ? (terms[0] as Node)
              : { t: 'add', args: [...terms] };
        terms.length = 0;
        acc = { t: 'pm', a: before, b, sign };
      } else if (first) {
        acc = this.parseMul();
      } else break;
      first = false;
    }
    flush();
    this.depth--;
    if (terms.length === 0) throw new ParseError('empty expression');
    return terms.length === 1 ? (terms[0] as Node) : { t: 'add', args: terms };
  }

  private startsAtom(): boolean {
    const t = this.peek();
    if (t.k === 'num' || t.k === 'letter') return true;
    if (t.k === 'op')
      return t.v === '(' || t.v === '[' || (t.v === '|' && this.absDepth === 0) || t.v === '\\{';
    if (t.k === 'cmd')
      return (
        !REL_OPS[`\\${t.v}`] &&
        ![
          'cdot',
          'times',
          'div',
          'cup',
          'pm',
          'mp',
          'in',
          'end',
          'right',
          'cap',
          'to',
          'quad',
          'bmod',
          'mod',
          'rfloor',
          'rceil',
          'rvert',
        ].includes(t.v)
      );
    return false;
  }

  private parseMul(): Node {
    this.enter();
    let node = this.parseUnary();
    while (true) {
      if (this.isOp('*') || this.isCmd('cdot') || this.isCmd('times') || this.isCmd('ast')) {
        this.next();
        node = mul(node, this.parseUnary());
      } else if (this.isOp('/') || this.isCmd('div')) {
        this.next();
        node = { t: 'div', a: node, b: this.parseUnary() };
      } else if (this.skipModOperator()) {
        node = { t: 'fn', name: 'mod', args: [node, this.parseUnary()] };
      } else if (this.startsAtom()) {
        const right = this.parsePostfix();
        node = isMixedNumber(node, right) ? { t: 'add', args: [node, right] } : mul(node, right);
      } else break;
    }
    this.depth--;
    return numberWordProduct(node) ?? node;
  }

  /** `a \bmod b`, `a \mod b`, `a \operatorname{mod} b`: consumes the operator when one is next. */
  private skipModOperator(): boolean {
    if (this.isCmd('bmod') || this.isCmd('mod')) {
      this.next();
      return true;
    }
    const word = ['{', 'm', 'o', 'd', '}'];
    if (
      (this.isCmd('operatorname') || this.isCmd('mathrm') || this.isCmd('text')) &&
      word.every((w, k) => (this.peek(k + 1) as { v?: string }).v === w)
    ) {
      this.pos += 1 + word.length;
      return true;
    }
    return false;
  }

  private parseUnary(): Node {
    if (this.isOp('-')) {
      this.next();
      return { t: 'neg', a: this.parseUnary() };
    }
    if (this.isOp('+')) {
      this.next();
      return this.parseUnary();
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Node {
    let node = this.parseAtom();
    while (true) {
      if (this.isOp('^')) {
        this.next();
        node = { t: 'pow', a: node, b: this.parseScript() };
      } else if (this.isOp('_')) {
        this.next();
        node = subscript(node, this.parseScript());
      } else if (this.isOp('!')) {
        this.next();
        node = { t: 'fn', name: 'factorial', args: [node] };
      } else if (this.isOp('\\%') || this.isOp('%')) {
        this.next();
        node = { t: 'pct', a: node };
      } else if (this.isOp("'")) {
        this.next();
        node = node.t === 'sym' ? { t: 'sym', name: `${node.name}'` } : node;
      } else return node;
    }
  }

  /** The argument of ^ or _: a braced group or a single token. */
  private parseScript(): Node {
    if (this.isOp('{')) return this.parseGroup();
    const t = this.peek();
    if (t.k === 'num') {
      // `\frac12` and `x^23`: a script takes one digit and leaves the rest of the literal.
      if (t.v.length > 1 && /^\d\d/.test(t.v)) {
        this.toks[this.pos] = { k: 'num', v: t.v.slice(1) };
        return { t: 'num', text: t.v[0] as string };
      }
      this.next();
      return { t: 'num', text: t.v };
    }
    if (t.k === 'op' && (t.v === '-' || t.v === '+')) {
      this.next();
      const a = this.parseScript();
      return t.v === '-' ? { t: 'neg', a } : a;
    }
    return this.parseAtom();
  }

  private parseGroup(): Node {
    this.expectOp('{');
    this.enter();
    const items = this.parseCommaList(['}']);
    this.expectOp('}');
    this.depth--;
    if (items.length === 0) throw new ParseError('empty group');
    return items.length === 1 ? (items[0] as Node) : { t: 'list', items };
  }

  private parseAtom(): Node {
    this.enter();
    try {
      return this.parseAtomInner();
    } finally {
      this.depth--;
    }
  }

  private parseAtomInner(): Node {
    const t = this.next();
    switch (t.k) {
      case 'end':
        throw new ParseError('unexpected end of input');
      case 'num':
        return { t: 'num', text: t.v };
      case 'letter':
        if (FUNCTION_LETTERS.has(t.v) && this.isOp('(')) {
          this.next();
          const args = this.parseCommaList([')']);
          this.expectOp(')');
          return { t: 'fn', name: t.v, args };
        }
        if (t.v === 'e') return { t: 'const', name: 'e' };
        if (t.v === 'i') return { t: 'const', name: 'i' };
        return { t: 'sym', name: t.v };
      case 'op':
        return this.parseBracketed(t.v);
      case 'cmd':
        return this.parseCommand(t.v);
    }
  }

  private parseBracketed(open: string): Node {
    if (open === '{') {
      this.pos--;
      return this.parseGroup();
    }
    if (open === '\\{') {
      this.sawSet = true;
      const items = this.parseCommaList(['\\}']);
      this.expectOp('\\}');
      return { t: 'set', items };
    }
    if (open === '|') {
      this.absDepth++;
      const inner = this.parseAdditive();
      this.absDepth--;
      this.expectOp('|');
      return { t: 'fn', name: 'abs', args: [inner] };
    }
    if (open === '(' || open === '[') {
      const items = this.parseCommaList([')', ']']);
      const close = this.next();
      if (close.k !== 'op' || (close.v !== ')' && close.v !== ']'))
        throw new ParseError('unbalanced brackets');
      if (items.length === 0) throw new ParseError('empty brackets');
      if (items.length === 2 && (open === '[' || close.v === ']')) {
        return {
          t: 'interval',
          lo: items[0] as Node,
          hi: items[1] as Node,
          loClosed: open === '[',
          hiClosed: close.v === ']',
        };
      }
      if (items.length === 1) return items[0] as Node;
      return { t: 'tuple', items };
    }
    throw new ParseError(`unexpected '${open}'`);
  }

  private parseCommand(name: string): Node {
    if (name === 'frac' || name === 'binom') {
      const a = this.parseScript();
      const b = this.parseScript();
      return name === 'frac' ? { t: 'div', a, b } : { t: 'fn', name: 'binom', args: [a, b] };
    }
    if (name === 'sqrt') {
      let index: Node | null = null;
      if (this.isOp('[')) {
        this.next();
        index = this.parseAdditive();
        this.expectOp(']');
      }
      const body = this.parseScript();
      return index ? { t: 'fn', name: 'root', args: [body, index] } : { t: 'fn', name: 'sqrt', args: [body] };
    }
    if (name === 'pi') return { t: 'const', name: 'pi' };
    if (name === 'infty' || name === 'infinity') return { t: 'const', name: 'inf' };
    if (name === 'imath') return { t: 'const', name: 'i' };
    if (GREEK.has(name)) return { t: 'sym', name };
    if (name === 'boxed' || name === 'fbox' || name === 'mathbb') return this.parseScript();
    if (ACCENTS.has(name)) {
      const arg = this.parseScript();
      return arg.t === 'sym' ? { t: 'sym', name: `${name}{${arg.name}}` } : arg;
    }
    if (TEXT_COMMANDS.has(name)) return this.parseTextCommand(name);
    if (FUNCTIONS.has(name)) return this.parseFunction(name);
    if (name === 'begin') return this.parseEnvironment();
    if (name === 'sum' || name === 'prod' || name === 'int' || name === 'lim')
      return this.parseBigOperator(name);
    if (name === 'emptyset' || name === 'varnothing') return { t: 'set', items: [] };
    if (name === 'lfloor' || name === 'lceil') {
      const inner = this.parseAdditive();
      const close = this.next();
      if (close.k !== 'cmd' || (close.v !== 'rfloor' && close.v !== 'rceil'))
        throw new ParseError(`expected \\r${name.slice(1)} but found ${describe(close)}`);
      // ⌊x⌉ is the nearest integer.
      const fn = name === 'lceil' ? 'ceil' : close.v === 'rceil' ? 'round' : 'floor';
      return { t: 'fn', name: fn, args: [inner] };
    }
    if (name === 'lvert' || name === 'vert') {
      const inner = this.parseAdditive();
      const close = this.next();
      if (close.k !== 'cmd' || (close.v !== 'rvert' && close.v !== 'vert'))
        throw new ParseError(`expected \\rvert but found ${describe(close)}`);
      return { t: 'fn', name: 'abs', args: [inner] };
    }
    // An unknown command is most likely a name (`\\zzz`, `\\triangle`); treat it as a symbol.
    return { t: 'sym', name: `\\${name}` };
  }

  private parseTextCommand(name: string): Node {
    if (!this.isOp('{')) return this.parseAtom();
    const start = this.pos;
    let depth = 0;
    let text = '';
    for (let t = this.next(); ; t = this.next()) {
      if (t.k === 'end') throw new ParseError('unclosed text');
      if (t.k === 'op' && t.v === '{') depth++;
      if (t.k === 'op' && t.v === '}' && --depth === 0) break;
      if (this.pos - start > 1) text += t.k === 'cmd' ? `\\${t.v} ` : t.v;
    }
    const s = text.trim();
    if (/^-?\d+(\.\d+)?$/.test(s))
      return s.startsWith('-') ? { t: 'neg', a: { t: 'num', text: s.slice(1) } } : { t: 'num', text: s };
    const spelled = numberFromWords(s);
    if (spelled !== null) return { t: 'num', text: String(spelled) };
    if (name === 'mathrm' || name === 'operatorname') {
      if (s === 'e') return { t: 'const', name: 'e' };
      if (s === 'i') return { t: 'const', name: 'i' };
      if (FUNCTIONS.has(s)) return this.parseFunction(s);
      if (/^[a-zA-Z]$/.test(s)) return { t: 'sym', name: s };
    }
    if (name.startsWith('math') || name === 'boldsymbol' || name === 'bm') {
      if (/^[a-zA-Z]+$/.test(s) && s.length <= 2) return { t: 'sym', name: s };
    }
    return { t: 'text', s };
  }

  private parseFunction(name: string): Node {
    const next = this.peek();
    if (next.k === 'end' || (next.k === 'op' && (next.v === '}' || next.v === ',' || next.v === ')'))) {
      return { t: 'sym', name };
    }
    let power: Node | null = null;
    let base: Node | null = null;
    for (let k = 0; k < 2; k++) {
      if (this.isOp('^')) {
        this.next();
        power = this.parseScript();
      } else if (this.isOp('_')) {
        this.next();
        base = this.parseScript();
      }
    }
    let arg: Node;
    if (this.isOp('(')) {
      this.next();
      const args = this.parseCommaList([')']);
      this.expectOp(')');
      if (args.length !== 1) {
        const fn: Node = { t: 'fn', name, args };
        return power ? { t: 'pow', a: fn, b: power } : fn;
      }
      arg = args[0] as Node;
    } else if (LIST_FUNCTIONS.has(name) && this.isOp('\\{')) {
      const set = this.parseAtom() as Extract<Node, { t: 'set' }>;
      const fn: Node = { t: 'fn', name, args: set.items };
      return power ? { t: 'pow', a: fn, b: power } : fn;
    } else {
      arg = this.parsePostfix();
      while (
        this.startsAtom() &&
        !(this.peek().k === 'cmd' && FUNCTIONS.has((this.peek() as { v: string }).v))
      ) {
        arg = mul(arg, this.parsePostfix());
      }
    }
    const fnName = name === 'lg' ? 'log10' : name === 'sign' ? 'sgn' : name;
    const fn: Node = base
      ? { t: 'fn', name: 'log', args: [arg, base] }
      : { t: 'fn', name: fnName, args: [arg] };
    return power ? { t: 'pow', a: fn, b: power } : fn;
  }

  private parseEnvironment(): Node {
    const env = this.readBracedWord();
    if (env === 'array' && this.isOp('{')) this.readBracedWord();
    const rows: Node[][] = [[]];
    while (!this.isCmd('end')) {
      if (this.peek().k === 'end') throw new ParseError(`unclosed environment ${env}`);
      const cell = this.parseCommaListUntilCell();
      (rows[rows.length - 1] as Node[]).push(cell);
      if (this.isOp('&')) this.next();
      else if (this.isOp('ROW')) {
        this.next();
        rows.push([]);
      }
    }
    this.next();
    this.readBracedWord();
    while (rows.length > 0 && (rows[rows.length - 1] as Node[]).length === 0) rows.pop();
    if (env.startsWith('vmatrix')) return { t: 'fn', name: 'det', args: [{ t: 'matrix', rows }] };
    if (env.endsWith('matrix') || env === 'array') return { t: 'matrix', rows };
    if (rows.length === 1 && rows[0]?.length === 1) return rows[0][0] as Node;
    return { t: 'list', items: rows.flat() };
  }

  private parseCommaListUntilCell(): Node {
    const items = this.parseCommaList(['&', 'ROW', '\\end']);
    if (items.length === 0) throw new ParseError('empty matrix cell');
    return items.length === 1 ? (items[0] as Node) : { t: 'list', items };
  }

  private readBracedWord(): string {
    this.expectOp('{');
    let s = '';
    while (!this.isOp('}')) {
      const t = this.next();
      if (t.k === 'end') throw new ParseError('unclosed brace');
      s += t.k === 'cmd' ? `\\${t.v}` : t.v;
    }
    this.next();
    return s;
  }

  private parseBigOperator(op: 'sum' | 'prod' | 'int' | 'lim'): Node {
    let lower: Node | null = null;
    let upper: Node | null = null;
    for (let k = 0; k < 2; k++) {
      if (this.isOp('_')) {
        this.next();
        lower = this.parseScript();
      } else if (this.isOp('^')) {
        this.next();
        upper = this.parseScript();
      }
    }
    return { t: 'big', op, lower, upper, body: this.parseMul() };
  }
}

function mul(a: Node, b: Node): Node {
  if (a.t === 'mul') return { t: 'mul', args: [...a.args, b] };
  return { t: 'mul', args: [a, b] };
}

function isMixedNumber(left: Node, right: Node): boolean {
  return (
    left.t === 'num' &&
    !left.text.includes('.') &&
    right.t === 'div' &&
    right.a.t === 'num' &&
    right.b.t === 'num'
  );
}

function subscript(base: Node, idx: Node): Node {
  if (base.t === 'sym' && (idx.t === 'sym' || idx.t === 'num')) {
    return { t: 'sym', name: `${base.name}_${idx.t === 'sym' ? idx.name : idx.text}` };
  }
  if (base.t === 'sym' && idx.t === 'mul' && idx.args.every((a) => a.t === 'sym' || a.t === 'num')) {
    return {
      t: 'sym',
      name: `${base.name}_${idx.args.map((a) => (a.t === 'sym' ? a.name : (a as { text: string }).text)).join('')}`,
    };
  }
  if (base.t === 'num' && idx.t === 'num') return { t: 'fn', name: 'base', args: [base, idx] };
  return { t: 'sub', a: base, idx };
}

/** `seven` read letter by letter is the product s·e·v·e·n: when a product is only such letters, a number word. */
function numberWordProduct(n: Node): Node | null {
  if (n.t !== 'mul') return null;
  let letters = '';
  for (const a of n.args) {
    if (a.t === 'sym' && a.name.length === 1) letters += a.name;
    else if (a.t === 'const' && (a.name === 'e' || a.name === 'i')) letters += a.name;
    else return null;
  }
  const value = numberFromWords(letters);
  return value === null ? null : { t: 'num', text: String(value) };
}

/**
 * `\{x\}` is the set of x, or inside arithmetic (`2\{x\} + 1`, `\{n/3\}^2`) the fractional part of x, since a
 * set is not a number. A one-item set that is an operand of a sum, quotient, power, negation or function, or a
 * factor of a product of plain factors, becomes `frac`; a whole integer (`\{0\}`) stays a set.
 */
function fractionalParts(n: Node, arithmetic: boolean): Node {
  if (arithmetic && n.t === 'set' && n.items.length === 1) {
    const item = n.items[0] as Node;
    if (!(item.t === 'num' && !item.text.includes('.')))
      return { t: 'fn', name: 'frac', args: [fractionalParts(item, true)] };
  }
  const operands =
    n.t === 'add' ||
    n.t === 'neg' ||
    n.t === 'div' ||
    n.t === 'pow' ||
    n.t === 'fn' ||
    (n.t === 'mul' && !n.args.some((a) => a.t === 'sym' && a.name.startsWith('\\')));
  return mapChildren(n, (c) => fractionalParts(c, operands));
}
