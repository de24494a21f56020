import { PASS_RATE_COLUMNS, type PassRateRow } from '../formats/pass-rate-row.ts';
import { ScoredRollout } from '../formats/rollout-row.ts';
import type { RowsLocation } from '../io/location.ts';
import { parseRow } from '../io/parse-row.ts';
import { RowError } from '../io/row-error.ts';
import { readBatches, readRows } from '../io/rows.ts';
import { type WrittenFile, writeRows } from '../io/write-rows.ts';
import type { RewardItem, RewardResult } from '../reward/schema.ts';
import type { RewardScorer } from '../reward/score.ts';
import type { OpenStorageOptions } from '../storage/index.ts';
import { type Gold, loadGolds } from './passrates-gold.ts';

export interface Progress {
  update(done: number, fraction?: number): void;
  finish(done: number): void;
}

export interface ScoreRolloutsOptions extends OpenStorageOptions {
  rollouts: RowsLocation;
  dataset: RowsLocation;
  /** The pass-rate table: Parquet for `*.parquet`, JSONL otherwise. */
  output: RowsLocation;
  scorer: RewardScorer;
  /** Dotted path of the problem id in dataset rows (default `extra_info.problem_id`). */
  idField?: string;
  /** Rollouts per scorer call (default 2048). */
  batchSize?: number;
  /** Batches scored at once (default 4), so every worker stays busy while a batch's slowest item finishes. */
  maxInFlight?: number;
  progress?: Progress;
}

export interface ScoreRolloutsSummary {
  rollouts: number;
  problems: number;
  models: number;
  /** Rollouts whose scoring failed (status "error"); counted as incorrect. */
  errors: number;
  output: WrittenFile;
}

/**
 * Scores every rollout against its problem's gold answer and reduces the verdicts to pass rates per
 * (problem, model). Streams the rollouts: memory holds the gold answers, one counter per (problem, model)
 * and the batches in flight. A rollout row that is malformed or names an unknown problem stops the run with
 * an error naming the file, row and field.
 */
export async function scoreRollouts(options: ScoreRolloutsOptions): Promise<ScoreRolloutsSummary> {
  const golds = await loadGolds(options.dataset, options);
  const counts = new PassRateCounter();
  const reader = readRows(options.rollouts, options);
  const maxInFlight = Math.max(1, options.maxInFlight ?? 4);
  const inFlight: Promise<void>[] = [];
  let submitted = 0;
  let scored = 0;
  let errors = 0;

  const submit = (batch: { value: unknown; row: number }[]) => {
    const keys: string[] = [];
    const items: RewardItem[] = batch.map((record) => {
      const rollout = parseRow(ScoredRollout, record.value, { file: reader.file, row: record.row });
      const gold = golds.get(rollout.problem_id);
      if (gold === undefined) {
        throw new RowError(`problem ${JSON.stringify(rollout.problem_id)} is not in the dataset`, {
          file: reader.file,
          row: record.row,
          field: 'problem_id',
        });
      }
      keys.push(counts.key(rollout.problem_id, rollout.model));
      return rewardItem(rollout.response, gold);
    });
    submitted += items.length;
    const done = options.scorer.score(items).then((results: RewardResult[]) => {
      results.forEach((result, k) => {
        counts.add(keys[k] as string, result.correct);
        if (result.status === 'error') errors++;
      });
      scored += results.length;
      options.progress?.update(scored, reader.fraction());
    });
    done.catch(() => {}); // awaited below in order; this only avoids an unhandled-rejection warning
    inFlight.push(done);
  };

  for await (const batch of readBatches(reader, options.batchSize ?? 2048)) {
    submit(batch);
    if (inFlight.length >= maxInFlight) await inFlight.shift();
  }
  while (inFlight.length > 0) await inFlight.shift();
  options.progress?.finish(scored);
  if (scored !== submitted) throw new Error(`scored ${scored} of ${submitted} rollouts`);

  const rows = counts.rows();
  const output = await writeRows(options.output, rows, { ...options, columns: PASS_RATE_COLUMNS });
  return { rollouts: scored, problems: counts.problems(), models: counts.models(), errors, output };
}

function rewardItem(response: string, gold: Gold): RewardItem {
  return {
    response,
    ground_truth: gold.ground_truth,
    ...(gold.task === undefined ? {} : { task: gold.task }),
    ...(gold.data_source === undefined ? {} : { data_source: gold.data_source }),
  };
}

/** Counts per (problem, model): the only state that grows with the input (with the golds). */
export class PassRateCounter {
  private readonly counts = new Map<string, { n: number; correct: number }>();

  key(problem: string, model: string): string {
    return `${problem}\u0000${model}`;
  }

  add(key: string, correct: boolean): void {
    const count = this.counts.get(key);
    if (count) {
      count.n++;
      if (correct) count.correct++;
    } else {
      this.counts.set(key, { n: 1, correct: correct ? 1 : 0 });
    }
  }

  problems(): number {
    return new Set([...this.counts.keys()].map((k) => k.slice(0, k.indexOf('\u0000')))).size;
  }

  models(): number {
    return new Set([...this.counts.keys()].map((k) => k.slice(k.indexOf('\u0000') + 1))).size;
  }

  /** The table, ordered by problem id then model, so the same rollouts always give the same file. */
  rows(): PassRateRow[] {
    return [...this.counts]
      .map(([key, { n, correct }]) => {
        const cut = key.indexOf('\u0000');
        return {
          problem_id: key.slice(0, cut),
          model: key.slice(cut + 1),
          n,
          correct,
          pass_rate: correct / n,
        };
      })
      .sort((a, b) => compare(a.problem_id, b.problem_id) || compare(a.model, b.model));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
