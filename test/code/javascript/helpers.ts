import { afterAll } from 'vitest';
import { JavaScriptSandbox, type JavaScriptSandboxOptions } from '../../../shared/code/javascript/index.ts';
import { DEFAULT_RUN_LIMITS, type RunLimits, type RunResult } from '../../../shared/code/types.ts';

/** Limits for tests: the defaults with a short wall clock, so runaway programs end quickly. */
export const TEST_LIMITS: RunLimits = { ...DEFAULT_RUN_LIMITS, wallMs: 2000 };

/** A sandbox disposed after the test file; `run` takes partial limits. */
export function useSandbox(options: JavaScriptSandboxOptions = {}) {
  const sandbox = new JavaScriptSandbox(options);
  afterAll(() => sandbox.dispose());
  return {
    sandbox,
    run: (program: string, stdin = '', limits: Partial<RunLimits> = {}): Promise<RunResult> =>
      sandbox.run(program, stdin, { ...TEST_LIMITS, ...limits }),
  };
}

/** Multi-line input used by the stdin tests: a count, then that many lines of numbers. */
export const NUMBERS_INPUT = '3\n1 2 3\n4 5 6\n7 8 9\n';
/** The per-line sums of NUMBERS_INPUT, as the programs print them. */
export const NUMBERS_OUTPUT = '6\n15\n24\n';
