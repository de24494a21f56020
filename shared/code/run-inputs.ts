/**
 * POST /v1/code/run's work: one program on each given stdin, without judging. Every run is held under the
 * ceilings (limits.ts), and the runs together under one item's budget: a run gets at most what is left,
 * and inputs reached after it is spent are not run.
 */
import { type CodeLimits, clampRunLimits, serverCodeLimits } from './limits.ts';
import type { CodeRunner } from './score.ts';
import { DEFAULT_RUN_LIMITS, type Language, type RunResult } from './types.ts';

export interface RunInputsRequest {
  language: Language;
  program: string;
  inputs: string[];
  timeLimitS?: number;
  memoryMb?: number;
}

/** The results, one per input, or why the request asks for more than the ceilings allow. */
export async function runInputs(
  runner: CodeRunner,
  request: RunInputsRequest,
  caps: CodeLimits = serverCodeLimits(),
): Promise<{ results: RunResult[] } | { error: string }> {
  if (request.inputs.length > caps.runInputs)
    return { error: `at most ${caps.runInputs} inputs per request, got ${request.inputs.length}` };
  const limits = clampRunLimits(
    {
      ...DEFAULT_RUN_LIMITS,
      wallMs: Math.round((request.timeLimitS ?? DEFAULT_RUN_LIMITS.wallMs / 1000) * 1000),
      memoryMb: request.memoryMb ?? DEFAULT_RUN_LIMITS.memoryMb,
    },
    caps,
  );
  const deadline = performance.now() + caps.itemWallMs;
  const results: RunResult[] = [];
  for (const stdin of request.inputs) {
    const left = Math.floor(deadline - performance.now());
    if (left <= 0) {
      const stderr = `not run: the request's budget of ${caps.itemWallMs} ms was spent`;
      results.push({ status: 'timeout', stdout: '', stderr, ms: 0 });
      continue;
    }
    const wallMs = Math.min(limits.wallMs, left);
    results.push(await runner(request.language, request.program, stdin, { ...limits, wallMs }));
  }
  return { results };
}
