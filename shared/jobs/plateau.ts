import type { HandOff, PlateauRule } from '../curriculum/stage-end.ts';

/**
 * The plateau rule, as a pure function of a stage's checkpoint evaluations: stop once the chosen metric
 * has not improved on its best so far by at least `min_delta` for `patience` evaluations in a row.
 */

/** One complete checkpoint of the stage and where its evaluation stands. */
export type Evaluation =
  | { step: number; state: 'pending' }
  | { step: number; state: 'failed'; reason: string }
  /** `value` undefined: the evaluation has no such metric. */
  | { step: number; state: 'scored'; value: number | undefined };

export interface Scored {
  step: number;
  value: number;
}

export type PlateauDecision =
  | {
      action: 'continue';
      /** The steps whose evaluations the rule has read, in order (up to the first one not done yet). */
      evaluated: number[];
      best?: Scored;
      /** Evaluations since the best one. */
      sinceBest: number;
    }
  | {
      action: 'stop';
      evaluated: number[];
      best: Scored;
      /** The newest checkpoint of the history (what `checkpoint: last` hands on). */
      last: number;
      /** The checkpoint the stage hands on. */
      handOff: number;
      reason: string;
    }
  /** The rule cannot be applied honestly: an evaluation failed or lacks the metric. */
  | { action: 'error'; step: number; reason: string };

/**
 * True when `value` beats `best` by at least `minDelta` in the rule's direction; equal values never do.
 * The slack absorbs decimal steps that binary floating point cannot hold (0.105 - 0.1 < 0.005).
 */
export function improves(
  value: number,
  best: number,
  rule: Pick<PlateauRule, 'min_delta' | 'mode'>,
): boolean {
  const gain = rule.mode === 'max' ? value - best : best - value;
  const slack = 1e-9 * Math.max(1, Math.abs(value), Math.abs(best));
  return gain > 0 && gain >= rule.min_delta - slack;
}

const show = (v: number) => String(Number(v.toPrecision(6)));

/**
 * Reads the evaluations in step order, up to the first that is not done yet (so the decision does not
 * depend on which evaluation finishes first). A failed evaluation, a missing metric or one that is not a
 * finite number is an error, never an improvement.
 */
export function plateauDecision(
  history: readonly Evaluation[],
  rule: PlateauRule,
  handOff: HandOff = 'last',
): PlateauDecision {
  const sorted = [...history].sort((a, b) => a.step - b.step);
  const evaluated: number[] = [];
  let best: Scored | undefined;
  let sinceBest = 0;
  for (const [i, e] of sorted.entries()) {
    if (i > 0 && sorted[i - 1]?.step === e.step) {
      return { action: 'error', step: e.step, reason: `step ${e.step} appears twice in the evaluations` };
    }
    if (e.state === 'pending') break;
    if (e.state === 'failed') {
      return {
        action: 'error',
        step: e.step,
        reason: `the evaluation of step ${e.step} failed: ${e.reason}`,
      };
    }
    if (e.value === undefined || !Number.isFinite(e.value)) {
      const what = e.value === undefined ? 'has no' : `has ${e.value} for`;
      return {
        action: 'error',
        step: e.step,
        reason: `the evaluation of step ${e.step} ${what} ${rule.metric}`,
      };
    }
    evaluated.push(e.step);
    if (best === undefined || improves(e.value, best.value, rule)) {
      best = { step: e.step, value: e.value };
      sinceBest = 0;
      continue;
    }
    sinceBest++;
    if (sinceBest >= rule.patience) {
      const last = sorted.at(-1)?.step ?? e.step;
      const window = evaluated.slice(-rule.patience).join(', ');
      const by = rule.min_delta > 0 ? ` by ${rule.min_delta} or more` : '';
      return {
        action: 'stop',
        evaluated,
        best,
        last,
        handOff: handOff === 'best' ? best.step : last,
        reason:
          `plateau: ${rule.metric} did not improve${by} on its best (${show(best.value)} at step ${best.step}) ` +
          `in the last ${rule.patience} evaluation(s) (step ${window}); handing on step ` +
          `${handOff === 'best' ? best.step : last} (${handOff})`,
      };
    }
  }
  return best === undefined
    ? { action: 'continue', evaluated, sinceBest }
    : { action: 'continue', evaluated, best, sinceBest };
}

/**
 * The value of `<benchmark>/<metric>` in an evaluation's summary (checkpoint-eval.ts `summary`), or
 * undefined when the benchmark or the metric is not there. Not-a-number values come back as they are.
 */
export function metricValue(
  summary: readonly { benchmark: string; metrics: Record<string, unknown> }[],
  metric: string,
): number | undefined {
  const slash = metric.indexOf('/');
  const benchmark = metric.slice(0, slash);
  const name = metric.slice(slash + 1);
  const metrics = summary.find((b) => b.benchmark === benchmark)?.metrics;
  if (metrics === undefined) return undefined;
  let value: unknown;
  if (name.startsWith('pass@')) {
    const passAt = metrics.passAt;
    value =
      typeof passAt === 'object' && passAt !== null
        ? (passAt as Record<string, unknown>)[name.slice(5)]
        : undefined;
  } else {
    value = metrics[name === 'maj@k' ? 'majAtK' : name];
  }
  return typeof value === 'number' ? value : undefined;
}
