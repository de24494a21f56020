import { ResponseRow, type RolloutRow } from '../formats/rollout-row.ts';
import type { Problem } from './benchmarks.ts';
import { LoadError, loadRows, type SourceOptions } from './load.ts';

/**
 * Reads the responses of one benchmark from a file of responses (JSONL or Parquet). Rows naming another
 * benchmark are skipped; when the file holds several benchmarks every row must say which it is for.
 */
export async function loadResponses(
  source: string,
  benchmark: string,
  problems: readonly Problem[],
  multipleBenchmarks: boolean,
  options: SourceOptions = {},
): Promise<RolloutRow[]> {
  const known = new Set(problems.map((p) => p.id));
  const nextSample = new Map<string, number>();
  const seen = new Set<string>();
  const out: RolloutRow[] = [];
  for (const [i, raw] of (await loadRows(source, options)).entries()) {
    const parsed = ResponseRow.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new LoadError(`${source} row ${i + 1}: field "${issue?.path.join('.')}": ${issue?.message}`);
    }
    const row = parsed.data;
    if (row.benchmark === undefined && multipleBenchmarks) {
      throw new LoadError(
        `${source} row ${i + 1}: field "benchmark" is needed when several benchmarks are scored`,
      );
    }
    if (row.benchmark !== undefined && row.benchmark !== benchmark) continue;
    if (!known.has(row.problem_id)) {
      throw new LoadError(
        `${source} row ${i + 1}: problem_id "${row.problem_id}" is not a ${benchmark} problem`,
      );
    }
    const sample = row.sample ?? nextSample.get(row.problem_id) ?? 0;
    nextSample.set(row.problem_id, sample + 1);
    const key = `${row.problem_id}\u0000${sample}`;
    if (seen.has(key)) {
      throw new LoadError(
        `${source} row ${i + 1}: sample ${sample} of problem "${row.problem_id}" appears twice`,
      );
    }
    seen.add(key);
    out.push({
      problem_id: row.problem_id,
      model: row.model ?? 'responses',
      sample,
      response: row.response,
      finish_reason: row.finish_reason ?? null,
      usage: row.usage ?? null,
    });
  }
  return out;
}
