import type { EvalResults } from '../results.ts';

/** One breakdown table of a report: a benchmark's avg@k by subject or by level, for one evaluated model. */
export interface Breakdown {
  benchmark: string;
  title: string;
  /** The model's label, when the report compares several. */
  label: string | undefined;
  by: 'subject' | 'level';
  rows: { key: string; problems: number; avg: number }[];
}

/** Every breakdown the results carry (MATH-500 has both), in report order: model, benchmark, subject then level. */
export function breakdowns(results: readonly EvalResults[]): Breakdown[] {
  const out: Breakdown[] = [];
  for (const r of results) {
    for (const b of r.benchmarks) {
      for (const [by, groups] of [
        ['subject', b.metrics.bySubject],
        ['level', b.metrics.byLevel],
      ] as const) {
        if (!groups) continue;
        out.push({
          benchmark: b.benchmark,
          title: b.title,
          label: results.length > 1 ? r.label : undefined,
          by,
          rows: Object.entries(groups).map(([key, g]) => ({ key, problems: g.problems, avg: g.avg })),
        });
      }
    }
  }
  return out;
}
