// What the packaged handler must answer to each synthetic event (events.ts), per way of running it.
import { type CaseKind, EXPECTED_SCORES } from './events.ts';

/**
 * How the artifact check runs the unzipped handler: math inline or on the worker pool; and inline with
 * isolated-vm's binary removed, as on a runtime where the native module cannot load.
 */
export type RunMode = 'inline' | 'pool' | 'no-native';

export interface LambdaResponse {
  statusCode: number;
  body: string;
}

/** What invoke.ts writes: each case's response, and the native modules (.node files) its process loaded. */
export interface InvokeResults {
  responses: { name: string; kind: CaseKind; ms: number; response: LambdaResponse }[];
  nativeModules: string[];
}

export function checkResponse(
  mode: RunMode,
  kind: CaseKind,
  name: string,
  response: LambdaResponse,
): string[] {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    body = {};
  }
  const fail = (what: string) => [
    `[${mode}] ${name}: ${what} (status ${response.statusCode}, body ${response.body.slice(0, 300)})`,
  ];
  const error = body.error as { code?: string; message?: string } | undefined;
  switch (kind) {
    case 'health':
      return response.statusCode === 200 && body.ok === true ? [] : fail('not healthy');
    case 'invalid':
      return response.statusCode === 400 && error?.code === 'VALIDATION_ERROR'
        ? []
        : fail('expected 400 VALIDATION_ERROR');
    case 'verify':
      return response.statusCode === 200 && body.correct === true
        ? []
        : fail('expected 200 and a correct verdict');
    case 'reward':
      if (mode === 'no-native') {
        const named =
          error?.code === 'UNAVAILABLE' && error.message?.includes('code sandboxes could not be loaded');
        return response.statusCode === 501 && named
          ? []
          : fail('expected 501 UNAVAILABLE naming the sandboxes');
      }
      if (response.statusCode !== 200) return fail('expected 200');
      return checkScores(mode, name, body.results as { id: string; score: number; status: string }[]);
  }
}

function checkScores(
  mode: RunMode,
  name: string,
  results: { id: string; score: number; status: string }[],
): string[] {
  const problems: string[] = [];
  for (const [id, score] of Object.entries(EXPECTED_SCORES)) {
    const result = results.find((r) => r.id === id);
    if (result?.score !== score || result.status !== 'ok') {
      problems.push(
        `[${mode}] ${name}: item ${id} should score ${score} with status ok, got ${JSON.stringify(result)}`,
      );
    }
  }
  return problems;
}
