import { type ChildProcess, spawn } from 'node:child_process';
import { type Collected, cli, collectOutput, root } from '../helpers/cli-child.ts';

export const ROOT = root;

export interface CliRun {
  child: ChildProcess;
  done: Promise<Collected>;
}

/** Starts the CLI in a child process with the Node running the tests (Node 24). */
export function startCli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, ['--no-node-snapshot', cli, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, done: collectOutput(child).closed };
}

export async function runCli(args: string[], env: Record<string, string> = {}) {
  return startCli(args, env).done;
}
