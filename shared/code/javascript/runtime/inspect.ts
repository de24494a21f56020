import { ARRAY_EXTRAS, type LayoutContext, OBJECT, reduceToSingleString } from './inspect-layout.ts';

/**
 * Node's util.inspect, following lib/internal/util/inspect.js for what programs print:
 * primitives, arrays (with Node's column grouping of long arrays), plain objects, class instances, Map,
 * Set, typed arrays, Buffers, errors, functions, dates, regexps, circular references. No colors, no
 * showHidden, no proxies or promise internals (a promise prints as pending).
 */

interface Ctx extends LayoutContext {
  depth: number;
  maxStringLength: number;
  seen: object[];
  circular: Map<object, number>;
}

export interface InspectOptions {
  depth?: number | null;
  breakLength?: number;
  compact?: number;
  maxArrayLength?: number;
  maxStringLength?: number;
}

const customInspect = Symbol.for('nodejs.util.inspect.custom');

export function inspect(value: unknown, options: InspectOptions = {}): string {
  const ctx: Ctx = {
    depth: options.depth === null ? Number.POSITIVE_INFINITY : (options.depth ?? 2),
    breakLength: options.breakLength ?? 80,
    compact: options.compact ?? 3,
    maxArrayLength: options.maxArrayLength ?? 100,
    maxStringLength: options.maxStringLength ?? 10000,
    indentationLvl: 0,
    currentDepth: 0,
    seen: [],
    circular: new Map(),
  };
  return formatValue(ctx, value, 0);
}
inspect.custom = customInspect;

function formatValue(ctx: Ctx, value: unknown, recurseTimes: number): string {
  if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(ctx, value);
  if (value === null) return 'null';
  const custom = (value as Record<symbol, unknown>)[customInspect];
  if (typeof custom === 'function' && custom !== inspect) {
    const ret = custom.call(value, ctx.depth - recurseTimes, { depth: ctx.depth - recurseTimes }, inspect);
    if (ret !== value) return typeof ret === 'string' ? ret : formatValue(ctx, ret, recurseTimes);
  }
  if (ctx.seen.includes(value)) {
    let index = ctx.circular.get(value);
    if (index === undefined) {
      index = ctx.circular.size + 1;
      ctx.circular.set(value, index);
    }
    return `[Circular *${index}]`;
  }
  return formatRaw(ctx, value, recurseTimes);
}

function formatPrimitive(ctx: Ctx, value: unknown): string {
  if (typeof value === 'string') {
    let trailer = '';
    let s = value;
    if (s.length > ctx.maxStringLength) {
      const remaining = s.length - ctx.maxStringLength;
      s = s.slice(0, ctx.maxStringLength);
      trailer = `... ${remaining} more character${remaining > 1 ? 's' : ''}`;
    }
    if (s.length > 16 && s.length > ctx.breakLength - ctx.indentationLvl - 4) {
      const lines = s.split(/(?<=\n)/);
      return lines.map(quote).join(` +\n${' '.repeat(ctx.indentationLvl + 2)}`) + trailer;
    }
    return quote(s) + trailer;
  }
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  return String(value);
}

export function formatNumber(n: number): string {
  return Object.is(n, -0) ? '-0' : `${n}`;
}

const ESCAPES: Record<string, string> = {
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
};

export function quote(s: string): string {
  let q = "'";
  if (s.includes("'")) {
    if (!s.includes('"')) q = '"';
    else if (!s.includes('`') && !s.includes('${')) q = '`';
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
  const escaped = s.replace(/[\x00-\x1f\x7f\\]/g, (c) => {
    if (c === '\\') return '\\\\';
    return ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  });
  return q + (q === "'" ? escaped.replaceAll("'", "\\'") : escaped) + q;
}

function constructorName(obj: object): string | null {
  let proto: object | null = obj;
  while (proto !== null) {
    const desc = Object.getOwnPropertyDescriptor(proto, 'constructor');
    if (desc && typeof desc.value === 'function' && desc.value.name !== '' && obj instanceof desc.value) {
      return desc.value.name;
    }
    proto = Object.getPrototypeOf(proto);
  }
  return null;
}

function prefix(ctor: string | null, tag: string, fallback: string, size = ''): string {
  if (ctor === null) {
    if (tag !== '' && fallback !== tag) return `[${fallback}${size}: null prototype] [${tag}] `;
    return `[${fallback}${size}: null prototype] `;
  }
  if (tag !== '' && ctor !== tag) return `${ctor}${size} [${tag}] `;
  return `${ctor}${size} `;
}

function ownKeys(value: object, arrayLike: boolean): Array<string | symbol> {
  const keys: Array<string | symbol> = Object.keys(value);
  const filtered = arrayLike ? keys.filter((k) => !/^(0|[1-9][0-9]*)$/.test(k as string)) : keys;
  for (const s of Object.getOwnPropertySymbols(value)) {
    if (Object.getOwnPropertyDescriptor(value, s)?.enumerable) filtered.push(s);
  }
  return filtered;
}

type Formatter = (ctx: Ctx, value: never, recurseTimes: number) => string[];

function formatRaw(ctx: Ctx, value: object, recurseTimes: number): string {
  const ctor = constructorName(value);
  let tag = (value as Record<symbol, unknown>)[Symbol.toStringTag];
  tag = typeof tag === 'string' && tag !== ctor ? tag : '';
  let base = '';
  let braces: [string, string] = ['{', '}'];
  let formatter: Formatter = () => [];
  let extras = OBJECT;
  let keys: Array<string | symbol>;

  if (Array.isArray(value)) {
    keys = ownKeys(value, true);
    const p = ctor !== 'Array' || tag !== '' ? prefix(ctor, tag as string, 'Array', `(${value.length})`) : '';
    braces = [`${p}[`, ']'];
    if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
    extras = ARRAY_EXTRAS;
    formatter = formatArray as Formatter;
  } else if (value instanceof Set || value instanceof Map) {
    keys = ownKeys(value, false);
    const isSet = value instanceof Set;
    const p = prefix(ctor, tag as string, isSet ? 'Set' : 'Map', `(${value.size})`);
    if (value.size === 0 && keys.length === 0) return `${p}{}`;
    braces = [`${p}{`, '}'];
    formatter = (isSet ? formatSet : formatMap) as Formatter;
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const bytes = value as unknown as ArrayLike<number>;
    if (ctor === 'Buffer') return formatBuffer(value as unknown as Uint8Array);
    keys = ownKeys(value, true);
    const fallback = Object.prototype.toString.call(value).slice(8, -1);
    braces = [`${prefix(ctor, tag as string, fallback, `(${bytes.length})`)}[`, ']'];
    if (bytes.length === 0 && keys.length === 0) return `${braces[0]}]`;
    extras = ARRAY_EXTRAS;
    formatter = formatTypedArray as Formatter;
  } else {
    keys = ownKeys(value, false);
    if (typeof value === 'function') {
      base = functionBase(value, ctor, tag as string);
      if (keys.length === 0) return base;
    } else if (value instanceof RegExp) {
      base = RegExp.prototype.toString.call(value);
      if (keys.length === 0) return base;
    } else if (value instanceof Date) {
      base = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      if (keys.length === 0) return base;
    } else if (value instanceof Error) {
      base = formatError(ctx, value);
      keys = keys.filter((k) => k !== 'stack' && k !== 'message');
      if (keys.length === 0) return base;
    } else if (value instanceof Promise) {
      braces = [`${prefix(ctor, tag as string, 'Promise')}{`, '}'];
      formatter = () => ['<pending>'];
    } else if (value instanceof WeakMap || value instanceof WeakSet) {
      return `${prefix(ctor, tag as string, 'Object')}{ <items unknown> }`;
    } else if (isBoxed(value)) {
      if (value instanceof String) keys = ownKeys(value, true);
      const prim = value.valueOf();
      const type = typeof prim === 'string' ? 'String' : typeof prim === 'number' ? 'Number' : 'Boolean';
      base = `[${type}: ${formatPrimitive(ctx, prim)}]`;
      if (keys.length === 0) return base;
    } else {
      if (ctor === 'Object' && tag === '') braces = ['{', '}'];
      else braces = [`${prefix(ctor, tag as string, 'Object')}{`, '}'];
      if (keys.length === 0) return `${braces[0]}}`;
    }
  }

  if (recurseTimes > ctx.depth) {
    return `[${(ctor ?? (tag as string)) || 'Object'}]`;
  }
  recurseTimes += 1;
  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  const output = (formatter as (c: Ctx, v: unknown, r: number) => string[])(ctx, value, recurseTimes);
  for (const key of keys) output.push(formatProperty(ctx, value, recurseTimes, key, extras));
  ctx.seen.pop();
  const index = ctx.circular.get(value);
  if (index !== undefined) {
    const ref = `<ref *${index}> `;
    if (base === '') braces[0] = ref + braces[0];
    else base = ref + base;
  }
  return reduceToSingleString(ctx, output, base, braces, extras, recurseTimes, value);
}

function isBoxed(value: object): value is { valueOf(): string | number | boolean } {
  return value instanceof String || value instanceof Number || value instanceof Boolean;
}

function functionBase(fn: object, ctor: string | null, tag: string): string {
  const source = Function.prototype.toString.call(fn);
  const name = (fn as { name?: unknown }).name;
  if (source.startsWith('class') && source.endsWith('}')) {
    let base = `[class ${typeof name === 'string' && name !== '' ? name : '(anonymous)'}`;
    const superClass = Object.getPrototypeOf(fn) as { name?: string } | null;
    if (superClass && superClass !== Function.prototype && superClass.name)
      base += ` extends ${superClass.name}`;
    return `${base}]`;
  }
  const type = ctor ?? 'Function';
  let base = `[${type}`;
  base += typeof name === 'string' && name !== '' ? `: ${name}]` : ' (anonymous)]';
  if (tag !== '' && tag !== type) base += ` [${tag}]`;
  return base;
}

function formatError(ctx: Ctx, err: Error): string {
  let stack =
    typeof err.stack === 'string' && err.stack !== '' ? err.stack : `[${Error.prototype.toString.call(err)}]`;
  if (ctx.indentationLvl !== 0) stack = stack.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
  return stack;
}

function formatBuffer(buf: Uint8Array): string {
  const shown = Array.from(buf.subarray(0, 50), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const more = buf.length > 50 ? ` ... ${buf.length - 50} more byte${buf.length - 50 > 1 ? 's' : ''}` : '';
  return `<Buffer${shown === '' ? '' : ` ${shown}`}${more}>`;
}

function moreItems(remaining: number): string {
  return `... ${remaining} more item${remaining > 1 ? 's' : ''}`;
}

function formatArray(ctx: Ctx, value: unknown[], recurseTimes: number): string[] {
  const len = Math.min(ctx.maxArrayLength, value.length);
  const output: string[] = [];
  let holes = 0;
  for (let i = 0; i < len; i++) {
    if (!Object.hasOwn(value, i)) {
      holes++;
      continue;
    }
    if (holes > 0) {
      output.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
      holes = 0;
    }
    output.push(formatProperty(ctx, value, recurseTimes, i, ARRAY_EXTRAS));
  }
  if (holes > 0) output.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
  if (value.length > len) output.push(moreItems(value.length - len));
  return output;
}

function formatTypedArray(ctx: Ctx, value: ArrayLike<number | bigint>, _recurseTimes: number): string[] {
  const len = Math.min(ctx.maxArrayLength, value.length);
  const output: string[] = [];
  for (let i = 0; i < len; i++) output.push(formatPrimitive(ctx, value[i]));
  if (value.length > len) output.push(moreItems(value.length - len));
  return output;
}

function formatSet(ctx: Ctx, value: Set<unknown>, recurseTimes: number): string[] {
  const output: string[] = [];
  ctx.indentationLvl += 2;
  for (const v of value) {
    if (output.length >= ctx.maxArrayLength) break;
    output.push(formatValue(ctx, v, recurseTimes));
  }
  ctx.indentationLvl -= 2;
  if (value.size > output.length) output.push(moreItems(value.size - output.length));
  return output;
}

function formatMap(ctx: Ctx, value: Map<unknown, unknown>, recurseTimes: number): string[] {
  const output: string[] = [];
  ctx.indentationLvl += 2;
  for (const [k, v] of value) {
    if (output.length >= ctx.maxArrayLength) break;
    output.push(`${formatValue(ctx, k, recurseTimes)} => ${formatValue(ctx, v, recurseTimes)}`);
  }
  ctx.indentationLvl -= 2;
  if (value.size > output.length) output.push(moreItems(value.size - output.length));
  return output;
}

function formatProperty(
  ctx: Ctx,
  value: object,
  recurseTimes: number,
  key: string | symbol | number,
  extras: number,
): string {
  const desc = Object.getOwnPropertyDescriptor(value, key) ?? {
    value: (value as Record<string, unknown>)[key as string],
  };
  let str: string;
  if (desc.value !== undefined || !('get' in desc || 'set' in desc)) {
    ctx.indentationLvl += 2;
    str = formatValue(ctx, desc.value, recurseTimes);
    ctx.indentationLvl -= 2;
  } else if (desc.get) str = desc.set ? '[Getter/Setter]' : '[Getter]';
  else str = desc.set ? '[Setter]' : 'undefined';
  if (extras === ARRAY_EXTRAS && typeof key === 'number') return str;
  let name: string;
  if (typeof key === 'symbol') name = `[${key.toString()}]`;
  else if (/^[a-zA-Z_][a-zA-Z_0-9]*$/.test(String(key))) name = String(key);
  else name = quote(String(key));
  return `${name}: ${str}`;
}
