/**
 * The Python text that runs call and script tests around a program, in three modes, and the LeetCode
 * prelude, read from python/*.py (PARTS below). A mode's text is the same for every run; the host appends `__gradus_main()` and sends the
 * rest on stdin (index.ts), so the program text holds no test data (the sandbox registers it in
 * linecache as `<solution>`). The three texts, and the LeetCode prelude, are compiled once into the Python
 * sandbox's memory snapshot (code/python/precompiled.ts), so a harness run does not compile its ~170-670 lines
 * again (~20 ms each), nor the prelude (~1.5 ms); elsewhere (native CPython) the harness compiles them.
 *
 * call (APPS fn_name, LiveCodeBench functional): stdin is the nonce, then the spec JSON. The harness
 * captures what it uses later (stdout's write, builtins, snapshots of the builtins, math and random
 * modules), runs the LeetCode prelude and the program in a fresh module `solution`, restores the
 * snapshots, calls the function and writes `\n<nonce>{"ok":true,"result":<json>}\n`. The result is
 * written by a strict encoder of its own (tuples become lists; sets, NaN and other objects are refused)
 * and the host compares it with the expected value. A program that walks frames to the nonce can only
 * write a result of its choice, which it could as well return.
 *
 * script (HumanEval check(candidate), MBPP asserts, rllm LeetCode check): two runs, so that the verdict
 * comes from a run with no program code in it.
 *
 * record (stdin: the spec JSON with the program and the test; no nonce). The test is parsed first; each
 *    assert is cut down to the parts that reach into the program (calls, attribute reads, subscripts),
 *    each run on its own with exceptions ignored; what they are compared with and the messages are
 *    dropped, and the test's text and tree are let go before any program code runs (nothing is put in
 *    linecache). The prelude and the prompt run in trusted modules of their own, the program in
 *    `solution`. In the test's namespace every name it reads from the program is a ProgramValue:
 *    calling it, reading or setting an attribute runs the program (the random state kept for the test,
 *    builtins restored after) and records the crossing: the callee's handle and a digest of the
 *    arguments' JSON; the result as JSON (plain data; tuples, sets, dicts, special floats, ListNode as
 *    its list of values and TreeNode in level order tagged; anything else a new handle) or the nearest
 *    builtin exception; the arguments the call changed. The test gets a fresh copy of the result decoded
 *    from its JSON, or a plain builtin exception. The record is the last stdout line,
 *    `gradus-record:{"events":[...]}`. Nothing this run prints is trusted: a program can write any
 *    record, which only chooses what its functions return, as honest code could.
 * replay (stdin: the nonce, the spec JSON without the program, the record line). No program code runs.
 *    The prelude and the prompt run as before; the names the test reads from the program are program
 *    values answered from the record: a crossing is matched by callee and argument digest (in record
 *    order among equal keys), and one the record lacks aborts the test even if the test catches the
 *    exception. The original test runs unchanged; only if it finishes does the harness write
 *    `\n<nonce>{"ok":true}\n`. A program value has no truth value and no order and equals only itself,
 *    so an object that equals everything, or whose difference with anything is 0, fails here.
 *
 * Names the test reads: entry points always come from the program (MBPP's `def sum` included);
 * otherwise the prelude's and the prompt's names win, then builtins and the standard modules the test
 * names without importing them (math, re, ...); only the rest come from the program (MBPP's Node, Pair).
 * Random is seeded with 0 before the test in both runs; string hashes may differ between processes, so
 * set elements and dict entries are sorted in the argument digests.
 *
 * Residual risk: the record run still holds the test's calls and inputs, and whatever expected values
 * live outside asserts (a table of input/output pairs a loop asserts on, an `if ...: raise`), where a
 * program that walks frames or reads the skeleton's code objects can find them and answer from a lookup
 * table; the replay then passes, as it would for a program that returned those values itself. Tuples and
 * sets of plain data, Counter, OrderedDict, deque, complex, bytes and builtin iterators cross as such;
 * other classes' instances (Decimal, namedtuple fields, ...) arrive as program values or plain bases.
 */

import { siblingText } from '../entry-url.ts';

export type HarnessMode = 'call' | 'record' | 'replay';

/**
 * Each mode's harness is one `__gradus_main` whose body is that of these files of python/, in order; each
 * file's own `def __gradus_main():` line only makes it compile alone.
 */
const PARTS: Readonly<Record<HarnessMode, readonly string[]>> = {
  call: ['main', 'call'],
  record: ['main', 'record_stdin', 'script_setup', 'record', 'script_run'],
  replay: ['main', 'replay_stdin', 'script_setup', 'replay', 'script_run'],
};

const MAIN = 'def __gradus_main():\n';

/** A file of python/ without its header (the lines starting with # at the top: notes to the reader). */
function pythonFile(name: string): string {
  const text = siblingText(`python/${name}.py`, import.meta.url);
  let start = 0;
  while (text.startsWith('#', start)) {
    const end = text.indexOf('\n', start);
    start = end < 0 ? text.length : end + 1;
  }
  return text.slice(start);
}

function partBody(name: string): string {
  const text = pythonFile(name);
  if (!text.startsWith(MAIN)) {
    throw new Error(`harness python/${name}.py: "${MAIN.trim()}" must follow the header comments`);
  }
  return text.slice(MAIN.length);
}

const harnesses = new Map<HarnessMode, string>();

/**
 * The harness text of a mode: only the parts that mode runs. The host appends `__gradus_main()`; the
 * Python sandbox has these programs precompiled in its snapshot (code/python/precompiled.ts). Read on first use
 * (a Worker bundles this module but runs no code items, and has no file system).
 */
export function pythonHarness(mode: HarnessMode): string {
  let text = harnesses.get(mode);
  if (text === undefined) {
    text = MAIN + PARTS[mode].map(partBody).join('');
    harnesses.set(mode, text);
  }
  return text;
}

let prelude: string | undefined;

/** The LeetCode prelude (python/leetcode_prelude.py): the names LeetCode solutions use without importing them. */
export function leetcodePrelude(): string {
  prelude ??= pythonFile('leetcode_prelude');
  return prelude;
}
