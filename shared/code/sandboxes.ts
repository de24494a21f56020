import { availableParallelism } from 'node:os';
import { JavaScriptSandbox } from './javascript/index.ts';
import { PythonSandbox } from './python/index.ts';
import { createSandboxRunner, type SandboxFactories, type SandboxRunner } from './runner.ts';

/** The sandboxes of the Node runtime: Pyodide and V8, both in isolated-vm isolates. */
export const NODE_SANDBOXES: SandboxFactories = {
  python: () => PythonSandbox.create(),
  javascript: () => new JavaScriptSandbox(),
  typescript: () => new JavaScriptSandbox({ language: 'typescript' }),
};

export interface NodeRunnerOptions {
  /** Warm sandboxes per language (default: the number of cores). */
  sandboxesPerLanguage?: number;
  /** Runs that may wait per sandbox before the runner refuses more (default 32). */
  queuePerSandbox?: number;
}

export function createNodeSandboxRunner(options: NodeRunnerOptions = {}): SandboxRunner {
  const size = Math.max(1, options.sandboxesPerLanguage ?? availableParallelism());
  const pool = { size, maxQueue: size * (options.queuePerSandbox ?? 32) };
  return createSandboxRunner(NODE_SANDBOXES, { python: pool, javascript: pool, typescript: pool });
}
