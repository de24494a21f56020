import { availableParallelism } from 'node:os';
import { JavaScriptSandbox } from './javascript/index.ts';
import { PythonSandbox } from './python/index.ts';
import { createSandboxRunner, type SandboxFactories, type SandboxRunner } from './runner.ts';
import { ProcessSandbox } from './sandbox-process/sandbox.ts';

/** The sandboxes of the Node runtime: Pyodide and V8, both in isolated-vm isolates, in this process. */
const NODE_SANDBOXES: SandboxFactories = {
  python: () => PythonSandbox.create(),
  javascript: () => new JavaScriptSandbox(),
  typescript: () => new JavaScriptSandbox({ language: 'typescript' }),
};

/**
 * Every language in child processes (sandbox-process/): V8 cannot stop some programs, and an isolate it
 * loses keeps its thread and heap until its process ends, so that process must be one the host can kill
 * and replace. Python too: an interpreter disposed after a timeout left a thread and ~9 MB behind in the
 * process that held it (measured: +130 MB and +9 threads over 15 timeouts); a child that grows is replaced
 * (a Pyodide boot from the cached snapshot, ~1-2 s), the host never grows.
 */
const CONTAINED_SANDBOXES: SandboxFactories = {
  python: () => new ProcessSandbox('python'),
  javascript: () => new ProcessSandbox('javascript'),
  typescript: () => new ProcessSandbox('typescript'),
};

export interface NodeRunnerOptions {
  /** Warm sandboxes per language (default: the number of cores). */
  sandboxesPerLanguage?: number;
  /** Runs that may wait per sandbox before the runner refuses more (default 32). */
  queuePerSandbox?: number;
  /**
   * 'process' (default): every language runs in child processes the host replaces when an isolate is
   * lost or the child's memory grows (CONTAINED_SANDBOXES). 'in-process': every sandbox in this process (NODE_SANDBOXES),
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
