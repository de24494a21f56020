import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { VerlScoringRow } from '../../shared/formats/verl-row.ts';
import { firstIssue } from '../../shared/io/issue.ts';
import { type RowRecord, readRows } from '../../shared/io/rows.ts';
import { validationError } from '../../shared/reward/errors.ts';
import { createNodeScorer } from '../../shared/reward/node-scorer.ts';
import { REWARD_ITEM_FIELDS, RewardItem, type RewardResult } from '../../shared/reward/schema.ts';
import { failedResult, type RewardScorer } from '../../shared/reward/score.ts';
import { countItems } from './count-items.ts';
import { count, countedIn, type ProgressBar, progressBar, secondsSince, summaryLine } from './progress.ts';

export interface ScoreFileOptions {
  input: string;
  /** Output JSONL path; stdout when absent. */
  output?: string;
  scorer: RewardScorer;
  /** Items per batch handed to the scorer (default 2048). */
  batchSize?: number;
  progress?: ProgressBar;
}

export interface ScoreFileSummary {
  /** Results written, one per non-blank input row. */
  items: number;
  correct: number;
  /** Results with status "error" (rows that are not RewardItems included). */
  errors: number;
}

/**
 * `gradus score`: scores `input` with a scorer of `concurrency` threads, a bar on a terminal, then one
 * summary line on stderr (stdout may be the results).
 */
export async function scoreFileCommand(opts: {
  in: string;
  out?: string;
  concurrency?: number;
  batchSize: number;
}): Promise<void> {
  const { scorer } = createNodeScorer({ poolSize: opts.concurrency });
  const t0 = performance.now();
  try {
    const summary = await scoreFile({
      input: opts.in,
      output: opts.out,
      scorer,
      batchSize: opts.batchSize,
      progress: progressBar(process.stderr, { total: countItems(opts.in) }),
    });
    const errors = summary.errors > 0 ? `, ${count(summary.errors)} errors` : '';
    summaryLine(
      process.stderr,
      `scored ${countedIn(summary.items, 'items', secondsSince(t0))}: ${count(summary.correct)} correct${errors}; ` +
        `results in ${opts.out ?? 'stdout'}`,
    );
  } finally {
    await scorer.close();
  }
}

/** Batches being scored at once: enough to keep every worker busy while the slowest item of a batch finishes. */
const MAX_IN_FLIGHT = 4;

/**
 * Scores every row of `input` and writes one RewardResult line per row, in input order (blank lines are
 * skipped). A row that is not a valid RewardItem becomes an "error" result naming its line; it never stops
 * the run. Returns how many results were written, correct and errors.
 */
export async function scoreFile(options: ScoreFileOptions): Promise<ScoreFileSummary> {
  const { scorer, progress } = options;
  const batchSize = options.batchSize ?? 2048;
  // A line that is not JSON becomes an error result, like any other row that is not an item.
  const source = readRows(options.input, { invalidJson: 'yield' });
  const label = (row: number) => (source.format === 'parquet' ? `row ${row}` : `line ${row}`);
  const out: Writable = options.output === undefined ? process.stdout : createWriteStream(options.output);
  const inFlight: Promise<ScoredBatch>[] = [];
  const summary: ScoreFileSummary = { items: 0, correct: 0, errors: 0 };

  const writeNext = async () => {
    const batch = await (inFlight.shift() as Promise<ScoredBatch>);
    if (!out.write(`${batch.lines.join('\n')}\n`)) await once(out, 'drain');
    summary.items += batch.lines.length;
    summary.correct += batch.correct;
    summary.errors += batch.errors;
    progress?.update(summary.items);
  };
  const submit = (rows: RowRecord[]) => {
    const batch = scoreRows(rows, label, scorer);
    batch.catch(() => {}); // awaited in order by writeNext; this only avoids an unhandled-rejection warning
    inFlight.push(batch);
  };

  let rows: RowRecord[] = [];
  for await (const row of source.records) {
    rows.push(row);
    if (rows.length < batchSize) continue;
    submit(rows);
    rows = [];
    if (inFlight.length >= MAX_IN_FLIGHT) await writeNext();
  }
  if (rows.length > 0) submit(rows);
  while (inFlight.length > 0) await writeNext();

  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
  progress?.finish(summary.items);
  return summary;
}

interface ScoredBatch {
  lines: string[];
  correct: number;
  errors: number;
}

async function scoreRows(
  rows: RowRecord[],
  label: (row: number) => string,
  scorer: RewardScorer,
): Promise<ScoredBatch> {
  const results: RewardResult[] = new Array(rows.length);
  const items: RewardItem[] = [];
  const positions: number[] = [];
  rows.forEach((row, k) => {
    const parsed = parseRow(row, label(row.row));
    if ('result' in parsed) {
      results[k] = parsed.result;
    } else {
      items.push(parsed.item);
      positions.push(k);
    }
  });
  const scored = await scorer.score(items);
  scored.forEach((result, j) => {
    results[positions[j] as number] = result;
  });
  let correct = 0;
  let errors = 0;
  const lines = results.map((result) => {
    if (result.correct) correct++;
    if (result.status === 'error') errors++;
    return JSON.stringify(result);
  });
  return { lines, correct, errors };
}

function parseRow(row: RowRecord, label: string): { item: RewardItem } | { result: RewardResult } {
  if (row.invalid) return { result: rowError(undefined, `${label}: ${row.invalid.problem}`) };
  const candidate = itemCandidate(row.value);
  if ('problem' in candidate) return { result: rowError(row.value, `${label}: ${candidate.problem}`) };
  const parsed = RewardItem.safeParse(candidate.item);
  if (!parsed.success) {
    return {
      result: rowError(row.value, `${label}: ${validationError(parsed.error, candidate.item).message}`),
    };
  }
  return { item: parsed.data };
}

/**
 * Parquet columns that are null in a row mean "absent", so nulls are dropped at the top level and in
 * `options`. A row with `reward_model` is a verl row (shared/formats/verl-row.ts, as scoring reads it):
 * its gold is `reward_model.ground_truth` unless it has a `ground_truth`, and it keeps only the RewardItem
 * fields (its other columns are the dataset's, as on /v1/verl/rows). Any other row is a RewardItem, whose
 * unknown fields are refused.
 */
function itemCandidate(value: unknown): { item: unknown } | { problem: string } {
  if (!isRecord(value)) return { item: value };
  let item = withoutNulls(value);
  if (isRecord(item.options)) item.options = withoutNulls(item.options);
  if (item.reward_model !== undefined) {
    const verl = VerlScoringRow.safeParse(item);
    if (!verl.success) {
      const issue = firstIssue(verl.error);
      return { problem: `${issue.field ?? '(root)'}: ${issue.message}` };
    }
    const gold = item.ground_truth ?? verl.data.reward_model.ground_truth;
    item = Object.fromEntries(Object.entries(item).filter(([key]) => REWARD_ITEM_FIELDS.includes(key)));
    if (gold != null) item.ground_truth = gold;
  }
  return { item };
}

function rowError(value: unknown, reason: string): RewardResult {
  const id = isRecord(value) ? value.id : undefined;
  const withId = typeof id === 'string' || typeof id === 'number' ? { id } : {};
  return { ...withId, ...failedResult(undefined, 'error', reason) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutNulls(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null));
}
