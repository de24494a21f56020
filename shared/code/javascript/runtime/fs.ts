import { Buffer } from './buffer.ts';
import { readInto, takeText } from './input.ts';
import { schedule } from './loop.ts';
import { type Stdin, takeBuffer } from './stdin.ts';

/**
 * The fs module over the three standard streams only: reading fd 0 or /dev/stdin, writing fd 1 and 2
 * or /dev/stdout and /dev/stderr. Every other path fails with ENOENT, as on a machine with no files.
 */

type Write = (fd: 1 | 2, text: string) => void;

const STDIN = new Set<unknown>([0, '/dev/stdin', '/proc/self/fd/0', '/dev/fd/0']);
const STDOUT = new Set<unknown>([1, '/dev/stdout', '/proc/self/fd/1', '/dev/fd/1']);
const STDERR = new Set<unknown>([2, '/dev/stderr', '/proc/self/fd/2', '/dev/fd/2']);

function enoent(syscall: string, path: unknown): Error {
  const err = new Error(`ENOENT: no such file or directory, ${syscall} '${String(path)}'`) as Error &
    Record<string, unknown>;
  Object.assign(err, { errno: -2, code: 'ENOENT', syscall, path: String(path) });
  return err;
}

function encodingOf(options: unknown): string | null {
  if (typeof options === 'string') return options;
  if (options !== null && typeof options === 'object') {
    const e = (options as { encoding?: unknown }).encoding;
    return typeof e === 'string' ? e : null;
  }
  return null;
}

function outputFd(target: unknown): 1 | 2 | null {
  if (STDOUT.has(target)) return 1;
  if (STDERR.has(target)) return 2;
  return null;
}

function asText(data: unknown, encoding?: unknown): string {
  if (data instanceof Uint8Array)
    return Buffer.from(data).toString(typeof encoding === 'string' ? encoding : 'utf8');
  return String(data);
}

export function fsModule(write: Write, stdin: () => Stdin): object {
  const readFileSync = (path: unknown, options?: unknown): string | Buffer => {
    if (!STDIN.has(path)) throw enoent('open', path);
    const encoding = encodingOf(options);
    if (encoding === null) return takeBuffer();
    return /^utf-?8$/i.test(encoding) ? takeText() : takeBuffer().toString(encoding);
  };
  const writeSync = (fd: unknown, data: unknown, ...rest: unknown[]): number => {
    const out = outputFd(fd);
    if (out === null) throw Object.assign(new Error('EBADF: bad file descriptor, write'), { code: 'EBADF' });
    const text = asText(
      data,
      rest.find((r) => typeof r === 'string'),
    );
    write(out, text);
    return text.length;
  };
  const writeFileSync = (path: unknown, data: unknown, options?: unknown): void => {
    const out = outputFd(path);
    if (out === null) throw enoent('open', path);
    write(out, asText(data, encodingOf(options)));
  };
  const readSync = (fd: unknown, buffer: Uint8Array, offsetOrOptions?: unknown, length?: number): number => {
    if (!STDIN.has(fd)) throw Object.assign(new Error('EBADF: bad file descriptor, read'), { code: 'EBADF' });
    if (offsetOrOptions !== null && typeof offsetOrOptions === 'object') {
      const o = offsetOrOptions as { offset?: number; length?: number };
      return readInto(buffer, o.offset ?? 0, o.length ?? buffer.length - (o.offset ?? 0));
    }
    const offset = typeof offsetOrOptions === 'number' ? offsetOrOptions : 0;
    return readInto(buffer, offset, length ?? buffer.length - offset);
  };
  const later = (fn: () => void) => schedule(0, fn);
  const callbackOf = (args: unknown[]) =>
    args.findLast((a) => typeof a === 'function') as ((err: unknown, value?: unknown) => void) | undefined;
  const readFile = (path: unknown, ...args: unknown[]): void => {
    const cb = callbackOf(args);
    later(() => {
      let value: unknown;
      try {
        value = readFileSync(path, args[0]);
      } catch (err) {
        cb?.(err);
        return;
      }
      cb?.(null, value);
    });
  };
  const writeFile = (path: unknown, data: unknown, ...args: unknown[]): void => {
    const cb = callbackOf(args);
    later(() => {
      try {
        writeFileSync(path, data, args[0]);
      } catch (err) {
        cb?.(err);
        return;
      }
      cb?.(null);
    });
  };
  const missing = (syscall: string) => (path: unknown) => {
    throw enoent(syscall, path);
  };
  const promises = {
    readFile: (path: unknown, options?: unknown) =>
      new Promise((resolve) => later(() => resolve(readFileSync(path, options)))),
    writeFile: (path: unknown, data: unknown, options?: unknown) =>
      new Promise<void>((resolve) => later(() => resolve(writeFileSync(path, data, options)))),
  };
  return {
    readFileSync,
    readSync,
    writeSync,
    writeFileSync,
    appendFileSync: writeFileSync,
    readFile,
    writeFile,
    promises,
    existsSync: (path: unknown) => STDIN.has(path) || outputFd(path) !== null,
    openSync: (path: unknown) => {
      if (STDIN.has(path)) return 0;
      const out = outputFd(path);
      if (out === null) throw enoent('open', path);
      return out;
    },
    closeSync: () => undefined,
    fstatSync: () => ({ size: 0, isFile: () => false, isFIFO: () => true }),
    createReadStream: (path: unknown, options?: { fd?: number }) => {
      if (STDIN.has(path) || options?.fd === 0) return stdin();
      throw enoent('open', path);
    },
    readdirSync: missing('scandir'),
    statSync: missing('stat'),
    mkdirSync: missing('mkdir'),
    unlinkSync: missing('unlink'),
  };
}
