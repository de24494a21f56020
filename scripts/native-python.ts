/**
 * A stand-in runner for unit tests, and the unsandboxed baseline of bench/code.ts: the system python3
 * (CPython) in a child process, program from a temporary file, stdin piped. Only a check of the harness
 * text and the scorer's flow; real runs go through the sandboxes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeRunner } from '../shared/code/score.ts';
import type { RunLimits, RunResult } from '../shared/code/types.ts';

/** One process per run: stdin piped in, stdout and stderr collected, killed at the wall limit. */
export function spawnRun(cmd: string, args: string[], stdin: string, wallMs: number): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, wallMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ status: 'runtime_error', stdout, stderr: String(err), ms: performance.now() - started });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const status = timedOut ? 'timeout' : code === 0 ? 'ok' : 'runtime_error';
      resolve({ status, stdout, stderr, exitCode: code ?? 1, ms: performance.now() - started });
    });
  });
}

export async function runPython(
  program: string,
  stdin: string,
  limits: Pick<RunLimits, 'wallMs'>,
): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gradus-py-'));
  const file = join(dir, 'main.py');
  writeFileSync(file, program);
  try {
    return await spawnRun('python3', ['-I', file], stdin, limits.wallMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A CodeRunner that runs Python natively and refuses other languages. */
export const nativePythonRunner: CodeRunner = async (language, program, stdin, limits) => {
  if (language !== 'python') throw new Error(`the native test runner runs only Python, not ${language}`);
  return runPython(program, stdin, limits);
};
