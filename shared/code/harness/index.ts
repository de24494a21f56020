/**
 * The program and stdin of each run of a test. stdio tests run the program as it is, with the test's
 * input. Call and script tests run the Python harness (python-harness.ts), whose text is the same for
 * every run; what a run is about comes on stdin, as JSON on one line.
 *
 * - call: one run; stdin is the nonce, then the spec (program, function, arguments). The harness writes
 *   the result line for the nonce (marker.ts) and the host compares the result (judge.ts).
 * - script: two runs. The record run (stdin: the program and the test) runs the program under the test
 *   and ends with the record line (`gradus-record:{...}`, readRecord). The replay run (stdin: the nonce,
 *   the test without the program, the record line) runs the test against the recorded results alone
 *   and writes the nonce's marker if the test finished: no program code runs there.
 */

import { toJson } from '../test-formats/json.ts';
import type { CallCase, ScriptCase, StdioCase } from '../test-formats/types.ts';
import type { Language } from '../types.ts';
import { type HarnessMode, leetcodePrelude, pythonHarness } from './python-harness.ts';

export { type Marker, newNonce, readMarker } from './marker.ts';
export { type HarnessMode, leetcodePrelude, pythonHarness } from './python-harness.ts';

export interface HarnessRun {
  program: string;
  stdin: string;
}

/** The record line's prefix: the last stdout line that starts with it is the record. */
export const RECORD_PREFIX = 'gradus-record:';

/** Most bytes of output a record run may write (the record is on stdout); at least the test's own cap. */
export const RECORD_OUTPUT_BYTES = 8 << 20;

/** The program text of a harness run: the mode's harness and the call of its main function. */
export const harnessProgram = (mode: HarnessMode): string => `${pythonHarness(mode)}\n__gradus_main()\n`;

/** JSON on one line and in ASCII (non-ASCII characters as \u escapes), whatever stdin's encoding is. */
function specLine(spec: unknown): string {
  return toJson(spec).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The run of a stdio or call test. */
export function buildRun(
  test: StdioCase | CallCase,
  program: string,
  language: Language,
  nonce: string,
): HarnessRun | { error: string } {
  if (test.kind === 'stdio') return { program, stdin: test.input };
  if (language !== 'python') {
    return { error: `${test.kind} tests run only in Python; this program is ${language}` };
  }
  const spec = {
    program,
    prelude: leetcodePrelude(),
    fn_name: test.fnName,
    class_name: test.className ?? null,
    args: test.args,
  };
  return { program: harnessProgram('call'), stdin: `${nonce}\n${specLine(spec)}` };
}

function scriptSpec(test: ScriptCase) {
  return {
    prelude: test.prelude === 'leetcode' ? leetcodePrelude() : null,
    preamble: test.preamble ?? null,
    test: test.code,
    entry_points: test.entryPoints,
  };
}

/** The record run of a script test: the program under the test; it ends with the record line. */
export function buildRecordRun(test: ScriptCase, program: string): HarnessRun {
  return { program: harnessProgram('record'), stdin: specLine({ program, ...scriptSpec(test) }) };
}

/** The replay run of a script test: the test against `record` (a record line's JSON), no program. */
export function buildReplayRun(test: ScriptCase, record: string, nonce: string): HarnessRun {
  return {
    program: harnessProgram('replay'),
    stdin: `${nonce}\n${specLine(scriptSpec(test))}\n${record}`,
  };
}

/** The JSON of the last record line in a record run's stdout, or null when there is none. */
export function readRecord(stdout: string): string | null {
  const at = stdout.lastIndexOf(`\n${RECORD_PREFIX}`);
  const start = at >= 0 ? at + 1 : stdout.startsWith(RECORD_PREFIX) ? 0 : -1;
  if (start < 0) return null;
  const end = stdout.indexOf('\n', start);
  const line = stdout.slice(start + RECORD_PREFIX.length, end < 0 ? stdout.length : end).replace(/\r$/, '');
  return line.startsWith('{') ? line : null;
}
