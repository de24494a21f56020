/**
 * Loaders for the math regression data (math/ of the public data sets, found by scripts/data-dir.ts; see
 * README "Data") and the mapping of each Math-Verify test's configuration onto our options.
 * Used by the dataset tests and by `bench/math.ts`. The data is read in place, never copied.
 */
import { readFileSync } from 'node:fs';
import type { ExtractionTarget, MathOptions } from '../../shared/math/types.ts';
import { dataPath } from '../data-dir.ts';

export type MathDataFile = 'mathverify_cases.jsonl' | 'probe_pairs.jsonl' | 'math500_selfpairs.jsonl';

/** One gold/pred pair to verify, with the options its label was produced under. */
export interface LabelledPair {
  file: MathDataFile;
  /** 0-based line number in `file`. */
  index: number;
  gold: string;
  pred: string;
  expected: boolean;
  options: Partial<MathOptions>;
}

/** A row of mathverify_cases.jsonl, as recorded from Math-Verify's own pytest suite. */
export interface MathVerifyRow {
  gold: string | null;
  pred: string | null;
  expected: boolean | null;
  call: string;
  source: string;
  param_id: string | null;
  config?: Record<string, unknown>;
  kind?: string;
  extraction_expected?: string[];
}

export function readJsonl<T>(file: MathDataFile): T[] {
  const text = readFileSync(dataPath(`math/${file}`), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** Math-Verify `match_types` → our `extraction` targets. */
function extractionFromMatchTypes(matchTypes: unknown): ExtractionTarget[] {
  if (!Array.isArray(matchTypes)) throw new Error(`match_types is not a list: ${JSON.stringify(matchTypes)}`);
  const targets = matchTypes.filter((t): t is ExtractionTarget => t === 'latex' || t === 'expr');
  if (targets.length !== matchTypes.length || targets.length === 0) {
    throw new Error(`unknown match_types ${JSON.stringify(matchTypes)}`);
  }
  return targets;
}

/**
 * Options for a `compare_strings(gold, pred, match_types, precision, strict, allow_set_relation_comp)` row.
 * `verify(parse(gold), parse(pred))` rows were called with library defaults, which are ours too.
 */
export function optionsForMathVerifyRow(row: MathVerifyRow): Partial<MathOptions> {
  if (row.call.startsWith('verify(')) return {};
  if (row.call !== 'compare_strings') throw new Error(`not a comparison row: ${row.call}`);
  const c = row.config ?? {};
  return {
    extraction: extractionFromMatchTypes(c.match_types),
    precision: Number(c.precision),
    strict: Boolean(c.strict),
    allowSetRelation: Boolean(c.allow_set_relation_comp),
  };
}

export function isMathVerifyComparison(row: MathVerifyRow): boolean {
  return (row.call === 'compare_strings' || row.call.startsWith('verify(')) && row.expected !== null;
}

/** The 270 gold/pred comparisons of Math-Verify's suite, each with its test's configuration. */
export function mathVerifyComparisons(): LabelledPair[] {
  const pairs: LabelledPair[] = [];
  readJsonl<MathVerifyRow>('mathverify_cases.jsonl').forEach((row, index) => {
    if (!isMathVerifyComparison(row)) return;
    pairs.push({
      file: 'mathverify_cases.jsonl',
      index,
      gold: String(row.gold),
      pred: String(row.pred),
      expected: Boolean(row.expected),
      options: optionsForMathVerifyRow(row),
    });
  });
  return pairs;
}

/**
 * The 4 `sympy_expr_eq(gold, pred, float_rounding)` rows: already-parsed expressions compared at a given
 * rounding; `float_rounding` maps onto our `precision`.
 */
export function mathVerifyPrecisionRows(): LabelledPair[] {
  const pairs: LabelledPair[] = [];
  readJsonl<MathVerifyRow>('mathverify_cases.jsonl').forEach((row, index) => {
    if (row.call !== 'sympy_expr_eq') return;
    pairs.push({
      file: 'mathverify_cases.jsonl',
      index,
      gold: String(row.gold),
      pred: String(row.pred),
      expected: Boolean(row.expected),
      options: { precision: Number(row.config?.float_rounding) },
    });
  });
  return pairs;
}

/** The 7 `parse(pred, [StringExtractionConfig])` rows (multiple-choice letter extraction only). */
export function mathVerifyStringRows(): Array<MathVerifyRow & { index: number }> {
  return readJsonl<MathVerifyRow>('mathverify_cases.jsonl')
    .map((row, index) => ({ ...row, index }))
    .filter((row) => row.call.startsWith('parse(pred,[StringExtractionConfig])'));
}

interface PlainRow {
  gold: string;
  pred: string;
  expected: boolean;
}

function plainPairs(file: 'probe_pairs.jsonl' | 'math500_selfpairs.jsonl'): LabelledPair[] {
  return readJsonl<PlainRow>(file).map((row, index) => ({
    file,
    index,
    gold: row.gold,
    pred: row.pred,
    expected: row.expected,
    options: {},
  }));
}

/** 38 hand-picked equivalence probes (section 2 of the math-verification notes), defaults. */
export const probePairs = (): LabelledPair[] => plainPairs('probe_pairs.jsonl');

/** 500 MATH-500 golds x (own boxed answer, another problem's boxed answer), defaults. */
export const math500SelfPairs = (): LabelledPair[] => plainPairs('math500_selfpairs.jsonl');

export function truncate(s: string, n = 80): string {
  const flat = s.replace(/\n/g, '\\n');
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}
