/**
 * Property-based suite of the stdout judge (compareStdout, fast-check, fixed seed), under the default
 * tolerance and under exact decimals: a whitespace-only rewriting of an output passes; a changed, removed
 * or inserted token anywhere fails; a real number written another way with the same value passes where
 * the expected token is a real. 10,000 cases per property. Generators: ./stdout-arbitraries.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareStdout, DEFAULT_FLOAT_TOLERANCE } from '../../shared/code/judge.ts';
import {
  canonical,
  type Output,
  outputArb,
  respaced,
  rewrittenReal,
  type Token,
  withChangedToken,
} from './stdout-arbitraries.ts';

const SEED = 1_100_012;
const RUNS = 10_000;
const OPTIONS = [{ floatTolerance: DEFAULT_FLOAT_TOLERANCE }, { floatTolerance: 0 }];

const PARAMS = { seed: SEED, numRuns: RUNS };

function expectVerdict(got: string, expected: string, passed: boolean) {
  for (const options of OPTIONS) {
    const judgement = compareStdout(got, expected, options);
    expect(judgement.passed, `floatTolerance ${options.floatTolerance}: ${JSON.stringify(judgement)}`).toBe(
      passed,
    );
  }
}

describe('compareStdout properties', () => {
  it('whitespace-only changes pass (blanks between and around tokens, line ends, blank lines at the ends)', () => {
    const cases = outputArb.chain((out) =>
      fc.tuple(fc.constant(canonical(out)), respaced(out), respaced(out)),
    );
    fc.assert(
      fc.property(cases, ([expected, got, other]) => {
        expectVerdict(got, expected, true);
        // The expected output may carry odd whitespace too.
        expectVerdict(got, other, true);
      }),
      PARAMS,
    );
  });

  it('a token changed, removed or inserted anywhere fails, whatever the whitespace', () => {
    const cases = outputArb.chain((out) =>
      fc
        .tuple(fc.constant(out), withChangedToken(out))
        .chain(([o, change]) =>
          fc.tuple(fc.constant(canonical(o)), fc.constant(change.where), respacedText(change.got)),
        ),
    );
    fc.assert(
      // `_where` names the change in a counterexample.
      fc.property(cases, ([expected, _where, got]) => {
        expectVerdict(got, expected, false);
      }),
      PARAMS,
    );
  });

  it('a real number written another way with the same value passes where the expected token is a real', () => {
    const withReals = outputArb.filter((out) => out.some((line) => line.some((t) => t.kind === 'real')));
    const cases = withReals.chain((out) =>
      fc.tuple(
        fc.constant(canonical(out)),
        fc.tuple(...out.map((line) => fc.tuple(...line.map(rewriteToken)))),
      ),
    );
    fc.assert(
      fc.property(cases, ([expected, lines]) => {
        expectVerdict(`${lines.map((l) => l.join(' ')).join('\n')}\n`, expected, true);
      }),
      PARAMS,
    );
  });
});

const rewriteToken = (t: Token) => (t.kind === 'real' ? rewrittenReal(t.text) : fc.constant(t.text));

/** A changed output's text with its single spaces and newlines re-spaced like respaced() does. */
function respacedText(text: string): fc.Arbitrary<string> {
  const out: Output = text
    .trimEnd()
    .split('\n')
    .map((line) => (line === '' ? [] : line.split(' ').map((t) => ({ text: t, kind: 'word' as const }))));
  // respaced() needs at least one token per line; a line emptied by a removal keeps its (empty) text.
  if (out.some((line) => line.length === 0)) return fc.constant(text);
  return respaced(out);
}
