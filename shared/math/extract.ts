import type { ExtractionTarget } from './types.ts';

/** Where in a response an answer was found. */
export type AnswerSource = 'boxed' | 'anchor' | 'latex' | 'number' | 'choice' | 'whole';

export interface Candidate {
  text: string;
  source: AnswerSource;
}

/** Too many `\boxed{}` to be an honest answer: the response is refused rather than searched. */
export class TooManyBoxesError extends Error {}

const MAX_BOXES = 512;

/** The part of a response to grade: after the last `</think>`, without markdown emphasis. */
export function answerRegion(response: string, requireThinkClose: boolean): string | null {
  const close = response.lastIndexOf('</think>');
  if (close < 0 && requireThinkClose) return null;
  const region = close >= 0 ? response.slice(close + '</think>'.length) : response;
  return region.replace(/\*\*([^*\n]{1,200}?)\*\*/g, '$1').replace(/(^|\s)__([^_\n]{1,200}?)__/g, '$1$2');
}

/** Content of the brace group opening at `open` (index of `{`), or null when unbalanced. */
function braceGroup(s: string, open: number): { body: string; end: number } | null {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return { body: s.slice(open + 1, i), end: i + 1 };
  }
  return null;
}

interface Box {
  body: string;
  start: number;
  end: number;
}

function findBoxes(s: string): Box[] {
  const boxes: Box[] = [];
  const re = /\\(?:boxed|fbox)\s*/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (boxes.length >= MAX_BOXES) throw new TooManyBoxesError(`more than ${MAX_BOXES} \\boxed answers`);
    const at = m.index + m[0].length;
    if (s[at] === '{') {
      const g = braceGroup(s, at);
      if (!g) continue;
      boxes.push({ body: g.body, start: m.index, end: g.end });
      re.lastIndex = g.end;
    } else {
      const word = /^[^\s$]+/.exec(s.slice(at, at + 100));
      if (word) boxes.push({ body: word[0], start: m.index, end: at + word[0].length });
    }
  }
  return boxes;
}

/** Boxes count as one answer when only a few filler words stand between them (`\boxed{1} and \boxed{2}`). */
function isFiller(between: string): boolean {
  if (/\n\s*\n/.test(between)) return false;
  const words = between
    .replace(/\\(?:text|textnormal|mbox|textrm)\{([^}]*)\}/g, ' $1 ')
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
  for (let i = first - 1; i >= 0; i--) out.push({ text: (boxes[i] as Box).body, source: 'boxed' });
  return out;
}

interface Span {
  text: string;
  start: number;
  end: number;
}

/** Math blocks: `$$..$$`, `\[..\]`, and single-line `$..$` and `\(..\)`. */
export function latexBlocks(s: string): Span[] {
  const out: Span[] = [];
  let i = 0;
  while (i < s.length) {
    const rest = s.startsWith('$$', i)
      ? '$$'
      : s.startsWith('\\[', i)
        ? '\\]'
        : s.startsWith('\\(', i)
          ? '\\)'
          : s[i] === '$' && s[i - 1] !== '\\'
            ? '$'
            : null;
    if (!rest) {
      i++;
      continue;
    }
    const open = rest === '$' ? 1 : 2;
    let j = i + open;
    let found = -1;
    for (; j < s.length; j++) {
      if (s[j] === '\\' && rest === '$' && s[j + 1] === '$') {
        j++;
        continue;
      }
      if ((rest === '$' || rest === '\\)') && s[j] === '\n') break;
      if (s.startsWith(rest, j) && !(rest === '$' && s[j - 1] === '\\')) {
        found = j;
        break;
      }
    }
    if (found < 0) {
      i += open;
      continue;
    }
    const body = s.slice(i + open, found);
    if (body.trim()) out.push({ text: body, start: i, end: found + rest.length });
    i = found + rest.length;
  }
  return out;
}

const NUMBER =
  /(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?: \d{3})+(?!\d)|\d+)(?:[.,]\d+)?(?:\s*\/\s*\d+)?(?:\s*(?:\\?%|percent\b|pct\b))?(?!\d)|(?<![\w.])[-+]?\.\d+(?!\d)/g;

function numberSpans(s: string): Span[] {
  const out: Span[] = [];
  for (const m of s.matchAll(NUMBER)) out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  return out;
}

const ANCHOR = /(?:final answer is|final answer:|the answer is|answer is|answer:|answer\s*=)/gi;

/**
 * Answer candidates of a response, best first: the last box group, then the text after the last
 * answer phrase, then the last math block or number (whichever comes later).
 */
export function extractCandidates(region: string, targets: ExtractionTarget[]): Candidate[] {
  const latex = targets.includes('latex');
  const expr = targets.includes('expr');
  const out: Candidate[] = [];
  const boxed = latex ? boxedCandidates(region) : [];
  const trimmed = region.trim();
  // A short response with no box may be the answer itself: `\frac{10}{9}`, `W(x)=1 or W(x)=-1`.
  if (
    latex &&
    boxed.length === 0 &&
    trimmed.length <= 200 &&
    !/\$|\\\(|\\\[/.test(trimmed) &&
    !isProse(trimmed)
  ) {
    out.push({ text: trimmed, source: 'whole' });
  }
  const anchors = [...region.matchAll(ANCHOR)];
  const lastAnchor = anchors[anchors.length - 1];
  const lastBoxAt = latex ? region.lastIndexOf('\\boxed') : -1;
  const anchored = lastAnchor
    ? anchorCandidates(region.slice(lastAnchor.index + lastAnchor[0].length), latex, expr)
    : [];
  // Whichever the response states last wins: a box, or an answer phrase after it.
  if (lastAnchor && lastAnchor.index > lastBoxAt) out.push(...anchored, ...boxed.slice(0, 1));
  else out.push(...boxed.slice(0, 1), ...anchored);
  out.push(...spansCandidates(region, latex, expr, 'latex', false));
  out.push(...boxed.slice(1));
  return out;
}

/** The sentence after an answer phrase: as a whole when it is math (`$12$ and $13$`), else its last block or number. */
function anchorCandidates(after: string, latex: boolean, expr: boolean): Candidate[] {
  const sentence = after.split(/I hope|\n|\.\s+(?=[A-Z])/)[0] ?? '';
  const out: Candidate[] = [];
  const bare = sentence
    .replace(/\$|\\\(|\\\)|\\\[|\\\]|\\?["`]/g, ' ')
    .trim()
    .replace(/\.$/, '');
  if (latex && bare && !isProse(bare)) out.push({ text: bare, source: 'anchor' });
  out.push(...spansCandidates(sentence, latex, expr, 'anchor', true));
  return out;
}

/** Text with words in it (three letters or more outside commands and \text{}) is prose, not a formula. */
export function isProse(s: string): boolean {
  const stripped = s
    .replace(/\\(?:text|textbf|mathrm|mbox|textnormal|operatorname)\{[^}]*\}/g, ' ')
    .replace(/\\[a-zA-Z]+/g, ' ')
    .replace(/\b(?:and|or)\b|(?<=[\d)\]}])(?:and|or)/g, ' ');
  return /[a-zA-Z]{3,}/.test(stripped);
}

function spansCandidates(
  text: string,
  latex: boolean,
  expr: boolean,
  source: AnswerSource,
  anchored: boolean,
): Candidate[] {
  const spans: (Span & { source: AnswerSource })[] = [];
  if (latex) for (const b of latexBlocks(text)) spans.push({ ...b, source });
  if (expr) {
    const masked = latex ? maskBlocks(text) : text;
    for (const n of numberSpans(masked)) spans.push({ ...n, source: 'number' });
    if (anchored && !latex) {
      const line = text
        .split('\n')[0]
        ?.trim()
        .replace(/[.\s]+$/, '');
      if (line && line.length < 80) spans.push({ text: line, start: -1, end: -1, source: 'anchor' });
    }
  }
  spans.sort((a, b) => b.end - a.end);
  return spans.map((s) => ({ text: s.text, source: s.source }));
}

function maskBlocks(text: string): string {
  let out = text;
  for (const b of latexBlocks(text))
    out = out.slice(0, b.start) + ' '.repeat(b.end - b.start) + out.slice(b.end);
  return out;
}

const CHOICE = /^\(?([A-Za-z])\)?[.:]?$/;

/** A multiple-choice letter as a gold answer (`C`, `(C)`, `\text{(C)}`), or null. */
export function choiceLetter(answer: string): string | null {
  const bare = answer
    .replace(/\\(?:text|textbf|mathrm|mbox)\{([^}]*)\}/g, '$1')
    .replace(/\\boxed\{([^}]*)\}/g, '$1')
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
    new RegExp(String.raw`answer\s*(?:is|:)?\s*:?\s*\**\(?(${set})\)?(?![A-Za-z])`, 'gi'),
    new RegExp(String.raw`(?:^|\n)\s*\(?(${set})[).:](?:\s|$)`, 'g'),
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
