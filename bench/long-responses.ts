/**
 * A long-response set at the length of real reasoning-model output: each MATH-500 `solution` (real LaTeX
 * ending in a \boxed answer) after an R1-style `<think>…</think>` block of filler reasoning, each response
 * 2–30 KB in all. The filler is drawn, with a seeded generator, from template sentences and from the
 * sentences of other MATH-500 solutions with their boxes taken out, so the only box is the final one.
 * Deterministic: the same data and seed give the same items.
 */
import { readFileSync } from 'node:fs';
import { dataPath } from '../scripts/data-dir.ts';

export interface LongItem {
  /** MATH-500 `unique_id`. */
  id: string;
  gold: string;
  response: string;
}

export const MIN_CHARS = 2 * 1024;
export const MAX_CHARS = 30 * 1024;
export const DEFAULT_SEED = 500;

interface Math500Row {
  solution: string;
  answer: string;
  unique_id: string;
}

/** mulberry32: a small seeded generator, uniform in [0, 1). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEMPLATES: ReadonlyArray<(n: number, m: number) => string> = [
  (n) => `Wait, let me double-check the case $n = ${n}$ before going on.`,
  (n, m) => `Hmm, so the sum would be $${n} + ${m} = ${n + m}$, but I am not sure that is what is asked.`,
  () => 'Let me reconsider the constraints of the problem once more.',
  (n) => `Alternatively, I could substitute $x = ${n}$ and see whether the equation still holds.`,
  (n, m) => `If I expand $(x + ${n})(x - ${m})$ I get $x^2 + ${n - m}x - ${n * m}$.`,
  () => 'Actually, that approach seems too complicated; maybe there is a symmetry I am missing.',
  (n, m) => `So $\\frac{${n}}{${m}}$ should simplify, since both share a common factor or they do not.`,
  () => 'Okay, so far so good. Now the next step.',
  (n) => `Let me verify with a small example, say $k = ${n % 7}$: that gives $${(n % 7) ** 2}$.`,
  (n, m) => `But wait, the area is $\\sqrt{${n}^2 + ${m}^2}$? No, that is the length of the diagonal.`,
];

/** Sentences of a solution without its boxes and Asymptote drawings, each at most ~600 characters. */
function sentencesOf(solution: string): string[] {
  let text = '';
  let at = 0;
  for (;;) {
    const open = solution.indexOf('[asy]', at);
    if (open < 0) break;
    const close = solution.indexOf('[/asy]', open);
    text += solution.slice(at, open);
    at = close < 0 ? solution.length : close + '[/asy]'.length;
  }
  text += solution.slice(at);
  text = text.replaceAll('\\boxed', '');
  const out: string[] = [];
  for (const part of text.split(/\n+/)) {
    const s = part.trim();
    if (s.length > 0 && s.length <= 600) out.push(s);
  }
  return out;
}

function readMath500(): Math500Row[] {
  return readFileSync(dataPath('benchmarks/math500.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Math500Row);
}

/** One long item per MATH-500 problem, in file order. */
export function longResponses(seed = DEFAULT_SEED): LongItem[] {
  const rows = readMath500();
  const pool = rows.flatMap((r) => sentencesOf(r.solution));
  const random = generator(seed);
  const pick = (n: number) => Math.floor(random() * n);
  return rows.map((row) => {
    const tail = `\n</think>\n\n${row.solution}`;
    // Leave room for the last filler sentence so that no response goes over MAX_CHARS.
    const target = MIN_CHARS + 16 + pick(MAX_CHARS - 720 - MIN_CHARS);
    const parts: string[] = ['<think>\n'];
    let length = parts[0]?.length ?? 0;
    while (length + tail.length < target) {
      const sentence =
        random() < 0.5
          ? (TEMPLATES[pick(TEMPLATES.length)] as (n: number, m: number) => string)(
              2 + pick(98),
              2 + pick(98),
            )
          : (pool[pick(pool.length)] as string);
      parts.push(random() < 0.2 ? `${sentence}\n\n` : `${sentence} `);
      length += sentence.length + 2;
    }
    return { id: row.unique_id, gold: row.answer, response: parts.join('').trimEnd() + tail };
  });
}
