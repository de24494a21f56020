import type { Command } from 'commander';
import { scoreRollouts } from '../../shared/curriculum/passrates.ts';
import { DEFAULT_ID_FIELD } from '../../shared/curriculum/passrates-gold.ts';
import { createNodeScorer } from '../../shared/reward/node-scorer.ts';
import { positiveInt } from './args.ts';
import { countItems } from './count-items.ts';
import { count, duration, progressBar, rate, secondsSince, summaryLine } from './progress.ts';
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
      const t0 = performance.now();
      try {
        const summary = await scoreRollouts({
          rollouts: opts.rollouts,
          dataset: opts.data,
          output: opts.out,
          idField: opts.idField,
          scorer,
          batchSize: opts.batchSize,
          progress: progressBar(process.stderr, { unit: 'rollouts', total: countItems(opts.rollouts) }),
        });
        const seconds = secondsSince(t0);
        const errors =
          summary.errors > 0 ? `, ${count(summary.errors)} could not be scored (counted as wrong)` : '';
        summaryLine(
          process.stderr,
          `scored ${count(summary.rollouts)} rollouts of ${count(summary.problems)} problems by ${summary.models} ` +
            `models in ${duration(seconds)} (${rate(summary.rollouts, seconds)})${errors}; ` +
            `wrote ${count(summary.output.rows)} pass rates to ${opts.out}`,
        );
      } finally {
        await scorer.close();
      }
    });
}
