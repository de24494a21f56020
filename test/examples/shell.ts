import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { collectOutput } from '../helpers/cli-child.ts';

export interface Finished {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface Background {
  child: ChildProcess;
  output(): string;
  exited: Promise<Finished>;
}

export interface ShellOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** `sh -c text` in its own process group (so it can be stopped with its children), output collected. */
function start(text: string, options: ShellOptions): Background {
  const child = spawn('sh', ['-c', text], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const { closed, output } = collectOutput(child);
  return { child, exited: closed, output };
}

/** Runs a command to its end; past `timeoutMs` its process group is killed (and the result says so). */
export async function runCommand(text: string, options: ShellOptions, timeoutMs: number): Promise<Finished> {
  const run = start(text, options);
  const timer = setTimeout(() => stopGroup(run.child), timeoutMs);
  try {
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a server command in the background and waits until `port` accepts connections. */
export async function startServer(
  text: string,
  options: ShellOptions,
  port: number,
  timeoutMs: number,
): Promise<Background> {
  const run = start(text, options);
  let ended: Finished | undefined;
  void run.exited.then((f) => {
    ended = f;
  });
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (ended)
      throw new Error(
        `\`${text}\` exited (${ended.code ?? ended.signal}) before listening:\n${run.output()}`,
      );
    if (Date.now() > deadline) {
      stopGroup(run.child);
      throw new Error(`\`${text}\` did not listen on port ${port} within ${timeoutMs} ms:\n${run.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return run;
}

/** Stops a background command with its children and waits for it. */
export async function stop(run: Background): Promise<void> {
  stopGroup(run.child);
  await run.exited;
}

function stopGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // The group is already gone.
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
