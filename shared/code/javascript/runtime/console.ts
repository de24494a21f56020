import { format } from './format.ts';
import { inspect } from './inspect.ts';

/** Node's console over the run's stdout (log, info, debug, dir, table) and stderr (error, warn, trace). */

type Write = (fd: 1 | 2, text: string) => void;

export function makeConsole(write: Write): object {
  let indent = '';
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const print = (fd: 1 | 2, args: unknown[]) => {
    const text = format(...args);
    write(fd, `${indent === '' ? text : indent + text.replaceAll('\n', `\n${indent}`)}\n`);
  };
  const out = (...args: unknown[]) => print(1, args);
  const err = (...args: unknown[]) => print(2, args);
  return {
    log: out,
    info: out,
    debug: out,
    error: err,
    warn: err,
    dir: (value: unknown, options?: { depth?: number | null }) =>
      write(1, `${indent}${inspect(value, options)}\n`),
    table: out,
    trace: (...args: unknown[]) => {
      const stack = (new Error().stack ?? '').split('\n').slice(2).join('\n');
      err(`Trace${args.length > 0 ? `: ${format(...args)}` : ''}\n${stack}`);
    },
    assert: (condition: unknown, ...args: unknown[]) => {
      if (!condition) err(args.length > 0 ? `Assertion failed: ${format(...args)}` : 'Assertion failed');
    },
    group: (...args: unknown[]) => {
      if (args.length > 0) out(...args);
      indent += '  ';
    },
    groupCollapsed: (...args: unknown[]) => {
      if (args.length > 0) out(...args);
      indent += '  ';
    },
    groupEnd: () => {
      indent = indent.slice(2);
    },
    count: (label = 'default') => {
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      out(`${label}: ${n}`);
    },
    countReset: (label = 'default') => counts.delete(label),
    time: (label = 'default') => timers.set(label, Date.now()),
    timeLog: (label = 'default', ...args: unknown[]) =>
      out(`${label}: ${Date.now() - (timers.get(label) ?? Date.now())}ms`, ...args),
    timeEnd: (label = 'default') => {
      out(`${label}: ${Date.now() - (timers.get(label) ?? Date.now())}ms`);
      timers.delete(label);
    },
    clear: () => undefined,
  };
}
