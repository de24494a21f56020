import type { Command } from 'commander';
import { type Progress, scoreRollouts } from '../../shared/curriculum/passrates.ts';
import { DEFAULT_ID_FIELD } from '../../shared/curriculum/passrates-gold.ts';
import { createNodeScorer } from '../../shared/reward/node-scorer.ts';
import { positiveInt } from './args.ts';
import { progressBar } from './progress.ts';
import { addRolloutsSample } from './rollouts-sample.ts';

/**
 * `gradus rollouts ...`: the commands that make and measure rollouts. Each subcommand is added by one
 * line below, with its code in its own function or module.
 */
export function registerRollouts(program: Command): Command {
  const rollouts = program.command('rollouts').description('score sampled rollouts into pass rates');
  addScoreCommand(rollouts);
  addRolloutsSample(rollouts);
  return rollouts;
}

interface ScoreOptions {
  rollouts: string;
  data: string;
  out: string;
  idField: string;
  concurrency?: number;
  batchSize: number;
}

function addScoreCommand(rollouts: Command): void {
  rollouts
    .command('score')
    .description(
      'score rollouts ({problem_id, model, response} rows) against the dataset gold answers and write a ' +
        'pass-rate table ({problem_id, model, n, correct, pass_rate}); JSONL or Parquet by extension, ' +
        'local paths or s3:// URLs',
    )
    .requiredOption('--rollouts <file>', 'rollouts: JSONL or .parquet, a path or an s3:// / http(s):// URL')
    .requiredOption(
      '--data <file>',
      "the dataset (verl rows) holding each problem's reward_model.ground_truth",
    )
    .requiredOption(
      '--out <file>',
      'the pass-rate table to write (.parquet or .jsonl; a path or an s3:// URL)',
    )
    .option('--id-field <path>', 'dotted path of the problem id in dataset rows', DEFAULT_ID_FIELD)
    .option('--concurrency <n>', 'math worker threads (default: one per core)', positiveInt)
    .option('--batch-size <n>', 'rollouts per scoring batch', positiveInt, 2048)
    .action(async (opts: ScoreOptions) => {
      const { scorer } = createNodeScorer({ poolSize: opts.concurrency });
      try {
        const summary = await scoreRollouts({
          rollouts: opts.rollouts,
          dataset: opts.data,
          output: opts.out,
          idField: opts.idField,
          scorer,
          batchSize: opts.batchSize,
          progress: progressFor(process.stderr),
        });
        const errors =
          summary.errors > 0
            ? `, ${summary.errors.toLocaleString('en')} could not be scored (counted as wrong)`
            : '';
        process.stderr.write(
          `scored ${summary.rollouts.toLocaleString('en')} rollouts of ${summary.problems.toLocaleString('en')} problems ` +
            `by ${summary.models} models${errors}; wrote ${summary.output.rows.toLocaleString('en')} pass rates to ${opts.out}\n`,
        );
      } finally {
        await scorer.close();
      }
    });
}

const PLAIN_LINE_EVERY_MS = 10_000;

/** A bar on a terminal; elsewhere (CI logs, files) a plain line every 10 seconds and one at the end. */
function progressFor(stream: NodeJS.WriteStream): Progress {
  if (stream.isTTY) return progressBar(stream);
  const t0 = performance.now();
  let last = t0;
  const line = (done: number, fraction: number | undefined) => {
    const seconds = (performance.now() - t0) / 1000;
    const share = fraction === undefined ? '' : ` (${Math.floor(fraction * 100)}% of the input)`;
    const rate = seconds > 0 ? Math.round(done / seconds).toLocaleString('en') : '0';
    stream.write(`rollouts score: ${done.toLocaleString('en')} scored${share}, ${rate}/s\n`);
  };
  return {
    update(done, fraction) {
      const now = performance.now();
      if (now - last < PLAIN_LINE_EVERY_MS) return;
      last = now;
      line(done, fraction);
    },
    finish(done) {
      line(done, 1);
    },
  };
}
