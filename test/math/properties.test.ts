/**
 * Property-based suite of the math verifier (fast-check, fixed seed): for generated answers of each
 * family, a response boxing any value-keeping rewriting of the gold is accepted, and a response boxing a
 * nearby different value is refused. 10,000 cases per property, so 20,000 per family; every verdict
 * within 20 ms (re-timed after the run, so a GC pause does not count). The generators and rewritings
 * are in ./arbitraries.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MathVerdict } from '../../shared/math/types.ts';
import { verifyMath } from '../../shared/math/verify.ts';
import {
  integerArb,
  intervalsArb,
  matrixArb,
  nearbyInteger,
  nearbyIntervals,
  nearbyMatrix,
  nearbyRadical,
  nearbyRational,
  nearbySet,
  nearbyStep,
  nearbyTuple,
  radicalArb,
  rationalArb,
  renderInteger,
  renderIntervals,
  renderMatrix,
  renderRadical,
  renderRational,
  renderSet,
  renderStep,
  renderTuple,
  respond,
  Style,
  setArb,
  stepArb,
  styleArb,
  tupleArb,
} from './arbitraries.ts';

const PROPERTY_SEED = 1_100_011;
const RUNS = 10_000;
const ITEM_BUDGET_MS = 20;

interface Family<T> {
  name: string;
  values: fc.Arbitrary<T>;
  render: (value: T, st: Style) => string;
  nearby: (value: T) => fc.Arbitrary<T>;
}

const family = <T>(f: Family<T>) => f as Family<unknown>;

const FAMILIES: Family<unknown>[] = [
  family({ name: 'integers', values: integerArb, render: renderInteger, nearby: nearbyInteger }),
  family({ name: 'rationals', values: rationalArb, render: renderRational, nearby: nearbyRational }),
  family({ name: 'radicals', values: radicalArb, render: renderRadical, nearby: nearbyRadical }),
  family({
    name: 'intervals and unions',
    values: intervalsArb,
    render: renderIntervals,
    nearby: nearbyIntervals,
  }),
  family({ name: 'sets', values: setArb, render: renderSet, nearby: nearbySet }),
  family({ name: 'tuples', values: tupleArb, render: renderTuple, nearby: nearbyTuple }),
  family({ name: 'matrices', values: matrixArb, render: renderMatrix, nearby: nearbyMatrix }),
  family({
    name: 'floor, ceil, |.|, max, min of n',
    values: stepArb,
    render: renderStep,
    nearby: nearbyStep,
  }),
];

interface Case {
  gold: string;
  response: string;
}

/** The gold rendered one way, the response boxing `answer` rendered another way. */
function caseOf<T>(f: Family<T>, gold: T, answer: T, [g, a, r]: [number, number, number]): Case {
  return {
    gold: f.render(gold, new Style(g)),
    response: respond(f.render(answer, new Style(a)), new Style(r)),
  };
}

const styles = fc.tuple(styleArb, styleArb, styleArb);

/** Runs the property; then re-times every case that took over the budget (best of 3) and expects none left. */
function checkProperty(cases: fc.Arbitrary<Case>, expected: boolean) {
  const slow: Case[] = [];
  const verdictOf = (c: Case): MathVerdict => verifyMath(c.response, c.gold);
  fc.assert(
    fc.property(cases, (c) => {
      const v = verdictOf(c);
      if (v.ms > ITEM_BUDGET_MS) slow.push(c);
      expect(v.correct, `verdict ${JSON.stringify({ ...v, ms: undefined })}`).toBe(expected);
      if (expected) expect(v.status).toBe('ok');
    }),
    { seed: PROPERTY_SEED, numRuns: RUNS },
  );
  const stillSlow = slow
    .map((c) => ({ ...c, ms: Math.min(...[0, 1, 2].map(() => verdictOf(c).ms)) }))
    .filter((c) => c.ms > ITEM_BUDGET_MS);
  expect(stillSlow).toEqual([]);
}

describe.each(FAMILIES.map((f) => [f.name, f] as const))('%s', (_name, f) => {
  it('a response boxing the gold, rewritten in any way that keeps its value, is accepted', () => {
    checkProperty(
      fc.tuple(f.values, styles).map(([v, s]) => caseOf(f, v, v, s)),
      true,
    );
  });

  it('a response boxing a nearby different value is refused', () => {
    checkProperty(
      f.values
        .chain((v) => fc.tuple(fc.constant(v), f.nearby(v), styles))
        .map(([v, w, s]) => caseOf(f, v, w, s)),
      false,
    );
  });
});
