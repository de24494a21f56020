/** One converter per ground-truth layout: a validated shape in, test cases (or an error message) out. */
import { parseJsonExact } from './json.ts';
import type {
  AppsTests,
  CodeContestsTests,
  HumanEvalTests,
  LcbTestCase,
  LeetCodeTests,
  MbppTests,
} from './schema.ts';
import type { CallCase, ScriptCase, StdioCase, TestCase } from './types.ts';

/** Cases, or why the data cannot be read. */
export type Converted = { cases: TestCase[] } | { problem: string };

/** An APPS stdin/stdout value: a string, a list of lines, or (rarely) a bare number. */
function ioText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('\n');
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return null;
}

export function fromApps(t: AppsTests): Converted {
  if (t.inputs.length !== t.outputs.length) {
    return { problem: `inputs has ${t.inputs.length} items but outputs has ${t.outputs.length}` };
  }
  const fnName = t.fn_name;
  const cases: TestCase[] = [];
  for (let i = 0; i < t.inputs.length; i++) {
    const input = t.inputs[i];
    const output = t.outputs[i];
    if (fnName) {
      const args = Array.isArray(input) ? input : [input];
      cases.push({ kind: 'call', fnName, args, expected: output, unwrapExpected: true });
      continue;
    }
    const inText = ioText(input);
    const outText = ioText(output);
    if (inText === null || outText === null) {
      return { problem: `test ${i}: stdin tests need string inputs and outputs (or lists of lines)` };
    }
    cases.push({ kind: 'stdio', input: inText, output: outText });
  }
  return { cases };
}

export function fromCodeContests(t: CodeContestsTests): Converted {
  return fromApps({ inputs: t.input, outputs: t.output });
}

/** LCB functional input: one JSON value per line, one line per argument (blank lines skipped). */
function lcbArgs(input: string): unknown[] {
  return input
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parseJsonExact(line));
}

/** LiveCodeBench test lists (and codeforces `{input, output}` lists, which have no testtype). */
export function fromLcb(tests: LcbTestCase[], fnName: string | undefined): Converted {
  const cases: TestCase[] = [];
  for (const [i, t] of tests.entries()) {
    if (t.testtype !== 'functional') {
      cases.push({ kind: 'stdio', input: t.input, output: t.output } satisfies StdioCase);
      continue;
    }
    if (!fnName)
      return { problem: `test ${i} is functional but no function name is given (metadata.func_name)` };
    try {
      cases.push({
        kind: 'call',
        fnName,
        args: lcbArgs(t.input),
        expected: parseJsonExact(t.output),
      } satisfies CallCase);
    } catch (e) {
      return { problem: `test ${i}: functional input and output must be JSON (${(e as Error).message})` };
    }
  }
  return { cases };
}

export function fromHumanEval(t: HumanEvalTests): Converted {
  const script: ScriptCase = {
    kind: 'script',
    code: `${t.test}\n\ncheck(${t.entry_point})\n`,
    entryPoints: [t.entry_point],
  };
  if (t.prompt !== undefined && t.prompt.trim() !== '') script.preamble = t.prompt;
  return { cases: [script] };
}

/** Builtins an MBPP assert may wrap around the call of the function under test. */
const ASSERT_WRAPPERS = new Set(['set', 'sorted', 'list', 'tuple', 'str', 'round', 'abs', 'int', 'float']);
const CALLED_NAME = /(?<![\w.])([A-Za-z_]\w*)\s*\(/g;

/** The function an MBPP assert tests: the first name it calls, looking through wrapping builtins. */
export function mbppEntryPoint(assertion: string): string | undefined {
  const body = assertion.replace(/^\s*assert\s+(not\s+)?/, '');
  let first: string | undefined;
  for (const m of body.matchAll(CALLED_NAME)) {
    const name = m[1] as string;
    first ??= name;
    if (!ASSERT_WRAPPERS.has(name)) return name;
  }
  return first;
}

/**
 * One case per assert: a partial reward shows how many asserts pass, and a crash in one does not hide
 * the others; `all_or_nothing` scoring gives MBPP's own all-asserts metric. The setup code (and
 * `test_imports`) run before each assert. challenge_test_list is not run, as in MBPP's own evaluation.
 */
export function fromMbpp(t: MbppTests): Converted {
  const setup = [...(t.test_imports ?? []), t.test_setup_code ?? '']
    .filter((s) => s.trim() !== '')
    .join('\n');
  const cases: TestCase[] = t.test_list.map((assertion) => {
    const entry = mbppEntryPoint(assertion);
    return {
      kind: 'script',
      code: setup === '' ? `${assertion}\n` : `${setup}\n${assertion}\n`,
      entryPoints: entry === undefined ? [] : [entry],
    } satisfies ScriptCase;
  });
  return { cases };
}

/** rllm LeetCode: the whole `check` is one case (its asserts share one `Solution()` call). */
export function fromLeetCode(t: LeetCodeTests): Converted {
  return {
    cases: [{ kind: 'script', code: `${t.functional}\n`, entryPoints: ['Solution'], prelude: 'leetcode' }],
  };
}
