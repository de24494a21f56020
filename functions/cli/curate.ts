import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { curate, MANIFEST_KEY, REPORT_KEY } from '../../shared/curriculum/curate.ts';
import { loadSpec } from '../../shared/curriculum/load-spec.ts';
import { formatSummary } from '../../shared/curriculum/summary.ts';
import type { RowsLocation } from '../../shared/io/location.ts';
import { openStorage } from '../../shared/storage/index.ts';
import { countItems } from './count-items.ts';
import { count, countedIn, progressBar, secondsSince, summaryLine } from './progress.ts';
import { curateRunFolder } from './run-location.ts';

interface CurateFlags {
  spec: string;
  data: string;
  passrates: string;
  out: string;
  seed?: number;
  force?: boolean;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

/** A labelled bar per step, on a terminal only; a step reading a local file counts its records first. */
function stepProgress(stream: NodeJS.WriteStream) {
  return {
    step(name: string, size: { total?: number; input?: RowsLocation } = {}) {
      const total = typeof size.input === 'string' ? countItems(size.input) : size.total;
      return progressBar(stream, { label: name, unit: 'rows', total });
    },
  };
}

/** `gradus curate`: spec + dataset + pass rates -> per-stage Parquet files, report.html, manifest.json. */
export function registerCurate(program: Command): void {
  program
    .command('curate')
    .description(
      'sort problems into difficulty levels by pass rate and write per-stage datasets and a stage manifest',
    )
    .requiredOption(
      '--spec <file|preset>',
      'curriculum spec (YAML or JSON), or a preset name: paper, paper-mixed',
    )
    .requiredOption('--data <file>', 'dataset in verl row schema: .jsonl or .parquet, a path or s3:// URL')
    .requiredOption(
      '--passrates <file>',
      'pass-rate table {problem_id, model, n, correct, pass_rate}: .jsonl or .parquet',
    )
    .requiredOption(
      '--out <root/runs/run-id>',
      'the run folder (a path or s3:// URL) for stage files, report.html and manifest.json; ' +
        '`gradus stage run` takes it as it is',
    )
    .option('--seed <n>', "override the spec's seed", integer)
    .option('--force', 'replace an existing manifest.json under --out')
    .action(async (flags: CurateFlags) => {
      curateRunFolder(flags.out);
      const { spec, source } = await loadSpec(flags.spec);
      if (flags.seed !== undefined) spec.seed = flags.seed;
      const out = openStorage(flags.out);
      const t0 = performance.now();
      const result = await curate({
        spec,
        specSource: source,
        data: flags.data,
        passRates: flags.passrates,
        out,
        overwrite: flags.force === true,
        progress: stepProgress(process.stderr),
      });
      process.stdout.write(`${formatSummary(result.summary)}\n\n`);
      for (const stage of result.manifest.stages) {
        const file = stage.data[0];
        if (file)
          process.stdout.write(
            `stage ${stage.index}: ${out.url}/${file.path} (${file.rows} rows, sha256 ${file.sha256})\n`,
          );
      }
      process.stdout.write(`report:   ${out.url}/${REPORT_KEY}\nmanifest: ${out.url}/${MANIFEST_KEY}\n`);
      const { problems } = result.summary;
      const rows = result.manifest.stages.reduce((n, s) => n + (s.data[0]?.rows ?? 0), 0);
      summaryLine(
        process.stderr,
        `curated ${countedIn(problems, 'problems', secondsSince(t0))} into ${result.manifest.stages.length} ` +
          `stages (${count(rows)} rows); run in ${out.url}: gradus stage run ${flags.out}`,
      );
    });
}
