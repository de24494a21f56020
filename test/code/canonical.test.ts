/**
 * The done-when of the code reward: the reference solution of every problem in the code data set passes
 * its own tests through the real sandboxes (Pyodide and V8 in isolated-vm isolates, one per core), scored
 * by scoreCode with the default options, except the EXCEPTIONS below; every wrong solution of
 * stdin_wrong_solutions.jsonl and a mutated solution of each format score below 1.
 *
 * Each program is wrapped as a model response (a fenced block). Problems are scored several at a time
 * (each problem runs its tests one after another, as scoreCode does), so the sandboxes stay busy.
 * 70-95 s on a loaded 2-core VM (two sandboxes per language): the 2,922 MBPP asserts (a record run and a
 * replay run each) are 43-67 s of it, the too-slow wrong solution's 12 s timeout another 12 s.
 */
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Row, readRows } from '../../scripts/data/code-rows.ts';
import type { SandboxRunner } from '../../shared/code/runner.ts';
import { createNodeSandboxRunner } from '../../shared/code/sandboxes.ts';
import {
  type CodeItem,
  type CodeOptionsInput,
  type CodeVerdict,
  scoreCode,
} from '../../shared/code/score.ts';
import type { Language } from '../../shared/code/types.ts';
import { needData } from '../helpers/data.ts';

/**
 * Reference solutions that do not score 1 with the default options, by id, with the reason. An id here
 * must fail, and for this reason (`because` is matched against the verdict's reason): a fixed exception
 * is noticed and removed.
 */
const EXCEPTIONS: Record<string, { because: RegExp; why: string }> = {
  'leetcode/126': {
    because: /No module named 'sortedcontainers'/,
    why:
      'the solution imports sortedcontainers (SortedList), which LeetCode preinstalls; it is a Pyodide ' +
      'package, but its wheel is not in the pyodide npm package and the sandbox has no network',
  },
};

/**
 * Reference solutions scored with a longer time limit than the default, so that their verdict does not
 * depend on the machine's speed. Not failures: they must score 1 with the limit given here.
 */
const LIMIT_OVERRIDES: Record<string, { options: CodeOptionsInput; why: string }> = {
  'mbpp/123': {
    options: { timeLimitS: 30 },
    why:
      'amicable_numbers_sum(9999) is O(n^2) trial division: 6.3 s in native CPython 3.11, over the 6 s ' +
      'default even natively, and 15.1 s under Pyodide against the 12 s scaled limit (2-core dev VM); ' +
      'a ~25% faster machine would pass it, so with the default its verdict depends on the machine; it ' +
      'gets 30 s (60 s under Pyodide) and must pass',
  },
};

// Not exceptions: MBPP tasks 367 and 927, whose test_setup_code uses the `Node` class that only the
// program defines (a defect for harnesses that run the setup first), pass: the setup code runs after
// the program.

/** Problems scored at once; each runs its tests one after another, so this keeps every sandbox busy. */
const ITEM_CONCURRENCY = 4 * availableParallelism();
const SLOW_IT_MS = 240_000; // MBPP: 2,922 asserts, each a record run and a replay run (43-67 s on a loaded 2-core VM)

let runner: SandboxRunner;

beforeAll(async () => {
  runner = createNodeSandboxRunner();
  // Boot every sandbox of both pools now (the Python memory snapshot may have to be made first).
  const limits = { wallMs: 60_000, memoryMb: 256, outputBytes: 1 << 16 };
  await Promise.all(
    Array.from({ length: availableParallelism() }, () => [
      runner.run('python', 'print(1)', '', limits),
      runner.run('javascript', 'console.log(1)', '', limits),
    ]).flat(),
  );
}, 300_000);

afterAll(async () => {
  await runner?.close();
});

interface Case {
  id: string;
  program: string;
  language: Language;
  groundTruth: unknown;
  options?: CodeOptionsInput;
}

interface Scored {
  id: string;
  verdict: CodeVerdict;
}

const fenced = (program: string, language: Language) =>
  `Here is my solution.\n\n\`\`\`${language}\n${program}\n\`\`\`\n`;

function str(row: Row, key: string): string {
  const value = row[key];
  if (typeof value !== 'string') throw new Error(`${key} is not a string: ${JSON.stringify(value)}`);
  return value;
}

/** scoreCode on every case, ITEM_CONCURRENCY at a time. */
async function scoreAll(cases: Case[]): Promise<Scored[]> {
  const out: Scored[] = new Array(cases.length);
  let next = 0;
  const lane = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i] as Case;
      const item: CodeItem = {
        response: fenced(c.program, c.language),
        ground_truth: c.groundTruth,
        options: { ...LIMIT_OVERRIDES[c.id]?.options, ...c.options },
      };
      out[i] = { id: c.id, verdict: await scoreCode(item, runner.run) };
    }
  };
  await Promise.all(Array.from({ length: ITEM_CONCURRENCY }, lane));
  return out;
}

/** Every case scores 1 except the EXCEPTIONS of this dataset, which fail for their stated reason. */
function expectCanonical(scored: Scored[], prefix: string) {
  const failed = scored.filter((s) => s.verdict.score !== 1 || !s.verdict.correct);
  const details = failed.map((s) => `${s.id}: ${s.verdict.status} ${s.verdict.reason ?? ''}`).join('\n');
  const expected = Object.keys(EXCEPTIONS).filter((id) => id.startsWith(`${prefix}/`));
  expect(failed.map((s) => s.id).sort(), details).toEqual(expected.sort());
  for (const s of failed) expect(s.verdict.reason).toMatch((EXCEPTIONS[s.id] as { because: RegExp }).because);
  for (const s of scored) expect(s.verdict.status, s.id).toBe('ok');
}

const testsRun = (scored: Scored[]) => scored.reduce((n, s) => n + s.verdict.tests.length, 0);

/** Replaces `from` by `to` once; throws when `from` is not in the program, so a mutation cannot silently not happen. */
function mutate(program: string, from: string, to: string): string {
  if (!program.includes(from)) throw new Error(`mutation anchor not found: ${from}`);
  return program.replace(from, to);
}

// --- the data -----------------------------------------------------------------------------------------

const CODE = needData('the reference and wrong solutions of the code data through the sandboxes', 'code');
// Read at collection (the tests are built from the rows); without the data every describe below is skipped.
const rows = (file: string): Row[] => (CODE.has() ? readRows(file) : []);

const humaneval = rows('humaneval.jsonl');
const mbpp = rows('mbpp.jsonl');
const leetcode = rows('rllm_leetcode_test.jsonl');
const lcb = rows('lcb_format_sample.jsonl');
const apps = rows('apps_format_sample.jsonl');
const stdinSolutions = rows('stdin_solutions.jsonl');
const stdinWrong = rows('stdin_wrong_solutions.jsonl');
const stdinProblems: Record<string, Row[]> = {
  rllm_code_contests_test: rows('rllm_code_contests_test.jsonl'),
  rllm_codeforces_test: rows('rllm_codeforces_test.jsonl'),
};

/** The rllm row that a stdin_solutions / stdin_wrong_solutions row refers to. */
function problemOf(solution: Row): Row {
  const row = stdinProblems[str(solution, 'source')]?.[Number(solution.line)];
  if (!row) throw new Error(`no problem ${String(solution.source)}:${String(solution.line)}`);
  return row;
}

const idOf = (solution: Row) => `${str(solution, 'source')}:${Number(solution.line)}`;
const problemText = (text: string) => text.trim();

/**
 * Python (and JavaScript) reference programs by problem statement: stdin_solutions first, then the
 * APPS sample's own solutions. The LiveCodeBench sample has no solutions of its own; its statements are
 * those of the rllm rows (and of the APPS sample).
 */
const referenceByStatement = new Map<string, { python: string; javascript: string | null; from: string }>();
for (const s of stdinSolutions) {
  referenceByStatement.set(problemText(str(problemOf(s), 'problem')), {
    python: str(s, 'python'),
    javascript: typeof s.javascript === 'string' ? s.javascript : null,
    from: `stdin_solutions ${idOf(s)}`,
  });
}
for (const a of apps) {
  const key = problemText(str(a, 'question'));
  const [python] = JSON.parse(str(a, 'solutions')) as string[];
  if (python && !referenceByStatement.has(key))
    referenceByStatement.set(key, { python, javascript: null, from: `apps ${String(a.problem_id)}` });
}

function lcbReference(row: Row) {
  const ref = referenceByStatement.get(problemText(str(row, 'question_content')));
  if (!ref) throw new Error(`no reference solution for LiveCodeBench ${String(row.question_id)}`);
  return ref;
}

// --- canonical solutions ------------------------------------------------------------------------------

describe.skipIf(!CODE.has())('canonical solutions pass their own tests through the sandboxes', () => {
  it(
    'HumanEval: prompt + canonical_solution of all 164 problems',
    async () => {
      const scored = await scoreAll(
        humaneval.map((r) => ({
          id: `humaneval/${str(r, 'task_id').split('/')[1]}`,
          program: str(r, 'prompt') + str(r, 'canonical_solution'),
          language: 'python',
          groundTruth: { test: r.test, entry_point: r.entry_point },
        })),
      );
      expect(scored).toHaveLength(164);
      expect(testsRun(scored)).toBe(164);
      expectCanonical(scored, 'humaneval');
    },
    SLOW_IT_MS,
  );

  it(
    'MBPP: code of all 974 tasks against every one of their 2,922 asserts (test_setup_code included)',
    async () => {
      const scored = await scoreAll(
        mbpp.map((r) => ({
          id: `mbpp/${String(r.task_id)}`,
          program: str(r, 'code'),
          language: 'python',
          groundTruth: { test_list: r.test_list, test_setup_code: r.test_setup_code },
        })),
      );
      expect(scored).toHaveLength(974);
      expect(testsRun(scored)).toBe(2922);
      expectCanonical(scored, 'mbpp');
    },
    SLOW_IT_MS,
  );

  it(
    'rllm LeetCode: the Solution class of all 200 problems against tests.functional',
    async () => {
      const scored = await scoreAll(
        leetcode.map((r, i) => ({
          id: `leetcode/${i}`,
          program: str(r, 'solutions'),
          language: 'python',
          groundTruth: r.tests,
        })),
      );
      expect(scored).toHaveLength(200);
      expectCanonical(scored, 'leetcode');
    },
    SLOW_IT_MS,
  );

  it(
    'stdin_solutions: the 42 Python programs against all tests of their CodeContests / codeforces problem',
    async () => {
      const scored = await scoreAll(
        stdinSolutions.map((s) => ({
          id: `stdin-python/${idOf(s)}`,
          program: str(s, 'python'),
          language: 'python',
          groundTruth: problemOf(s).tests,
        })),
      );
      expect(scored).toHaveLength(42);
      expect(testsRun(scored)).toBeGreaterThan(42);
      expectCanonical(scored, 'stdin-python');
    },
    SLOW_IT_MS,
  );

  it(
    'stdin_solutions: the 39 JavaScript programs (Node-style stdin) against the same tests',
    async () => {
      const withJs = stdinSolutions.filter((s) => typeof s.javascript === 'string');
      const scored = await scoreAll(
        withJs.map((s) => ({
          id: `stdin-javascript/${idOf(s)}`,
          program: str(s, 'javascript'),
          language: 'javascript',
          groundTruth: problemOf(s).tests,
        })),
      );
      expect(scored).toHaveLength(39);
      for (const s of scored) expect(s.verdict.language).toBe('javascript');
      expectCanonical(scored, 'stdin-javascript');
    },
    SLOW_IT_MS,
  );

  it(
    'LiveCodeBench layout: the 10 sample rows (public + private tests) with the reference of their problem',
    async () => {
      const cases: Case[] = [];
      for (const r of lcb) {
        const ref = lcbReference(r);
        const id = `lcb/${str(r, 'question_id')}`;
        cases.push({ id, program: ref.python, language: 'python', groundTruth: r });
        if (ref.javascript)
          cases.push({ id: `${id}-js`, program: ref.javascript, language: 'javascript', groundTruth: r });
      }
      const scored = await scoreAll(cases);
      expect(scored.filter((s) => s.verdict.language === 'python')).toHaveLength(10);
      expect(testsRun(scored.filter((s) => s.verdict.language === 'python'))).toBe(186);
      expectCanonical(scored, 'lcb');
    },
    SLOW_IT_MS,
  );

  it(
    'APPS layout: the 10 sample rows with their own solutions',
    async () => {
      const scored = await scoreAll(
        apps.map((r) => ({
          id: `apps/${String(r.problem_id)}`,
          program: (JSON.parse(str(r, 'solutions')) as string[])[0] as string,
          language: 'python',
          groundTruth: r,
        })),
      );
      expect(scored).toHaveLength(10);
      expect(testsRun(scored)).toBe(46);
      expectCanonical(scored, 'apps');
    },
    SLOW_IT_MS,
  );
});

// --- wrong solutions ----------------------------------------------------------------------------------

describe.skipIf(!CODE.has())('wrong solutions do not score 1', () => {
  it(
    'stdin_wrong_solutions: all 17 (off-by-one, edge case, too slow) fail at least one test',
    async () => {
      const scored = await scoreAll(
        stdinWrong.map((s) => ({
          id: `wrong/${idOf(s)}`,
          program: str(s, 'python'),
          language: 'python',
          groundTruth: problemOf(s).tests,
        })),
      );
      expect(scored).toHaveLength(17);
      for (const { id, verdict } of scored) {
        expect(verdict.status, id).toBe('ok');
        expect(verdict.score, `${id}: ${verdict.reason}`).toBeLessThan(1);
        expect(verdict.correct, id).toBe(false);
      }
      // The data records how many tests each passes natively; the sandbox agrees.
      const passedCounts = scored.map((s) => s.verdict.tests.filter((t) => t.passed).length);
      expect(passedCounts).toEqual(stdinWrong.map((s) => Number(s.tests_passed)));
      const slow = scored.filter((_, i) => stdinWrong[i]?.kind === 'too-slow');
      expect(slow.length).toBeGreaterThan(0);
      for (const s of slow)
        expect(
          s.verdict.tests.some((t) => t.status === 'timeout'),
          s.id,
        ).toBe(true);
    },
    SLOW_IT_MS,
  );

  it(
    'one mutated reference solution of each format scores below 1',
    async () => {
      const he23 = humaneval.find((r) => r.task_id === 'HumanEval/23') as Row;
      const mbpp1 = mbpp.find((r) => r.task_id === 1) as Row;
      const cf0 = stdinSolutions.find((s) => s.source === 'rllm_codeforces_test' && Number(s.line) === 0);
      const lcb113 = lcb.find((r) => r.question_id === 'ccrllm0113') as Row;
      const apps11 = apps.find((r) => String(r.problem_id) === '200011') as Row;
      if (!cf0) throw new Error('stdin_solutions has no rllm_codeforces_test:0');
      const cases: Array<Case & { how: string }> = [
        {
          id: 'humaneval/23',
          how: 'off-by-one in the return',
          program:
            str(he23, 'prompt') + mutate(str(he23, 'canonical_solution'), 'len(string)', 'len(string) - 1'),
          language: 'python',
          groundTruth: { test: he23.test, entry_point: he23.entry_point },
        },
        {
          id: 'mbpp/1',
          how: 'min swapped for max',
          program: mutate(str(mbpp1, 'code'), 'min(tc[i-1][j-1]', 'max(tc[i-1][j-1]'),
          language: 'python',
          groundTruth: { test_list: mbpp1.test_list, test_setup_code: mbpp1.test_setup_code },
        },
        {
          id: 'leetcode/0',
          how: 'off-by-one in the return',
          program: mutate(str(leetcode[0] as Row, 'solutions'), 'return n - i', 'return n - i + 1'),
          language: 'python',
          groundTruth: (leetcode[0] as Row).tests,
        },
        {
          id: 'stdin-python/rllm_codeforces_test:0',
          how: 'max printed before min',
          program: mutate(str(cf0, 'python'), '{min(x,y)} {max(x,y)}', '{max(x,y)} {min(x,y)}'),
          language: 'python',
          groundTruth: problemOf(cf0).tests,
        },
        {
          id: 'stdin-javascript/rllm_codeforces_test:0',
          how: 'max printed before min',
          program: mutate(
            str(cf0, 'javascript'),
            'Math.min(x,y),Math.max(x,y)',
            'Math.max(x,y),Math.min(x,y)',
          ),
          language: 'javascript',
          groundTruth: problemOf(cf0).tests,
        },
        {
          id: 'lcb/ccrllm0113',
          how: 'comparison operator swapped',
          program: mutate(lcbReference(lcb113).python, "'<' if l1<l2 else '>'", "'<' if l1>l2 else '>'"),
          language: 'python',
          groundTruth: lcb113,
        },
        {
          id: 'apps/200011',
          how: 'off-by-one in the output',
          program: mutate(
            (JSON.parse(str(apps11, 'solutions')) as string[])[0] as string,
            'print(len(tails))',
            'print(len(tails) + 1)',
          ),
          language: 'python',
          groundTruth: apps11,
        },
      ];
      const scored = await scoreAll(cases);
      for (const [i, { id, verdict }] of scored.entries()) {
        const label = `${id} (${cases[i]?.how}): ${verdict.reason}`;
        expect(verdict.status, label).toBe('ok');
        expect(verdict.language, label).toBe(cases[i]?.language);
        expect(verdict.score, label).toBeLessThan(1);
        expect(verdict.correct, label).toBe(false);
        // Wrong answers or failed asserts, not a timeout or a broken sandbox.
        expect(
          verdict.tests.some((t) => !t.passed),
          label,
        ).toBe(true);
        expect(
          verdict.tests.every((t) => t.status === 'ok' || t.status === 'runtime_error'),
          label,
        ).toBe(true);
      }
    },
    SLOW_IT_MS,
  );
});
