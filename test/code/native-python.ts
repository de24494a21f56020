/**
 * A stand-in runner for unit tests: the system python3 (CPython) in a child process, program from a
 * temporary file, stdin piped. Only a check of the harness text and the scorer's flow; real runs go
 * through the sandboxes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeRunner } from '../../shared/code/score.ts';
import type { RunLimits, RunResult } from '../../shared/code/types.ts';

export function runPython(
  program: string,
  stdin: string,
  limits: Pick<RunLimits, 'wallMs'>,
): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gradus-py-'));
  const file = join(dir, 'main.py');
  writeFileSync(file, program);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('python3', ['-I', file], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limits.wallMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      const status = timedOut ? 'timeout' : code === 0 ? 'ok' : 'runtime_error';
      resolve({ status, stdout, stderr, exitCode: code ?? 1, ms: performance.now() - started });
    });
  });
}

/** A CodeRunner that runs Python natively and refuses other languages. */
export const nativePythonRunner: CodeRunner = async (language, program, stdin, limits) => {
  if (language !== 'python') throw new Error(`the native test runner runs only Python, not ${language}`);
  return runPython(program, stdin, limits);
};
