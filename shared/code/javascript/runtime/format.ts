import { formatNumber, inspect } from './inspect.ts';

/** Node's util.format: printf-style %s %d %i %f %j %o %O %c %%, then the other arguments inspected. */

const BUILTIN_TO_STRING = new Set<unknown>([
  Object.prototype.toString,
  Array.prototype.toString,
  Error.prototype.toString,
  Date.prototype.toString,
  RegExp.prototype.toString,
  Function.prototype.toString,
]);

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
