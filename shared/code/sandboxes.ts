import { availableParallelism } from 'node:os';
import { JavaScriptSandbox } from './javascript/index.ts';
import { PythonSandbox } from './python/index.ts';
import { createSandboxRunner, type SandboxFactories, type SandboxRunner } from './runner.ts';
import { ProcessSandbox } from './sandbox-process/sandbox.ts';

/** The sandboxes of the Node runtime: Pyodide and V8, both in isolated-vm isolates, in this process. */
export const NODE_SANDBOXES: SandboxFactories = {
  python: () => PythonSandbox.create(),
  javascript: () => new JavaScriptSandbox(),
  typescript: () => new JavaScriptSandbox({ language: 'typescript' }),
};

/**
 * JavaScript and TypeScript in child processes (sandbox-process/): V8 cannot stop some programs, and an
 * isolate it loses keeps its thread and heap until its process ends, so that process must be one the
 * host can kill and replace. Python stays in this process: its memory is Pyodide's wasm heap cap,
 * which holds, and a Python child costs a Pyodide boot on every replacement.
 */
export const CONTAINED_SANDBOXES: SandboxFactories = {
  python: NODE_SANDBOXES.python,
  javascript: () => new ProcessSandbox('javascript'),
  typescript: () => new ProcessSandbox('typescript'),
};

export interface NodeRunnerOptions {
  /** Warm sandboxes per language (default: the number of cores). */
  sandboxesPerLanguage?: number;
  /** Runs that may wait per sandbox before the runner refuses more (default 32). */
  queuePerSandbox?: number;
  /**
   * 'process' (default): JavaScript and TypeScript run in child processes the host replaces when an
   * isolate is lost (CONTAINED_SANDBOXES). 'in-process': every sandbox in this process (NODE_SANDBOXES),
   * for a bundle that ships no child entry (the Lambda).
   */
  containment?: 'process' | 'in-process';
}

export function createNodeSandboxRunner(options: NodeRunnerOptions = {}): SandboxRunner {
  const size = Math.max(1, options.sandboxesPerLanguage ?? availableParallelism());
  const pool = { size, maxQueue: size * (options.queuePerSandbox ?? 32) };
  const factories = options.containment === 'in-process' ? NODE_SANDBOXES : CONTAINED_SANDBOXES;
  return createSandboxRunner(factories, { python: pool, javascript: pool, typescript: pool });
}
