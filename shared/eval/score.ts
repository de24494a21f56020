import type { RolloutRow } from '../formats/rollout-row.ts';
import type { RewardItem } from '../reward/schema.ts';
import type { RewardScorer } from '../reward/score.ts';
import type { Benchmark, Problem } from './benchmarks.ts';
import type { ProblemSamples } from './metrics.ts';
import type { EvalSample } from './results.ts';

/** Items per call of the scorer: big enough to keep every worker busy, small enough to report progress. */
export const SCORE_BATCH = 2048;

/**
 * Scores every sample against its problem's gold with our reward scorer, in batches, and returns the
 * samples with their verdicts in problem order, then sample order.
 */
export async function scoreSamples(
  benchmark: Benchmark,
  problems: readonly Problem[],
  rows: readonly RolloutRow[],
  scorer: RewardScorer,
  onProgress?: (done: number, total: number) => void,
): Promise<EvalSample[]> {
  const order = new Map(problems.map((p, i) => [p.id, i]));
  const sorted = [...rows].sort(
    (a, b) =>
      (order.get(a.problem_id) as number) - (order.get(b.problem_id) as number) || a.sample - b.sample,
  );
  const byId = new Map(problems.map((p) => [p.id, p]));
  const out: EvalSample[] = [];
  for (let start = 0; start < sorted.length; start += SCORE_BATCH) {
    const chunk = sorted.slice(start, start + SCORE_BATCH);
    const items: RewardItem[] = chunk.map((row) => ({
      task: benchmark.task,
      data_source: benchmark.dataSource,
      response: row.response,
      ground_truth: (byId.get(row.problem_id) as Problem).groundTruth,
    }));
    const results = await scorer.score(items);
    for (const [i, row] of chunk.entries()) {
      const result = results[i];
      if (!result) throw new Error(`the scorer returned ${results.length} results for ${items.length} items`);
      out.push({
        problem_id: row.problem_id,
        sample: row.sample,
        response: row.response,
        finish_reason: row.finish_reason,
        usage: row.usage,
        score: result.score,
        correct: result.correct,
        status: result.status,
        extracted: result.extracted,
        ...(result.reason ? { reason: result.reason } : {}),
      });
    }
    onProgress?.(out.length, sorted.length);
  }
  return out;
}

/** Groups scored samples by problem, in the shape the metrics take. */
export function toProblemSamples(
  problems: readonly Problem[],
  samples: readonly EvalSample[],
): ProblemSamples[] {
  const byId = new Map<string, ProblemSamples>(
    problems.map((p) => [p.id, { id: p.id, subject: p.subject, level: p.level, samples: [] }]),
  );
  for (const s of samples) {
    byId.get(s.problem_id)?.samples.push({
      sample: s.sample,
      correct: s.correct,
      extracted: s.extracted,
      finishReason: s.finish_reason,
      responseChars: s.response.length,
      ...(typeof s.usage?.completion_tokens === 'number'
        ? { completionTokens: s.usage.completion_tokens }
        : {}),
    });
  }
  return [...byId.values()];
}
