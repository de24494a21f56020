import { type CodeRunner, scoreCode } from '../../code/score.ts';
import { codeOptionsOf } from '../options.ts';
import type { RewardItem, RewardResult } from '../schema.ts';

/** Scores code items on the host thread: the sandboxes run programs on their own threads. */
export type HostScorer = (item: RewardItem) => Promise<RewardResult>;

/** Code items through `scoreCode` with the given runner. A full sandbox queue rejects (QueueFullError). */
export function createCodeScorer(runner: CodeRunner): HostScorer {
  return async (item) => {
    const t0 = performance.now();
    const verdict = await scoreCode(
      {
        response: item.response,
        ground_truth: item.ground_truth,
        language: item.language,
        options: codeOptionsOf(item),
      },
      runner,
    );
    const result: RewardResult = {
      ...(item.id === undefined ? {} : { id: item.id }),
      task: 'code',
      score: verdict.score,
      correct: verdict.correct,
      status: verdict.status,
      extracted: verdict.extracted,
      tests: verdict.tests,
      ms: performance.now() - t0,
    };
    if (verdict.reason !== undefined) result.reason = verdict.reason;
    return result;
  };
}
