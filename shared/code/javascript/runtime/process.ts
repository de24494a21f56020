import { Buffer } from './buffer.ts';
import { EventEmitter } from './events.ts';
import { exit, hooks } from './lifecycle.ts';
import { write } from './output.ts';
import { SCRIPT_PATH } from './protocol.ts';
import { run } from './state.ts';
import { Stdin } from './stdin.ts';
import { timers } from './timers.ts';

/**
 * Node's process object: argv, an empty env, exit and exitCode, the standard streams, nextTick,
 * hrtime, and the 'exit' and 'uncaughtException' events (see lifecycle.ts). No binding, kill, chdir
 * or real pid. Built on the program's first use of `process`.
 */

const NODE_VERSION = 'v24.0.0';

/** process.stdout and process.stderr. */
class Stdout extends EventEmitter {
  readonly fd: 1 | 2;
  readonly writable = true;
  readonly isTTY = undefined;
  readonly _handle = { setBlocking: () => undefined };
  constructor(fd: 1 | 2) {
    super();
    this.fd = fd;
  }
  write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
      throw new TypeError(
        'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array.',
      );
    }
    write(this.fd, typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (typeof cb === 'function') timers.nextTick(cb);
    return true;
  }
  end(chunk?: unknown, ...rest: unknown[]): this {
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) this.write(chunk, ...rest);
    return this;
  }
  cork(): void {}
  uncork(): void {}
}

class Process extends EventEmitter {
  readonly argv = ['/usr/local/bin/node', SCRIPT_PATH];
  readonly argv0 = 'node';
  readonly execArgv: string[] = [];
  readonly execPath = '/usr/local/bin/node';
  readonly env: Record<string, string> = {};
  readonly platform = 'linux';
  readonly arch = 'x64';
  readonly version = NODE_VERSION;
  readonly versions = { node: NODE_VERSION.slice(1) };
  readonly release = { name: 'node' };
  readonly pid = 1;
  readonly ppid = 0;
  readonly title = 'node';
  readonly stdin = new Stdin();
  readonly stdout = new Stdout(1);
  readonly stderr = new Stdout(2);
  readonly nextTick = timers.nextTick;
  readonly hrtime = Object.assign(
    (previous?: [number, number]) => {
      const ns = Date.now() * 1e6;
      const t: [number, number] = [Math.floor(ns / 1e9), ns % 1e9];
      if (!previous) return t;
      const d = (t[0] - previous[0]) * 1e9 + (t[1] - previous[1]);
      return [Math.floor(d / 1e9), d % 1e9];
    },
    { bigint: () => BigInt(Date.now()) * 1000000n },
  );
  exitCode: number | string | undefined = undefined;

  get mainModule(): unknown {
    return run.mainModule;
  }
  get [Symbol.toStringTag](): string {
    return 'process';
  }
  exit(code?: number | string): never {
    exit(code ?? this.exitCode);
  }
  cwd(): string {
    return '/sandbox';
  }
  uptime(): number {
    return 0;
  }
  umask(): number {
    return 0o22;
  }
  memoryUsage(): Record<string, number> {
    return { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  }
  cpuUsage(): { user: number; system: number } {
    return { user: 0, system: 0 };
  }
  emitWarning(warning: unknown): void {
    write(
      2,
      `(node:1) ${warning instanceof Error ? `${warning.name}: ${warning.message}` : `Warning: ${String(warning)}`}\n`,
    );
  }
  openStdin(): Stdin {
    return this.stdin.resume();
  }
}

export const process = new Process();
hooks.process = process;
