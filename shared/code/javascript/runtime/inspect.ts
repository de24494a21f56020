/**
 * Node's util.inspect and util.format, following lib/internal/util/inspect.js for what programs print:
 * primitives, arrays (with Node's column grouping of long arrays), plain objects, class instances, Map,
 * Set, typed arrays, Buffers, errors, functions, dates, regexps, circular references. No colors, no
 * showHidden, no proxies or promise internals (a promise prints as pending).
 */

interface Ctx {
  depth: number;
  breakLength: number;
  compact: number;
  maxArrayLength: number;
  maxStringLength: number;
  indentationLvl: number;
  currentDepth: number;
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

const ARRAY_EXTRAS = 1;
const OBJECT = 0;
export const customInspect = Symbol.for('nodejs.util.inspect.custom');

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
  return formatValue(ctx, value, 0, false);
}
inspect.custom = customInspect;

function formatValue(ctx: Ctx, value: unknown, recurseTimes: number, typedArray: boolean): string {
  if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(ctx, value);
  if (value === null) return 'null';
  const custom = (value as Record<symbol, unknown>)[customInspect];
  if (typeof custom === 'function' && custom !== inspect) {
    const ret = custom.call(value, ctx.depth - recurseTimes, { depth: ctx.depth - recurseTimes }, inspect);
    if (ret !== value) return typeof ret === 'string' ? ret : formatValue(ctx, ret, recurseTimes, false);
  }
  if (ctx.seen.includes(value)) {
    let index = ctx.circular.get(value);
    if (index === undefined) {
      index = ctx.circular.size + 1;
      ctx.circular.set(value, index);
    }
    return `[Circular *${index}]`;
  }
  return formatRaw(ctx, value, recurseTimes, typedArray);
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

function formatNumber(n: number): string {
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

function formatRaw(ctx: Ctx, value: object, recurseTimes: number, typedArray: boolean): string {
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
  void typedArray;
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
    output.push(formatValue(ctx, v, recurseTimes, false));
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
    output.push(`${formatValue(ctx, k, recurseTimes, false)} => ${formatValue(ctx, v, recurseTimes, false)}`);
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
    str = formatValue(ctx, desc.value, recurseTimes, false);
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

function isBelowBreakLength(ctx: Ctx, output: string[], start: number, base: string): boolean {
  let total = output.length + start;
  if (total + output.length > ctx.breakLength) return false;
  for (const entry of output) {
    total += entry.length;
    if (total > ctx.breakLength) return false;
  }
  return base === '' || !base.includes('\n');
}

function reduceToSingleString(
  ctx: Ctx,
  output: string[],
  base: string,
  braces: [string, string],
  extras: number,
  recurseTimes: number,
  value: unknown,
): string {
  const entries = output.length;
  if (extras === ARRAY_EXTRAS && entries > 6) output = groupArrayElements(ctx, output, value);
  if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
    const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
    if (isBelowBreakLength(ctx, output, start, base)) {
      const joined = output.join(', ');
      if (!joined.includes('\n')) return `${base ? `${base} ` : ''}${braces[0]} ${joined} ${braces[1]}`;
    }
  }
  const indentation = `\n${' '.repeat(ctx.indentationLvl)}`;
  return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
}

/** Node's column layout for arrays of more than six short entries. */
function groupArrayElements(ctx: Ctx, output: string[], value: unknown): string[] {
  let totalLength = 0;
  let maxLength = 0;
  let outputLength = output.length;
  if (ctx.maxArrayLength < output.length) outputLength--;
  const separatorSpace = 2;
  const dataLen: number[] = [];
  for (let i = 0; i < outputLength; i++) {
    const len = (output[i] as string).length;
    dataLen.push(len);
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (
    actualMax * 3 + ctx.indentationLvl < ctx.breakLength &&
    (totalLength / actualMax > 5 || maxLength <= 6)
  ) {
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
      Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
      ctx.compact * 4,
      15,
    );
    if (columns <= 1) return output;
    const maxLineLength: number[] = [];
    for (let i = 0; i < columns; i++) {
      let lineLength = 0;
      for (let j = i; j < output.length; j += columns) {
        if ((dataLen[j] ?? 0) > lineLength) lineLength = dataLen[j] as number;
      }
      maxLineLength.push(lineLength + separatorSpace);
    }
    let padStart = true;
    if (value !== undefined) {
      const items = value as ArrayLike<unknown>;
      for (let i = 0; i < output.length; i++) {
        if (typeof items[i] !== 'number' && typeof items[i] !== 'bigint') {
          padStart = false;
          break;
        }
      }
    }
    const grouped: string[] = [];
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let str = '';
      let j = i;
      for (; j < max - 1; j++) {
        const cell = `${output[j]}, `;
        const width = maxLineLength[j - i] as number;
        str += padStart ? cell.padStart(width, ' ') : cell.padEnd(width, ' ');
      }
      if (padStart)
        str += (output[j] as string).padStart((maxLineLength[j - i] as number) - separatorSpace, ' ');
      else str += output[j];
      grouped.push(str);
    }
    if (ctx.maxArrayLength < output.length) grouped.push(output[outputLength] as string);
    return grouped;
  }
  return output;
}

const BUILTIN_TO_STRING = new Set<unknown>([
  Object.prototype.toString,
  Array.prototype.toString,
  Error.prototype.toString,
  Date.prototype.toString,
  RegExp.prototype.toString,
  Function.prototype.toString,
]);

/** util.format: printf-style %s %d %i %f %j %o %O %c %%, then the other arguments inspected. */
export function format(...args: unknown[]): string {
  const first = args[0];
  let a = 0;
  let str = '';
  let join = '';
  if (typeof first === 'string') {
    if (args.length === 1) return first;
    let lastPos = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) !== 37) continue;
      const next = first[++i];
      if (a + 1 !== args.length) {
        let piece: string;
        if (next === 's') {
          const arg = args[++a];
          if (typeof arg === 'number') piece = formatNumber(arg);
          else if (typeof arg === 'bigint') piece = `${arg}n`;
          else if (
            typeof arg !== 'object' ||
            arg === null ||
            !BUILTIN_TO_STRING.has((arg as object).toString)
          )
            piece = String(arg);
          else piece = inspect(arg, { depth: 0 });
        } else if (next === 'j') {
          try {
            piece = JSON.stringify(args[++a]) ?? 'undefined';
          } catch {
            piece = '[Circular]';
          }
        } else if (next === 'd' || next === 'i' || next === 'f') {
          const arg = args[++a];
          if (typeof arg === 'bigint') piece = `${arg}n`;
          else if (typeof arg === 'symbol') piece = 'NaN';
          else if (next === 'd') piece = formatNumber(Number(arg));
          else
            piece = formatNumber(
              // biome-ignore lint/correctness/useParseIntRadix: Node's %i parses '0x1f' as hex too
              next === 'i' ? Number.parseInt(String(arg)) : Number.parseFloat(String(arg)),
            );
        } else if (next === 'o' || next === 'O') {
          piece = inspect(args[++a], next === 'o' ? { depth: 4 } : {});
        } else if (next === 'c') {
          a++;
          piece = '';
        } else if (next === '%') {
          str += first.slice(lastPos, i);
          lastPos = i + 1;
          continue;
        } else continue;
        if (lastPos !== i - 1) str += first.slice(lastPos, i - 1);
        str += piece;
        lastPos = i + 1;
      } else if (next === '%') {
        str += first.slice(lastPos, i);
        lastPos = i + 1;
      }
    }
    if (lastPos !== 0) {
      a++;
      join = ' ';
      if (lastPos < first.length) str += first.slice(lastPos);
    }
  }
  while (a < args.length) {
    const value = args[a];
    str +=
      join +
      (typeof value === 'string' ? value : typeof value === 'number' ? formatNumber(value) : inspect(value));
    join = ' ';
    a++;
  }
  return str;
}
