import { lcbPrivateHeaderProblem } from '../code/test-formats/lcb-private.ts';
import { boxedCandidates } from '../math/extract.ts';
import type { RewardItem } from '../reward/schema.ts';
import { LoadError, loadRows, type SourceOptions } from './load.ts';

/** The paper's and DeepSeek-R1's instruction for math problems. */
export const MATH_TEMPLATE =
  '{problem}\nPlease reason step by step, and put your final answer within \\boxed{}.';
const STDIN_TEMPLATE =
  '{problem}\n\nWrite a Python program that reads the input from stdin and writes the answer to stdout. ' +
  'Put the complete program in one ```python code block at the end of your answer.';
const FUNCTION_TEMPLATE =
  'Complete the following Python function. Put the complete function (with its imports) in one ```python ' +
  'code block at the end of your answer.\n\n```python\n{problem}\n```';

/** One benchmark problem, ready to prompt and to score. */
export interface Problem {
  id: string;
  /** The text put in place of `{problem}` in the template. */
  text: string;
  groundTruth: RewardItem['ground_truth'];
  /** MATH-500's breakdown fields, where the benchmark has them. */
  subject?: string;
  level?: string;
}

export interface Benchmark {
  name: string;
  title: string;
  task: 'math' | 'code';
  /** The data_source scored items carry (routes to the right scorer). */
  dataSource: string;
  /** Where the data is published (download one and pass it as the benchmark's file). */
  sources: string[];
  /** Samples per problem under the paper preset. */
  paperK: number;
  /** The file looked for in a benchmark folder when no file is named. */
  fileName: string;
  /** Prompt template; `{problem}` is replaced by the problem text. */
  template: string;
  /** Reads one row; throws LoadError naming the field when the row lacks what the benchmark needs. */
  toProblem(row: Record<string, unknown>, index: number): Problem;
}

const QWEN_DATA = 'https://raw.githubusercontent.com/QwenLM/Qwen2.5-Math/main/evaluation/data';

class RowError extends Error {}

function field(row: Record<string, unknown>, name: string): unknown {
  const value = row[name];
  if (value === undefined || value === null || value === '') throw new RowError(`field "${name}" is missing`);
  return value;
}

function text(row: Record<string, unknown>, ...names: string[]): string {
  for (const name of names) {
    const value = row[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  throw new RowError(`no text in field ${names.map((n) => `"${n}"`).join(' or ')}`);
}

function answerText(value: unknown, name: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new RowError(`field "${name}" must be a string or a number`);
}

function idOf(row: Record<string, unknown>, names: string[], index: number): string {
  for (const name of names) {
    const value = row[name];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return String(index);
}

/**
 * LiveCodeBench's private tests as they are: a list, JSON text, or the compressed form, which is passed
 * on compressed (the scorer decodes it; decoding every row here would cost seconds and memory) after a
 * look at its header, so a value that is neither fails at load with its row and field.
 */
function privateTests(value: unknown): unknown {
  if (typeof value !== 'string' || /^\s*\[/.test(value)) return value;
  const problem = lcbPrivateHeaderProblem(value);
  if (problem !== null)
    throw new RowError(
      `field "private_test_cases" is neither a JSON list nor LiveCodeBench's compressed form: ${problem}`,
    );
  return value;
}

/** A math benchmark whose gold answer is one field. */
function mathBenchmark(
  spec: Omit<Benchmark, 'task' | 'template' | 'toProblem'> & {
    answer: string;
    ids: string[];
    problem: string[];
  },
): Benchmark {
  return {
    ...spec,
    task: 'math',
    template: MATH_TEMPLATE,
    toProblem: (row, index) => ({
      id: idOf(row, spec.ids, index),
      text: text(row, ...spec.problem),
      groundTruth: answerText(field(row, spec.answer), spec.answer),
    }),
  };
}

export const BENCHMARKS: Record<string, Benchmark> = {
  aime24: mathBenchmark({
    name: 'aime24',
    fileName: 'aime24.jsonl',
    title: 'AIME 2024',
    dataSource: 'aime24',
    sources: [
      `${QWEN_DATA}/aime24/test.jsonl`,
      'https://huggingface.co/datasets/HuggingFaceH4/aime_2024 (data/train-*.parquet)',
    ],
    paperK: 16,
    answer: 'answer',
    ids: ['id'],
    problem: ['problem', 'question'],
  }),
  aime25: mathBenchmark({
    name: 'aime25',
    fileName: 'aime25.jsonl',
    title: 'AIME 2025',
    dataSource: 'aime25',
    sources: ['https://huggingface.co/datasets/math-ai/aime25 (test.jsonl)'],
    paperK: 16,
    answer: 'answer',
    ids: ['id'],
    problem: ['problem', 'question'],
  }),
  amc23: mathBenchmark({
    name: 'amc23',
    fileName: 'amc23.jsonl',
    title: 'AMC 2023',
    dataSource: 'amc23',
    sources: [`${QWEN_DATA}/amc23/test.jsonl`, 'https://huggingface.co/datasets/math-ai/amc23'],
    paperK: 16,
    answer: 'answer',
    ids: ['id'],
    problem: ['problem', 'question'],
  }),
  math500: {
    name: 'math500',
    fileName: 'math500.jsonl',
    title: 'MATH-500',
    task: 'math',
    dataSource: 'HuggingFaceH4/MATH-500',
    sources: ['https://huggingface.co/datasets/HuggingFaceH4/MATH-500/resolve/main/test.jsonl'],
    paperK: 16,
    template: MATH_TEMPLATE,
    toProblem: (row, index) => ({
      id: idOf(row, ['unique_id', 'id'], index),
      text: text(row, 'problem'),
      groundTruth: answerText(field(row, 'answer'), 'answer'),
      subject: typeof row.subject === 'string' ? row.subject : undefined,
      level: row.level === undefined || row.level === null ? undefined : String(row.level),
    }),
  },
  minerva: {
    name: 'minerva',
    fileName: 'minerva_math.jsonl',
    title: 'Minerva Math',
    task: 'math',
    dataSource: 'minerva_math',
    sources: [`${QWEN_DATA}/minerva_math/test.jsonl`],
    paperK: 4,
    template: MATH_TEMPLATE,
    toProblem: (row, index) => {
      const boxed = boxedCandidates(text(row, 'solution'))[0];
      if (!boxed) throw new RowError('field "solution" has no \\boxed{} answer');
      return { id: idOf(row, ['idx', 'id'], index), text: text(row, 'problem'), groundTruth: boxed.text };
    },
  },
  olympiadbench: {
    name: 'olympiadbench',
    fileName: 'olympiadbench.jsonl',
    title: 'OlympiadBench (math, English)',
    task: 'math',
    dataSource: 'olympiadbench',
    sources: [
      `${QWEN_DATA}/olympiadbench/test.jsonl`,
      'https://huggingface.co/datasets/Hothan/OlympiadBench',
    ],
    paperK: 4,
    template: MATH_TEMPLATE,
    toProblem: (row, index) => {
      const finals = field(row, 'final_answer');
      const answers = (Array.isArray(finals) ? finals : [finals]).map((a) => answerText(a, 'final_answer'));
      if (answers.length === 0) throw new RowError('field "final_answer" is an empty list');
      // A multi-answer problem's golds form one answer list; otherwise any listed form is accepted.
      const gold = row.is_multiple_answer === true || answers.length === 1 ? answers.join(', ') : answers;
      const context = typeof row.context === 'string' && row.context ? `${row.context}\n\n` : '';
      return {
        id: idOf(row, ['id'], index),
        text: context + text(row, 'question', 'problem'),
        groundTruth: gold,
      };
    },
  },
  livecodebench: {
    name: 'livecodebench',
    fileName: 'livecodebench.jsonl',
    title: 'LiveCodeBench',
    task: 'code',
    dataSource: 'livecodebench',
    sources: [
      'https://huggingface.co/datasets/livecodebench/code_generation_lite (test.jsonl .. test6.jsonl, as ' +
        'released: private tests as JSON text or compressed (base64 + zlib + pickle), both read)',
    ],
    paperK: 4,
    template: STDIN_TEMPLATE,
    toProblem: (row, index) => ({
      id: idOf(row, ['question_id', 'id'], index),
      text: text(row, 'question_content'),
      groundTruth: {
        public_test_cases: field(row, 'public_test_cases'),
        ...(row.private_test_cases ? { private_test_cases: privateTests(row.private_test_cases) } : {}),
        ...(row.metadata ? { metadata: row.metadata } : {}),
      },
    }),
  },
  humaneval: {
    name: 'humaneval',
    fileName: 'humaneval.jsonl',
    title: 'HumanEval',
    task: 'code',
    dataSource: 'openai_humaneval',
    sources: ['https://huggingface.co/datasets/openai/openai_humaneval (openai_humaneval/test-*.parquet)'],
    paperK: 4,
    template: FUNCTION_TEMPLATE,
    toProblem: (row, index) => {
      const prompt = text(row, 'prompt');
      return {
        id: idOf(row, ['task_id'], index),
        text: prompt,
        groundTruth: { test: text(row, 'test'), entry_point: text(row, 'entry_point'), prompt },
      };
    },
  },
  mbpp: {
    name: 'mbpp',
    fileName: 'mbpp.jsonl',
    title: 'MBPP',
    task: 'code',
    dataSource: 'mbpp',
    sources: ['https://huggingface.co/datasets/google-research-datasets/mbpp (full/test-*.parquet)'],
    paperK: 4,
    template: 'You are an expert Python programmer. {problem}',
    toProblem: (row, index) => {
      const tests = field(row, 'test_list');
      if (!Array.isArray(tests)) throw new RowError('field "test_list" must be a list of asserts');
      const setup = typeof row.test_setup_code === 'string' ? row.test_setup_code : '';
      return {
        id: idOf(row, ['task_id'], index),
        text: `${text(row, 'text', 'prompt')}\nYour code should pass these tests:\n\n${tests.join('\n')}\nPut the code in one \`\`\`python code block.`,
        groundTruth: { test_list: tests as string[], ...(setup ? { test_setup_code: setup } : {}) },
      };
    },
  },
};

/** Aliases accepted on the command line and in the API. */
const ALIASES: Record<string, string> = {
  aime2024: 'aime24',
  aime2025: 'aime25',
  amc2023: 'amc23',
  'math-500': 'math500',
  minerva_math: 'minerva',
  olympiad: 'olympiadbench',
  lcb: 'livecodebench',
};

export function findBenchmark(name: string): Benchmark | undefined {
  const key = name.toLowerCase();
  return BENCHMARKS[ALIASES[key] ?? key];
}

/** Fills a template's `{problem}` (only that placeholder; other braces, like `\boxed{}`, stay). */
export function renderPrompt(template: string, problemText: string): string {
  // A function, so that `$$` or `$&` in the problem (LaTeX) are not read as replacement patterns.
  return template.replaceAll('{problem}', () => problemText);
}

/** Loads a benchmark's problems from a path or URL; any unusable row is an error naming file, row and field. */
export async function loadProblems(
  benchmark: Benchmark,
  source: string,
  options: SourceOptions = {},
): Promise<Problem[]> {
  const rows = await loadRows(source, options);
  if (rows.length === 0) throw new LoadError(`${source}: no rows`);
  const seen = new Set<string>();
  return rows.map((row, i) => {
    let problem: Problem;
    try {
      problem = benchmark.toProblem(row, i);
    } catch (err) {
      if (err instanceof RowError)
        throw new LoadError(`${source} row ${i + 1} (${benchmark.name}): ${err.message}`);
      throw err;
    }
    if (seen.has(problem.id))
      throw new LoadError(`${source} row ${i + 1}: duplicate problem id "${problem.id}"`);
    seen.add(problem.id);
    return problem;
  });
}
