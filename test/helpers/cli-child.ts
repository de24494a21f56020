import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs the real CLI as a child process, through pipes or a pseudo-terminal, with the Node running the tests. */

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const cli = join(root, 'functions/cli/gradus.ts');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** A child's stdout and stderr as text, and how it ended, once it closes. */
export interface Collected extends Ran {
  signal: NodeJS.Signals | null;
}

/**
 * Collects a spawned child's piped output: `output()` is what it wrote so far, `closed` resolves when it
 * has exited and its pipes are drained.
 */
export function collectOutput(child: ChildProcess): { closed: Promise<Collected>; output: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const closed = new Promise<Collected>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { closed, output: () => `${stdout}${stderr}` };
}

/** `gradus <args>` with stdout and stderr as pipes (as in CI, or `| tee`). */
export async function gradusPiped(args: string[], options: RunOptions = {}): Promise<Ran> {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { code, stdout, stderr } = await collectOutput(child).closed;
  return { code, stdout, stderr };
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * How this machine can give a child a terminal: util-linux `script`, or Python's `pty` module; undefined
 * when neither is there (the pseudo-terminal tests say so and skip).
 */
export const ptyRunner: 'script' | 'python' | undefined = (() => {
  if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0) return 'script';
  if (spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0) return 'python';
  return undefined;
})();

/** `gradus <args>` on a pseudo-terminal: stdout and stderr are both the terminal, read back as `output`. */
export function gradusInPty(
  args: string[],
  options: RunOptions = {},
): Promise<{ code: number | null; output: string }> {
  const argv = [process.execPath, cli, ...args];
  const [program, programArgs] =
    ptyRunner === 'script'
      ? ['script', ['-qfec', argv.map(quote).join(' '), '/dev/null']]
      : ['python3', ['-c', 'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)', ...argv]];
  return new Promise((resolve, reject) => {
    const child = spawn(program as string, programArgs as string[], {
      cwd: options.cwd ?? root,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      output += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      output += s;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** What a terminal shows over time: each redraw (`\r`) and line as its own entry, escapes removed. */
const ESCAPE_SEQUENCE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

export function screens(output: string): string[] {
  return output
    .replace(ESCAPE_SEQUENCE, '')
    .split(/\r\n|\r|\n/)
    .map((s) => s.trimEnd())
    .filter((s) => s !== '');
}
