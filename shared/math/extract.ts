import type { ExtractionTarget } from './types.ts';

/** Where in a response an answer was found. */
export type AnswerSource = 'boxed' | 'anchor' | 'latex' | 'number' | 'choice' | 'whole';

export interface Candidate {
  text: string;
  source: AnswerSource;
}

/** At most this many boxes are kept, the last ones: no honest answer has more. */
const MAX_BOXES = 512;
/** At most this many candidates are returned: the answer is among the last few things a response says. */
export const MAX_CANDIDATES = 32;

/**
 * For each `{` of `s` from `from` on, the index of its matching `}` (-1 when it has none), in one pass:
 * `close[i - from]` for the `{` at `i`. A backslash escapes the next character, so `\{` and `\}` are not
 * braces. What matches a brace depends only on the text after it, so a scan may start anywhere that is
 * not inside an escape.
 */
function matchingBraces(s: string, from: number): Int32Array {
  const close = new Int32Array(s.length - from).fill(-1);
  const open: number[] = [];
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 123) open.push(i);
    else if (c === 125 && open.length > 0) close[(open.pop() as number) - from] = i;
  }
  return close;
}

interface Box {
  body: string;
  start: number;
  end: number;
}

/** The last MAX_BOXES `\boxed{}`/`\fbox{}` of `s` (and `\boxed 5`), outermost only, in order. */
function findBoxes(s: string): Box[] {
  const re = /\\(?:boxed|fbox)\s*/g;
  let m = re.exec(s);
  if (m === null) return [];
  // From the first box on: a box's braces match within the text after it (the box's own backslash starts the scan).
  const from = m.index;
  const close = matchingBraces(s, from);
  const boxes: Box[] = [];
  for (; m; m = re.exec(s)) {
    const at = m.index + m[0].length;
    if (s[at] === '{') {
      const end = close[at - from] as number;
      if (end < 0) continue;
      boxes.push({ body: s.slice(at + 1, end), start: m.index, end: end + 1 });
      re.lastIndex = end + 1;
    } else {
      const word = /^[^\s$]+/.exec(s.slice(at, at + 100));
      if (word) boxes.push({ body: word[0], start: m.index, end: at + word[0].length });
    }
    if (boxes.length >= 2 * MAX_BOXES) boxes.splice(0, boxes.length - MAX_BOXES);
  }
  return boxes.length > MAX_BOXES ? boxes.slice(-MAX_BOXES) : boxes;
}

/** Longest text between two boxes that can still be filler. */
const MAX_FILLER = 200;

/** Boxes count as one answer when only a few filler words stand between them (`\boxed{1} and \boxed{2}`). */
function isFiller(between: string): boolean {
  if (between.length > MAX_FILLER || /\n\s*\n/.test(between)) return false;
  const words = between
    .replace(/\\(?:text|textnormal|mbox|textrm)\{([^{}]*)\}/g, ' $1 ')
    .replace(/\\q?quad|\\[,;! ]|\\\(|\\\)|\\\[|\\\]|\$|[,;.:]/g, ' ')
    .replace(/\b(?:and|or)\b/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  return words.length <= 4;
}

/** The last group of adjacent boxes, joined as a list, followed by earlier single boxes (last first). */
export function boxedCandidates(s: string): Candidate[] {
  const boxes = findBoxes(s);
  if (boxes.length === 0) return [];
  let first = boxes.length - 1;
  while (first > 0 && isFiller(s.slice((boxes[first - 1] as Box).end, (boxes[first] as Box).start))) first--;
  const group = boxes.slice(first).map((b) => b.body.trim());
  const out: Candidate[] = [{ text: group.join(', '), source: 'boxed' }];
  for (let i = first - 1; i >= 0 && out.length < MAX_CANDIDATES; i--)
    out.push({ text: (boxes[i] as Box).body, source: 'boxed' });
  return out;
}

/** A math block: `start`..`end` with its delimiters, `bodyStart`..`bodyEnd` without. */
interface Block {
  start: number;
  end: number;
  bodyStart: number;
  bodyEnd: number;
}

// Kinds of math block, by opener: `$`, `$$`, `\[`, `\(`.
const DOLLAR = 0;
const DOLLARS = 1;
const BRACKET = 2;
const PAREN = 3;

/** The kind of block opening at `i`, or -1. */
function openerAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 36) {
    if (s.charCodeAt(i + 1) === 36) return DOLLARS;
    return i > 0 && s.charCodeAt(i - 1) === 92 ? -1 : DOLLAR;
  }
  if (c !== 92) return -1;
  const d = s.charCodeAt(i + 1);
  return d === 91 ? BRACKET : d === 40 ? PAREN : -1;
}

/**
 * Where a block of `kind` whose body starts at `from` closes: the closer's index, or -1 with the index
 * where the search stopped (a line end for `$` and `\(` blocks, else the end of the text) as `~stop`.
 */
function closerAt(s: string, from: number, kind: number): number {
  const n = s.length;
  for (let j = from; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c === 10 && (kind === DOLLAR || kind === PAREN)) return ~j;
    if (kind === DOLLAR) {
      if (c === 36) return j;
      if (c === 92 && s.charCodeAt(j + 1) === 36) j++; // `\$` is a dollar sign, not a closer
    } else if (kind === DOLLARS) {
      if (c === 36 && s.charCodeAt(j + 1) === 36) return j;
    } else if (c === 92 && s.charCodeAt(j + 1) === (kind === BRACKET ? 93 : 41)) return j;
  }
  return ~n;
}

/**
 * The last `keep` math blocks: `$$..$$`, `\[..\]`, and single-line `$..$` and `\(..\)`, in order.
 * Linear: once a search for a closer fails, openers of the same kind before the point where it stopped
 * are not searched again (the same search from a later start cannot find what the earlier one missed).
 */
export function latexBlocks(s: string, keep = Number.POSITIVE_INFINITY): Block[] {
  const out: Block[] = [];
  const deadUntil = [-1, -1, -1, -1];
  let i = 0;
  while (i < s.length) {
    const kind = openerAt(s, i);
    if (kind < 0) {
      i++;
      continue;
    }
    const length = kind === DOLLAR ? 1 : 2;
    if (i < (deadUntil[kind] as number)) {
      i += length;
      continue;
    }
    const at = closerAt(s, i + length, kind);
    if (at < 0) {
      deadUntil[kind] = ~at;
      i += length;
      continue;
    }
    if (!isBlank(s, i + length, at)) {
      out.push({ start: i, end: at + length, bodyStart: i + length, bodyEnd: at });
      if (out.length >= 2 * keep) out.splice(0, out.length - keep);
    }
    i = at + length;
  }
  return out.length > keep ? out.slice(-keep) : out;
}

function isBlank(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c > 32 && !(c >= 128 && /\s/.test(s[i] as string))) return false;
  }
  return true;
}

const NUMBER =
  /(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?: \d{3})+(?!\d)|\d+)(?:[.,]\d+)?(?:\s*\/\s*\d+)?(?:\s*(?:\\?%|percent\b|pct\b))?(?!\d)|(?<![\w.])[-+]?\.\d+(?!\d)/g;

function numbers(s: string): string[] {
  return Array.from(s.matchAll(NUMBER), (m) => m[0]);
}

const ANCHOR = /(?:final answer is|final answer:|the answer is|answer is|answer:|answer\s*=)/gi;

/**
 * A response's answer candidates in two parts: `head`, worked out at once, and `tail()`, the fallbacks
 * (math blocks and numbers, a scan of the whole region), worked out only when a reader gets past the head,
 * which a parsing box rarely lets it do. Together, best first; readers take at most MAX_CANDIDATES.
 */
export interface Candidates {
  head: Candidate[];
  tail(): Candidate[];
}

/**
 * Answer candidates of a response, best first.
 *
 * The last box group is the answer whenever there is a box; an answer phrase after it does not override
 * it. The one exception is Minerva's closing sentence ("The final answer is $X$. I hope it is correct.")
 * after the last box: an answer format prompts ask for, read first by Qwen's and Math-Verify's defaults.
 * Other answer phrases, math blocks and numbers are fallbacks, used when no box parses. With no box: a
 * short formula-only response as a whole, then the sentence after the last answer phrase, then the
 * last math blocks and numbers (latest first).
 */
export function answerCandidates(region: string, targets: ExtractionTarget[]): Candidates {
  const latex = targets.includes('latex');
  const expr = targets.includes('expr');
  const head: Candidate[] = [];
  const boxed = latex ? boxedCandidates(region) : [];
  const anchor = lastMatch(region, ANCHOR);
  const sentence = anchor ? answerSentence(region.slice(anchor.index + anchor[0].length)) : null;
  const anchored = sentence ? anchorCandidates(sentence.text, latex, expr) : [];
  const lastBoxAt = Math.max(region.lastIndexOf('\\boxed'), region.lastIndexOf('\\fbox'));
  const minerva =
    anchor !== null &&
    sentence?.hoped === true &&
    /^final answer is$/i.test(anchor[0]) &&
    anchor.index > lastBoxAt;
  if (minerva) head.push(...anchored);
  head.push(...boxed.slice(0, 1));
  const trimmed = region.trim();
  // A short response with no box may be the answer itself: `\frac{10}{9}`, `W(x)=1 or W(x)=-1`.
  if (
    latex &&
    boxed.length === 0 &&
    trimmed !== '' &&
    trimmed.length <= 200 &&
    !/\$|\\\(|\\\[/.test(trimmed) &&
    !isProse(trimmed)
  ) {
    head.push({ text: trimmed, source: 'whole' });
  }
  if (!minerva) head.push(...anchored);
  return {
    head,
    tail: () => [...spansCandidates(region, latex, expr, 'latex', false), ...boxed.slice(1)],
  };
}

/** Answer candidates of a response as one list, best first, at most MAX_CANDIDATES (answerCandidates). */
export function extractCandidates(region: string, targets: ExtractionTarget[]): Candidate[] {
  const { head, tail } = answerCandidates(region, targets);
  const all = head.length >= MAX_CANDIDATES ? head : [...head, ...tail()];
  return all.slice(0, MAX_CANDIDATES);
}

function lastMatch(s: string, re: RegExp): RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) last = m;
  return last;
}

/** The sentence after an answer phrase, and whether it ends in Minerva's "I hope (it is correct)". */
function answerSentence(after: string): { text: string; hoped: boolean } {
  const stop = /I hope|\n|\.\s+(?=[A-Z])/.exec(after);
  if (!stop) return { text: after, hoped: false };
  const text = after.slice(0, stop.index);
  const hoped =
    stop[0] === 'I hope' || (stop[0] !== '\n' && after.startsWith('I hope', stop.index + stop[0].length));
  return { text, hoped };
}

/** The sentence after an answer phrase: as a whole when it is math (`$12$ and $13$`), else its last block or number. */
function anchorCandidates(sentence: string, latex: boolean, expr: boolean): Candidate[] {
  const out: Candidate[] = [];
  const bare = trimEnd(sentence.replace(/\$|\\\(|\\\)|\\\[|\\\]|\\?["`]/g, ' ').trim(), '.', 1);
  if (latex && bare && !isProse(bare)) out.push({ text: bare, source: 'anchor' });
  out.push(...spansCandidates(sentence, latex, expr, 'anchor', true));
  return out;
}

/** `s` without up to `max` trailing characters from `chars`; a loop, where a regex `[..]+$` is quadratic. */
function trimEnd(s: string, chars: string, max = Number.POSITIVE_INFINITY): string {
  let end = s.length;
  while (end > 0 && s.length - end < max && chars.includes(s[end - 1] as string)) end--;
  return s.slice(0, end);
}

/** Text with words in it (three letters or more outside commands and \text{}) is prose, not a formula. */
export function isProse(s: string): boolean {
  const stripped = s
    .replace(/\\(?:text|textbf|mathrm|mbox|textnormal|operatorname)\{[^{}]*\}/g, ' ')
    .replace(/\\[a-zA-Z]+/g, ' ')
    .replace(/\b(?:and|or)\b|(?<=[\d)\]}])(?:and|or)/g, ' ');
  return /[a-zA-Z]{3,}/.test(stripped);
}

/** The last MAX_CANDIDATES math blocks and numbers of `text`, latest first (numbers only outside blocks). */
function spansCandidates(
  text: string,
  latex: boolean,
  expr: boolean,
  source: AnswerSource,
  anchored: boolean,
): Candidate[] {
  // Each block is a candidate, so the gaps before the last MAX_CANDIDATES blocks are never reached.
  const blocks = latex ? latexBlocks(text, MAX_CANDIDATES) : [];
  const out: Candidate[] = [];
  // From the end: the numbers of the gap after each block, then the block.
  let gapEnd = text.length;
  for (let b = blocks.length - 1; b >= -1 && out.length < MAX_CANDIDATES; b--) {
    const block = blocks[b];
    if (expr) {
      const found = numbers(text.slice(block ? block.end : 0, gapEnd));
      for (let n = found.length - 1; n >= 0 && out.length < MAX_CANDIDATES; n--)
        out.push({ text: found[n] as string, source: 'number' });
    }
    if (!block || out.length >= MAX_CANDIDATES) break;
    out.push({ text: text.slice(block.bodyStart, block.bodyEnd), source });
    gapEnd = block.start;
  }
  if (expr && anchored && !latex) {
    const newline = text.indexOf('\n');
    const line = trimEnd((newline < 0 ? text : text.slice(0, newline)).trim(), '. \t\r\f\v');
    if (line && line.length < 80) out.push({ text: line, source: 'anchor' });
  }
  return out;
}

const CHOICE = /^\(?([A-Za-z])\)?[.:]?$/;

/** A multiple-choice letter as a gold answer (`C`, `(C)`, `\text{(C)}`), or null. */
export function choiceLetter(answer: string): string | null {
  const bare = answer
    .replace(/\\(?:text|textbf|mathrm|mbox)\{([^{}]*)\}/g, '$1')
    .replace(/\\boxed\{([^{}]*)\}/g, '$1')
    .replace(/\$/g, '')
    .trim();
  const m = CHOICE.exec(bare);
  return m && /[A-Ea-e]/.test(m[1] as string) && /[A-E]/.test(m[1] as string) ? (m[1] as string) : null;
}

/** The chosen letter in a response to a multiple-choice question. */
export function extractChoice(region: string, letters = 'ABCDE'): string | null {
  const set = `[${letters}]`;
  for (const box of boxedCandidates(region)) {
    const l = choiceLetter(box.text);
    if (l) return l;
  }
  const patterns = [
    // No two `\s*` may meet: each would retry the other's split of a long run of spaces.
    new RegExp(String.raw`answer\s*(?:is\s*)?(?::\s*)?\**\(?(${set})\)?(?![A-Za-z])`, 'gi'),
    new RegExp(String.raw`(?:^|\n)[^\S\n]*\(?(${set})[).:](?:\s|$)`, 'g'),
    new RegExp(String.raw`\\text\{\(?(${set})\)?\}`, 'g'),
    new RegExp(String.raw`(?<![A-Za-z'])\(?(${set})\)?(?![A-Za-z'])`, 'g'),
  ];
  for (const re of patterns) {
    const all = [...region.matchAll(re)];
    const hit = re === patterns[1] ? all[0] : all[all.length - 1];
    if (hit) return (hit[1] as string).toUpperCase();
  }
  return null;
}
