/**
 * Agreement of verifyMath with the labelled math data set (math/, read in place; see README "Data").
 *
 * - mathverify_cases.jsonl: Math-Verify's own suite, each comparison replayed with its test's config;
 *   >= 98% agreement, and disagreements we take on purpose are listed in ./disagreements.ts.
 * - probe_pairs.jsonl: 38 equivalence probes; every label, except documented disagreements.
 * - math500_selfpairs.jsonl: 1000 MATH-500 identity / shifted pairs; >= 99.8% agreement.
 */
import { describe, expect, it } from 'vitest';
import {
  type LabelledPair,
  type MathDataFile,
  math500SelfPairs,
  mathVerifyComparisons,
  mathVerifyPrecisionRows,
  mathVerifyStringRows,
  probePairs,
  truncate,
} from '../../scripts/data/math-cases.ts';
import type { MathVerdict } from '../../shared/math/types.ts';
import { verifyMath } from '../../shared/math/verify.ts';
import { needData } from '../helpers/data.ts';
import { DOCUMENTED_DISAGREEMENTS, isDocumented } from './disagreements.ts';

const MATH = needData('the agreement with the labelled math data', 'math');
/** The rows, read at collection (they name the cases); none without the data, whose suites are skipped. */
const ifData = <T>(load: () => T[]): T[] => (MATH.has() ? load() : []);

interface Outcome {
  pair: LabelledPair;
  verdict: MathVerdict | null;
  error: string | null;
  agrees: boolean;
}

function run(pair: LabelledPair): Outcome {
  try {
    const verdict = verifyMath(pair.pred, pair.gold, pair.options);
    return { pair, verdict, error: null, agrees: verdict.correct === pair.expected };
  } catch (e) {
    return { pair, verdict: null, error: String(e), agrees: false };
  }
}

interface Summary {
  total: number;
  agreed: number;
  disagreements: Outcome[];
  undocumented: Outcome[];
  thrown: Outcome[];
}

function summarise(title: string, pairs: LabelledPair[]): Summary {
  const outcomes = pairs.map(run);
  const disagreements = outcomes.filter((o) => !o.agrees);
  const undocumented = disagreements.filter(
    (o) => !isDocumented(o.pair.file, o.pair.gold, o.pair.pred, o.pair.index),
  );
  const lines = disagreements.map((o) => {
    const got = o.verdict ? `${o.verdict.correct} (${o.verdict.status})` : `threw ${o.error}`;
    const doc = isDocumented(o.pair.file, o.pair.gold, o.pair.pred, o.pair.index) ? ' [documented]' : '';
    return (
      `  #${o.pair.index} gold=${truncate(o.pair.gold, 50)} pred=${truncate(o.pair.pred)} ` +
      `expected=${o.pair.expected} got=${got}${doc}`
    );
  });
  console.log(
    `${title}: ${outcomes.length - disagreements.length}/${outcomes.length} agree; ` +
      `${disagreements.length} disagreement(s), ${undocumented.length} undocumented` +
      (lines.length ? `\n${lines.join('\n')}` : ''),
  );
  return {
    total: outcomes.length,
    agreed: outcomes.length - disagreements.length,
    disagreements,
    undocumented,
    thrown: outcomes.filter((o) => o.error !== null),
  };
}

const describeRow = (o: Outcome) =>
  `#${o.pair.index} ${truncate(o.pair.gold, 40)} | ${truncate(o.pair.pred, 60)}`;

describe.skipIf(!MATH.has())(
  'mathverify_cases.jsonl: Math-Verify suite comparisons, each with its test config',
  () => {
    const pairs = ifData(mathVerifyComparisons);

    it('holds the 270 gold/pred comparisons (232 true, 38 false)', () => {
      expect(pairs).toHaveLength(270);
      expect(pairs.filter((p) => p.expected)).toHaveLength(232);
    });

    it('agrees with >= 98% of the labels, undocumented disagreements within the 2% budget', () => {
      const s = summarise('mathverify_cases (270 comparisons)', pairs);
      expect(s.thrown.map(describeRow)).toEqual([]);
      expect(s.agreed).toBeGreaterThanOrEqual(265); // 98% of 270
      expect(s.undocumented.length).toBeLessThanOrEqual(5); // 2% of 270
    });
  },
);

describe.skipIf(!MATH.has())(
  'mathverify_cases.jsonl: sympy_expr_eq precision rows (float_rounding → precision)',
  () => {
    const rows = ifData(mathVerifyPrecisionRows);

    it('holds 4 rows', () => expect(rows).toHaveLength(4));

    it.each(rows.map((r) => [r.gold, r.pred, r.options.precision, r.expected, r] as const))(
      'gold %s vs pred %s at precision %i → %s',
      (_gold, _pred, _precision, expected, row) => {
        expect(verifyMath(row.pred, row.gold, row.options).correct).toBe(expected);
      },
    );
  },
);

/*
 * Math-Verify's StringExtractionConfig rows only check which letter `parse` extracts from the pred; they
 * record the gold letter the test expects to come out. We have no string-extraction config: a gold that
 * is a single letter is what switches verifyMath to multiple-choice extraction. So a row with a gold
 * letter maps to `verifyMath(pred, goldLetter)` → correct: true (the expected letter was extracted and
 * matched). The row with gold null expects NO letter to be extracted ("No valid answer here"); we map it
 * to: whichever choice the gold is (each of the row's strings A..D), the verdict is false.
 */
describe.skipIf(!MATH.has())(
  'mathverify_cases.jsonl: StringExtractionConfig rows (multiple-choice letters)',
  () => {
    const rows = ifData(mathVerifyStringRows);

    it('holds 7 rows', () => expect(rows).toHaveLength(7));

    it.each(rows.filter((r) => r.gold !== null).map((r) => [r.pred, r.gold, r] as const))(
      '%s → letter %s is extracted and matches',
      (pred, gold) => {
        expect(verifyMath(String(pred), String(gold)).correct).toBe(true);
      },
    );

    it.each(rows.filter((r) => r.gold === null).map((r) => [r.pred, r] as const))(
      '%s → no choice letter matches any gold',
      (pred, row) => {
        const config = row.config?.StringExtractionConfig as { strings?: string[] } | undefined;
        const letters = config?.strings ?? ['A', 'B', 'C', 'D'];
        for (const letter of letters) {
          expect(verifyMath(String(pred), letter).correct, `gold ${letter}`).toBe(false);
        }
      },
    );
  },
);

describe.skipIf(!MATH.has())('probe_pairs.jsonl: 38 equivalence probes', () => {
  const pairs = ifData(probePairs);

  it('holds 38 probes', () => expect(pairs).toHaveLength(38));

  it.each(pairs.map((p) => [p.index, p.gold, truncate(p.pred, 60), p.expected, p] as const))(
    '#%i gold %s vs %s → %s (unless documented)',
    (_index, _gold, _pred, expected, pair) => {
      const documented = isDocumented(pair.file, pair.gold, pair.pred, pair.index);
      const verdict = verifyMath(pair.pred, pair.gold, pair.options);
      expect(verdict.correct).toBe(documented ? documented.ourVerdict : expected);
    },
  );

  it('agrees with 100% of the labels except documented disagreements', () => {
    const s = summarise('probe_pairs (38)', pairs);
    expect(s.undocumented.map(describeRow)).toEqual([]);
  });
});

describe.skipIf(!MATH.has())('math500_selfpairs.jsonl: 1000 MATH-500 self-pairs', () => {
  const pairs = ifData(math500SelfPairs);

  it('holds 1000 pairs (502 true, 498 false)', () => {
    expect(pairs).toHaveLength(1000);
    expect(pairs.filter((p) => p.expected)).toHaveLength(502);
  });

  it('agrees with >= 99.8% of the labels', () => {
    const s = summarise('math500_selfpairs (1000)', pairs);
    expect(s.thrown.map(describeRow)).toEqual([]);
    expect(s.agreed).toBeGreaterThanOrEqual(998); // 99.8% of 1000
    expect(s.undocumented.length).toBeLessThanOrEqual(2); // 0.2% of 1000
  });
});

const PAIRS_BY_FILE: Record<MathDataFile, () => LabelledPair[]> = {
  'mathverify_cases.jsonl': mathVerifyComparisons,
  'probe_pairs.jsonl': probePairs,
  'math500_selfpairs.jsonl': math500SelfPairs,
};

describe.skipIf(!MATH.has())('documented disagreements (./disagreements.ts) still hold', () => {
  it.each(
    DOCUMENTED_DISAGREEMENTS.map((d) => [d.file, d.match.gold, d.match.pred, d.ourVerdict, d] as const),
  )('%s: gold %s vs pred %s → we answer %s', (file, gold, pred, ourVerdict, d) => {
    const rows = PAIRS_BY_FILE[file]().filter(
      (p) => p.gold === gold && p.pred === pred && (d.match.index === undefined || p.index === d.match.index),
    );
    expect(rows.length, `no row of ${file} matches this entry: ${d.reason}`).toBeGreaterThan(0);
    for (const row of rows) {
      // The label must really be the other answer, or the entry is not a disagreement.
      expect(row.expected).toBe(!ourVerdict);
      expect(verifyMath(row.pred, row.gold, row.options).correct).toBe(ourVerdict);
    }
  });
});
