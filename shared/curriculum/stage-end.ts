import { z } from 'zod';

/**
 * When a stage may end before `total_steps`, and which checkpoint it then hands to the next stage. Part of
 * a stage's settings (see shared/formats/stage-manifest.ts); the rule itself is applied by shared/jobs/plateau.ts.
 */

/**
 * `<benchmark>/<metric>` of a checkpoint evaluation: the benchmark's name as in `eval.benchmarks`, then
 * `avg`, `pass@<n>`, `maj@k` or another number of the benchmark's metrics (e.g. `truncationRate`).
 */
export const MetricKey = z
  .string()
  .regex(
    /^[^/,=\s]+\/(?:pass@[1-9][0-9]{0,5}|maj@k|[A-Za-z][A-Za-z0-9]{0,63})$/,
    'expected <benchmark>/<metric>, e.g. "aime24/pass@1", "aime24/avg" or "math500/maj@k"',
  );

export const PlateauRule = z
  .object({
    metric: MetricKey,
    /** Smallest change over the best so far that counts as an improvement. */
    min_delta: z.number().min(0).max(1e9).default(0),
    /** Stop after this many evaluations in a row without an improvement. */
    patience: z.number().int().min(1).max(10_000),
    /** `max`: higher is better (accuracy); `min`: lower is better (e.g. truncationRate). */
    mode: z.enum(['max', 'min']).default('max'),
  })
  .strict();
export type PlateauRule = z.infer<typeof PlateauRule>;

/** `until: {plateau: {...}}`; `until: {}` turns off a rule set in `defaults`. */
export const StageUntil = z.object({ plateau: PlateauRule.optional() }).strict();
export type StageUntil = z.infer<typeof StageUntil>;

/** Which checkpoint a stage that the plateau rule ended hands on: its best evaluated one or its newest. */
export const HandOff = z.enum(['best', 'last']);
export type HandOff = z.infer<typeof HandOff>;

/** The benchmark a metric key reads. */
export function metricBenchmark(metric: string): string {
  return metric.slice(0, metric.indexOf('/'));
}

export interface EndIssue {
  /** Path inside the stage's settings. */
  path: string[];
  message: string;
}

/**
 * What a stage's end settings need from the rest of the run: a plateau rule reads checkpoint
 * evaluations, so the run must evaluate on checkpoint and list the metric's benchmark; `checkpoint: best`
 * only means something with a plateau rule.
 */
export function stageEndIssues(
  settings: { until?: StageUntil; checkpoint?: HandOff },
  evalBlock: { on_checkpoint?: unknown; benchmarks?: unknown } | undefined,
): EndIssue[] {
  const issues: EndIssue[] = [];
  const plateau = settings.until?.plateau;
  if (plateau === undefined) {
    if (settings.checkpoint === 'best') {
      issues.push({
        path: ['checkpoint'],
        message: '`checkpoint: best` needs `until.plateau` (the evaluations it picks the best from)',
      });
    }
    return issues;
  }
  if (evalBlock?.on_checkpoint !== true) {
    issues.push({
      path: ['until', 'plateau'],
      message:
        'a plateau rule reads checkpoint evaluations: set `eval: {on_checkpoint: true, benchmarks: [...]}`',
    });
    return issues;
  }
  const names = Array.isArray(evalBlock.benchmarks)
    ? evalBlock.benchmarks.filter((b): b is string => typeof b === 'string').map(benchmarkName)
    : [];
  const benchmark = metricBenchmark(plateau.metric);
  if (!names.includes(benchmark)) {
    issues.push({
      path: ['until', 'plateau', 'metric'],
      message: `benchmark "${benchmark}" is not evaluated; eval.benchmarks are ${names.map((n) => `"${n}"`).join(', ')}`,
    });
  }
  return issues;
}

/** `name` of an `eval.benchmarks` entry `name` or `name=source`. */
function benchmarkName(entry: string): string {
  const eq = entry.indexOf('=');
  return (eq < 0 ? entry : entry.slice(0, eq)).trim();
}
