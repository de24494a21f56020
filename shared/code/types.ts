/** Languages the sandboxes run. TypeScript is stripped to JavaScript on the host, then runs as JavaScript. */
export type Language = 'python' | 'javascript' | 'typescript';

/** How one sandboxed run ended. */
export type RunStatus =
  | 'ok'
  | 'runtime_error'
  | 'compile_error'
  | 'timeout'
  | 'memory_limit'
  | 'output_limit';

export interface RunLimits {
  /** Wall-clock limit of the run, in milliseconds. */
  wallMs: number;
  /** CPU limit, where the runtime can measure it (isolated-vm's cpuTime); defaults to wallMs. */
  cpuMs?: number;
  /** Memory limit in MiB, counting the JS heap and any WebAssembly memory of the run. */
  memoryMb: number;
  /** Most bytes of stdout plus stderr kept; a run printing more ends with `output_limit`. */
  outputBytes: number;
  /** Python recursion limit (sys.setrecursionlimit); deep recursion raises RecursionError. */
  recursionDepth?: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = {
  wallMs: 6000,
  memoryMb: 256,
  outputBytes: 1 << 20,
  recursionDepth: 10_000,
};

export interface RunResult {
  status: RunStatus;
  stdout: string;
  stderr: string;
  /** The program's exit code when it called exit (sys.exit / process.exit), else 0 for ok and 1 for errors. */
  exitCode?: number;
  /** Wall time of the run itself, in milliseconds (queueing excluded). */
  ms: number;
  /** Peak memory of the run in bytes, where measurable. */
  memory?: number;
}

/**
 * One warm interpreter. `run` always starts from a clean state: no global, module or file left by an
 * earlier run is visible. A sandbox whose state a run may have broken replaces its interpreter itself.
 */
export interface Sandbox {
  readonly language: Language;
  run(program: string, stdin: string, limits: RunLimits): Promise<RunResult>;
  dispose(): void;
}
