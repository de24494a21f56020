import { PythonSandbox } from '../../../shared/code/python/index.ts';
import { DEFAULT_RUN_LIMITS, type RunLimits, type RunResult } from '../../../shared/code/types.ts';

/** Default limits with a short wall clock, so that timeouts in tests stay cheap. */
export function limits(overrides: Partial<RunLimits> = {}): RunLimits {
  return { ...DEFAULT_RUN_LIMITS, wallMs: 5000, ...overrides };
}

/** One sandbox per test file: the snapshot comes from the shared disk cache (made once per machine). */
export async function startSandbox(): Promise<{
  sandbox: PythonSandbox;
  run: (program: string, stdin?: string, overrides?: Partial<RunLimits>) => Promise<RunResult>;
}> {
  const sandbox = await PythonSandbox.create();
  const run = (program: string, stdin = '', overrides: Partial<RunLimits> = {}) =>
    sandbox.run(program, stdin, limits(overrides));
  return { sandbox, run };
}

/** Joins lines into a program, so that tests read like the Python they run. */
export const py = (...lines: string[]): string => `${lines.join('\n')}\n`;
