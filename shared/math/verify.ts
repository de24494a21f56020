import type { Node } from './ast.ts';
import { answersEqual, BudgetExceeded, type CompareContext } from './compare.ts';
import type { EvalStats } from './evaluate.ts';
import {
  answerCandidates,
  boxedCandidates,
  type Candidate,
  type Candidates,
  choiceLetter,
  extractCandidates,
  extractChoice,
  MAX_CANDIDATES,
} from './extract.ts';
import { cleanLatex, decimalComma, joinThousands } from './normalize.ts';
import { ParseError, parseLatex, TooLargeError } from './parse.ts';
import { answerRegion } from './region.ts';
import { DEFAULT_MATH_OPTIONS, type MathOptions, type MathStatus, type MathVerdict } from './types.ts';

interface Parsed {
  text: string;
  node: Node;
}

/** Check a model response against a gold answer. Never throws; every outcome is a verdict. */
export function verifyMath(response: string, gold: string, options: Partial<MathOptions> = {}): MathVerdict {
  const started = performance.now();
  const opts: MathOptions = { ...DEFAULT_MATH_OPTIONS, ...options };
  const verdict = (
    status: MathStatus,
    correct: boolean,
    extracted: string | null,
    extra: Partial<MathVerdict> = {},
  ): MathVerdict => ({
    score: correct ? 1 : 0,
    correct,
    status,
    extracted,
    ...extra,
    ms: performance.now() - started,
  });
  let extracted: string | null = null;
  let goldParsed: string | undefined;
  try {
    if (gold.length > opts.maxResponseChars)
      return verdict('too_large', false, null, { reason: 'gold answer too long' });
    const read = answerRegion(response, {
      requireThinkClose: opts.requireThinkClose,
      maxChars: opts.maxResponseChars,
    });
    if ('missing' in read) return verdict('no_answer', false, null, { reason: read.missing });
    const region = read.text;
    const deadline = started + opts.timeoutMs;

    const reading = readGold(gold, opts, deadline);
    if ('letter' in reading) {
      const { letter } = reading;
      const chosen = extractChoice(region);
      if (!chosen)
        return verdict('no_answer', false, null, { gold_parsed: letter, reason: 'no choice letter found' });
      return verdict('ok', chosen === letter, chosen, { gold_parsed: letter });
    }
    const goldNode = reading.node;
    goldParsed = reading.text;

    const candidates = answerCandidates(region, opts.extraction);
    const pred = parseFirst(candidates, opts, deadline);
    const first = candidates.head[0] ?? (pred ? undefined : candidates.tail()[0]);
    if (!pred && first === undefined)
      return verdict('no_answer', false, null, {
        gold_parsed: goldParsed,
        reason: 'no answer found in the response',
      });
    if (!pred) {
      extracted = (first as Candidate).text;
      const same = cleanLatex(extracted) === goldParsed;
      return verdict(same ? 'ok' : 'unparseable', same, extracted, {
        gold_parsed: goldParsed,
        reason: same ? undefined : 'the extracted answer could not be parsed',
      });
    }
    extracted = pred.text;
    const stats: EvalStats = { overflow: false };
    const ctx: CompareContext = {
      precision: opts.precision,
      strict: opts.strict,
      allowSetRelation: opts.allowSetRelation,
      percentLenient: opts.percentLenient,
      stats,
      deadline,
    };
    const correct = pred.text === goldParsed || answersEqual(goldNode, pred.node, ctx);
    if (!correct && stats.overflow) {
      return verdict('too_large', false, extracted, {
        gold_parsed: goldParsed,
        reason: 'a value was too large to evaluate',
      });
    }
    return verdict('ok', correct, extracted, { gold_parsed: goldParsed });
  } catch (err) {
    const base = { gold_parsed: goldParsed, reason: err instanceof Error ? err.message : String(err) };
    if (err instanceof BudgetExceeded) return verdict('timeout', false, extracted, base);
    if (err instanceof TooLargeError || err instanceof RangeError) {
      return verdict('too_large', false, extracted, base);
    }
    return verdict('unparseable', false, extracted, base);
  }
}

/** A gold answer as the verifier reads it: a multiple-choice letter, or its parsed node and clean text. */
type GoldReading = { letter: string } | { node: Node; text: string };

/**
 * Readings of recent golds. A trainer sends each gold with every response to its prompt (16 or more, often
 * one per request), and reading a gold (extraction, clean-up, parsing) is a good part of a short verdict.
 * Bounded in entries and in the length of the golds kept; the nodes are frozen, so no comparison can change
 * a reading another verdict will use.
 */
const goldReadings = new Map<string, GoldReading>();
const GOLD_READINGS_KEPT = 512;
const GOLD_READING_MAX_CHARS = 1024;

function readGold(gold: string, opts: MathOptions, deadline: number): GoldReading {
  // Everything a reading depends on: the options goldCandidates and parseFirst read, and the gold.
  const key =
    gold.length <= GOLD_READING_MAX_CHARS
      ? `${opts.extraction.join(',')}|${opts.maxResponseChars}|${opts.maxAnswerChars}|${gold}`
      : undefined;
  const kept = key === undefined ? undefined : goldReadings.get(key);
  if (kept !== undefined && key !== undefined) {
    // Most recently used last: the first key is the one to drop.
    goldReadings.delete(key);
    goldReadings.set(key, kept);
    return kept;
  }
  const reading = readGoldAfresh(gold, opts, deadline);
  if (key !== undefined) {
    goldReadings.set(key, deepFreeze(reading));
    if (goldReadings.size > GOLD_READINGS_KEPT)
      goldReadings.delete(goldReadings.keys().next().value as string);
  }
  return reading;
}

function readGoldAfresh(gold: string, opts: MathOptions, deadline: number): GoldReading {
  const goldTexts = goldCandidates(gold, opts);
  const letter = goldTexts.length === 1 ? choiceLetter(goldTexts[0] as string) : null;
  if (letter) return { letter };
  const goldAnswer = parseFirst(
    goldTexts.map((text) => ({ text, source: 'whole' as const })),
    opts,
    deadline,
  );
  const text = goldAnswer?.text ?? cleanLatex(goldTexts[0] ?? gold);
  return { node: goldAnswer?.node ?? { t: 'text', s: text }, text };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const MATH_DELIMITERS = /\$\$|\$|\\\(|\\\)|\\\[|\\\]/g;

/** Gold answers are usually bare; full solutions and `$...$`-wrapped golds are read like responses. */
function goldCandidates(gold: string, opts: MathOptions): string[] {
  const g = gold.trim();
  if (/\\(?:boxed|fbox)/.test(g)) {
    const read = answerRegion(g, { requireThinkClose: false, maxChars: opts.maxResponseChars });
    const boxes = boxedCandidates('text' in read ? read.text : g);
    if (boxes.length) return boxes.map((b) => b.text);
    // An unclosed `\boxed{...` in a gold: take everything after it.
    const open = /(?<!\\)\\+(?:boxed|fbox)\s*\{/.exec(g);
    if (open)
      return [
        g
          .slice(open.index + open[0].length)
          .replace(MATH_DELIMITERS, ' ')
          .trim(),
      ];
  }
  if (!opts.extraction.includes('latex')) return [decimalComma(g)];
  if (g.length <= 300 && !/[.!?]\s+[A-Z]/.test(g)) return [g.replace(MATH_DELIMITERS, ' ').trim()];
  const found = extractCandidates(g, opts.extraction).map((c) => c.text);
  return found.length ? found : [g];
}

function prepare(c: Candidate): string {
  const cleaned = joinThousands(cleanLatex(c.text));
  return c.source === 'number' ? decimalComma(cleaned) : cleaned;
}

/** Parsing stops after this many maxAnswerChars of candidate text: unparseable fallbacks must not add up. */
const PARSED_ANSWERS_MAX = 4;
/** A candidate over this many maxAnswerChars is refused as it is, without spending a clean-up on it. */
const RAW_ANSWER_FACTOR = 4;

/**
 * The first candidate that parses, of at most MAX_CANDIDATES. The work is capped, not the verdict: huge
 * candidates are not cleaned, and parsing stops at PARSED_ANSWERS_MAX answers' worth of text or at the
 * deadline. The tail of the candidates is only worked out when no candidate of the head parses.
 */
function parseFirst(
  candidates: Candidate[] | Candidates,
  opts: MathOptions,
  deadline: number,
): Parsed | null {
  let tooLarge: Error | null = null;
  let budget = PARSED_ANSWERS_MAX * opts.maxAnswerChars;
  let read = 0;
  const parts = Array.isArray(candidates) ? [() => candidates] : [() => candidates.head, candidates.tail];
  for (const part of parts) {
    for (const c of part()) {
      if (read++ >= MAX_CANDIDATES) break;
      if (performance.now() > deadline) throw new BudgetExceeded('verification budget exceeded');
      const text = c.text.length > RAW_ANSWER_FACTOR * opts.maxAnswerChars ? null : prepare(c);
      if (text === '') continue;
      if (text === null || text.length > opts.maxAnswerChars) {
        tooLarge = new TooLargeError(`answer longer than ${opts.maxAnswerChars} characters`);
        continue;
      }
      if (budget < text.length) return finish(tooLarge);
      budget -= text.length;
      try {
        return { text, node: parseLatex(text) };
      } catch (err) {
        if (err instanceof TooLargeError) tooLarge = err;
        else if (!(err instanceof ParseError)) throw err;
      }
    }
  }
  return finish(tooLarge);
}

/** No candidate parsed: too large if one was, else none. */
function finish(tooLarge: Error | null): null {
  if (tooLarge) throw tooLarge;
  return null;
}
