/**
 * The program and stdin of one test run. stdio tests run the program as it is, with the test's input;
 * call and script tests run the Python harness around it, with the nonce on stdin (marker.ts).
 */

import { toJson } from '../tests/json.ts';
import type { CallCase, ScriptCase, TestCase } from '../tests/types.ts';
import type { Language } from '../types.ts';
import { LEETCODE_PRELUDE } from './leetcode-prelude.ts';
import { PYTHON_HARNESS } from './python-harness.ts';

export { LEETCODE_PRELUDE } from './leetcode-prelude.ts';
export { type Marker, newNonce, readMarker } from './marker.ts';
export { PYTHON_HARNESS } from './python-harness.ts';

export interface HarnessRun {
  program: string;
  stdin: string;
}

export function buildRun(
  test: TestCase,
  program: string,
  language: Language,
  nonce: string,
): HarnessRun | { error: string } {
  if (test.kind === 'stdio') return { program, stdin: test.input };
  if (language !== 'python') {
    return { error: `${test.kind} tests run only in Python; this program is ${language}` };
  }
  return { program: pythonHarness(test, program), stdin: `${nonce}\n` };
}

/** The harness text for one call or script test; the nonce is not in it (it comes on stdin). */
export function pythonHarness(test: CallCase | ScriptCase, program: string): string {
  const spec =
    test.kind === 'call'
      ? {
          kind: 'call',
          program,
          prelude: LEETCODE_PRELUDE,
          fn_name: test.fnName,
          class_name: test.className ?? null,
          args: test.args,
        }
      : {
          kind: 'script',
          program,
          prelude: test.prelude === 'leetcode' ? LEETCODE_PRELUDE : null,
          preamble: test.preamble ?? null,
          test: test.code,
          entry_points: test.entryPoints,
        };
  // A JSON string literal is a valid Python string literal; the JSON inside it keeps bigints exact.
  return `${PYTHON_HARNESS}\n__gradus_main(${JSON.stringify(toJson(spec))})\n`;
}
