/**
 * The code part of the verdict drift check: the reference solution of every problem in the code data set
 * and every wrong solution of stdin_wrong_solutions.jsonl, scored by scoreCode through the real sandboxes
 * with the default options (the cases of test/code/canonical.test.ts, which holds the reasons for its
 * exceptions and time-limit overrides; here every verdict is only recorded). Takes minutes.
 */
import { availableParallelism } from 'node:os';
import type { SandboxRunner } from '../../shared/code/runner.ts';
import { createNodeSandboxRunner } from '../../shared/code/sandboxes.ts';
import { type CodeOptionsInput, scoreCode } from '../../shared/code/score.ts';
import type { Language } from '../../shared/code/types.ts';
import { type Row, readRows } from '../data/code-rows.ts';
import type { VerdictLine } from './snapshot.ts';

interface Case {
  key: string;
  program: string;
  language: Language;
  groundTruth: unknown;
  options?: CodeOptionsInput;
}

/** As in canonical.test.ts: mbpp/123's O(n^2) reference is over the default limit on slow machines. */
const OPTIONS: Record<string, CodeOptionsInput> = { 'mbpp/123': { timeLimitS: 30 } };

function str(row: Row, key: string): string {
  const value = row[key];
  if (typeof value !== 'string') throw new Error(`${key} is not a string: ${JSON.stringify(value)}`);
  return value;
}

function cases(): Case[] {
  const stdinProblems: Record<string, Row[]> = {
    rllm_code_contests_test: readRows('rllm_code_contests_test.jsonl'),
    rllm_codeforces_test: readRows('rllm_codeforces_test.jsonl'),
  };
  const problemOf = (s: Row) => {
    const row = stdinProblems[str(s, 'source')]?.[Number(s.line)];
    if (!row) throw new Error(`no problem ${String(s.source)}:${String(s.line)}`);
    return row;
  };
  const idOf = (s: Row) => `${str(s, 'source')}:${Number(s.line)}`;
  const python = (key: string, program: string, groundTruth: unknown): Case => ({
    key,
    program,
    language: 'python',
    groundTruth,
  });
  const out: Case[] = [];
  for (const r of readRows('humaneval.jsonl'))
    out.push(
      python(
        `humaneval/${str(r, 'task_id').split('/')[1]}`,
        str(r, 'prompt') + str(r, 'canonical_solution'),
        {
          test: r.test,
          entry_point: r.entry_point,
        },
      ),
    );
  for (const r of readRows('mbpp.jsonl'))
    out.push(
      python(`mbpp/${String(r.task_id)}`, str(r, 'code'), {
        test_list: r.test_list,
        test_setup_code: r.test_setup_code,
      }),
    );
  for (const [i, r] of readRows('rllm_leetcode_test.jsonl').entries())
    out.push(python(`leetcode/${i}`, str(r, 'solutions'), r.tests));
  const stdinSolutions = readRows('stdin_solutions.jsonl');
  const apps = readRows('apps_format_sample.jsonl');
  // References by statement, for the LiveCodeBench sample (which has no solutions of its own).
  const byStatement = new Map<string, { python: string; javascript: string | null }>();
  for (const s of stdinSolutions) {
    out.push(python(`stdin-python/${idOf(s)}`, str(s, 'python'), problemOf(s).tests));
    if (typeof s.javascript === 'string')
      out.push({
        key: `stdin-javascript/${idOf(s)}`,
        program: s.javascript,
        language: 'javascript',
        groundTruth: problemOf(s).tests,
      });
    byStatement.set(str(problemOf(s), 'problem').trim(), {
      python: str(s, 'python'),
      javascript: typeof s.javascript === 'string' ? s.javascript : null,
    });
  }
  for (const a of apps) {
    const [program] = JSON.parse(str(a, 'solutions')) as string[];
    if (!program) continue;
    out.push(python(`apps/${String(a.problem_id)}`, program, a));
    if (!byStatement.has(str(a, 'question').trim()))
      byStatement.set(str(a, 'question').trim(), { python: program, javascript: null });
  }
  for (const r of readRows('lcb_format_sample.jsonl')) {
    const ref = byStatement.get(str(r, 'question_content').trim());
    if (!ref) throw new Error(`no reference solution for LiveCodeBench ${String(r.question_id)}`);
    const key = `lcb/${str(r, 'question_id')}`;
    out.push(python(key, ref.python, r));
    if (ref.javascript)
      out.push({ key: `${key}-js`, program: ref.javascript, language: 'javascript', groundTruth: r });
  }
  for (const s of readRows('stdin_wrong_solutions.jsonl'))
    out.push(python(`wrong/${idOf(s)}`, str(s, 'python'), problemOf(s).tests));
  return out;
}

const fenced = (program: string, language: Language) =>
  `Here is my solution.\n\n\`\`\`${language}\n${program}\n\`\`\`\n`;

/** Every code item's verdict, in file order; `progress` is told each finished item. */
export async function codeVerdicts(
  progress: (done: number, total: number) => void = () => {},
): Promise<VerdictLine[]> {
  const all = cases();
  const runner: SandboxRunner = createNodeSandboxRunner();
  const out: VerdictLine[] = new Array(all.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < all.length) {
      const i = next++;
      const c = all[i] as Case;
      const v = await scoreCode(
        {
          response: fenced(c.program, c.language),
          ground_truth: c.groundTruth,
          options: { ...OPTIONS[c.key], ...c.options },
        },
        runner.run,
      );
      const passed = v.tests.filter((t) => t.passed).length;
      // A timeout is named: its verdict may depend on the machine's speed and load.
      const timeout = v.tests.some((t) => t.status === 'timeout') ? ' timeout' : '';
      out[i] = {
        key: c.key,
        status: v.status,
        correct: v.correct,
        extracted: `${passed}/${v.tests.length}${timeout}`,
      };
      progress(++done, all.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: 4 * availableParallelism() }, lane));
  } finally {
    await runner.close();
  }
  return out;
}
