import { type ChildProcess, spawn } from 'node:child_process';

const REPO = new URL('..', import.meta.url);
/** The reward server, as `npm start` runs it. */
export const REWARD_SERVER = 'functions/reward/node.ts';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with how long the process took to exit after `signal`, or null past `withinMs` (then SIGKILLed). */
  stop(signal?: NodeJS.Signals, withinMs?: number): Promise<number | null>;
}

export interface ServerProcessOptions {
  /** Another server module that prints `listening on <url>` (a benchmark's baseline); default the reward server. */
  script?: string;
  /** Node flags after `--no-node-snapshot`, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

/** `npm start` as a child process the test can kill: a crash or deadlock in it cannot take vitest down. */
export function startServerProcess(
  env: Record<string, string> = {},
  { script = REWARD_SERVER, nodeArgs = [] }: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--no-node-snapshot', ...nodeArgs, script], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    log += chunk;
  });
  const stop = (signal: NodeJS.Signals = 'SIGTERM', withinMs = 15_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(0);
    const t0 = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, withinMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      });
      child.kill(signal);
    });
  };
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match) resolve({ url: match[1] as string, child, stop });
    });
    child.once('exit', (code) =>
      reject(new Error(`the server exited (${code}) before listening: ${seen}${log}`)),
    );
  });
}
