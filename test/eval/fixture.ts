import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath, dataRoots, findData } from '../../scripts/data-dir.ts';
import type { CannedAnswer } from './stand-in-server.ts';

/** The public benchmark files; where they are missing, the tests that use them skip (test/helpers/data.ts). */
export const BENCHMARK_DIR = findData('benchmarks') ?? join(dataRoots()[0] as string, 'benchmarks');

/** A problem as read by the test itself (raw JSON, not through the code under test). */
export interface RawProblem {
  index: number;
  id: string;
  problem: string;
  answer: string;
  subject?: string;
  level?: string;
}

export function readRawProblems(file: 'aime24' | 'math500'): RawProblem[] {
  const lines = readFileSync(dataPath(`benchmarks/${file}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean);
  return lines.map((line, index) => {
    const row = JSON.parse(line);
    return file === 'aime24'
      ? { index, id: String(row.id), problem: row.problem, answer: String(row.answer) }
      : {
          index,
          id: row.unique_id,
          problem: row.problem,
          answer: row.answer,
          subject: row.subject,
          level: String(row.level),
        };
  });
}

export type Kind = 'correct' | 'wrongA' | 'wrongB' | 'truncated';
/**
 * Two wrong answers for a problem: far-off numbers, or, for a multiple-choice gold like `\text{(C)}`, two
 * other choices (our verifier reads only choice letters against such a gold, so a number would not vote).
 */
export function wrongAnswers(p: RawProblem): [string, string] {
  const choice = /^\\text\{\(([A-E])\)\}$/.exec(p.answer)?.[1];
  if (!choice) return ['-987654321', '-123456789'];
  const others = ['A', 'B', 'C', 'D', 'E'].filter((l) => l !== choice);
  return [`\\text{(${others[0]})}`, `\\text{(${others[1]})}`];
}

/** The answer a sample gives (null when truncated before answering). */
export function intendedAnswer(p: RawProblem, sample: number): string | null {
  const kind = kindOf(p.index, sample);
  const [a, b] = wrongAnswers(p);
  return kind === 'correct' ? p.answer : kind === 'wrongA' ? a : kind === 'wrongB' ? b : null;
}

function unit(a: number, b: number, salt: number): number {
  let h = Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b + 7, 0x85ebca6b) ^ Math.imul(salt, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}

/** Problem i's samples are right with probability 0, 1/4, 1/2, 3/4 or 1 (by i mod 5); the rest split three ways. */
export function kindOf(problemIndex: number, sample: number): Kind {
  const rate = (problemIndex % 5) / 4;
  if (unit(problemIndex, sample, 1) < rate) return 'correct';
  const v = unit(problemIndex, sample, 2);
  return v < 0.45 ? 'wrongA' : v < 0.75 ? 'wrongB' : 'truncated';
}

const FILLER = 'Let me work through this carefully, one step at a time, checking each claim. ';
const RAMBLE = 'Hmm, wait, let me reconsider the whole setup from the start once more. ';

export function answerFor(p: RawProblem, sample: number): CannedAnswer {
  const kind = kindOf(p.index, sample);
  const reasoning = FILLER.repeat(1 + ((p.index * 3 + sample) % 9));
  if (kind === 'truncated')
    return { text: `<think>${RAMBLE.repeat(40 + (sample % 5))}`, finishReason: 'length' };
  const answer = intendedAnswer(p, sample);
  return {
    text: `<think>${reasoning}</think>\nSo the final answer is $\\boxed{${answer}}$.`,
    finishReason: 'stop',
  };
}

export const MATH_INSTRUCTION = '\nPlease reason step by step, and put your final answer within \\boxed{}.';

/** The stand-in's answer function: finds the problem by its prompt (the paper's template). */
export function responder(problems: RawProblem[]) {
  const byPrompt = new Map(problems.map((p) => [p.problem + MATH_INSTRUCTION, p]));
  return (prompt: string, sample: number) => {
    const p = byPrompt.get(prompt);
    return p ? answerFor(p, sample) : undefined;
  };
}
