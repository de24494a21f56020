import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { withCachedFiles } from '../../shared/data-fetch/cached.ts';
import { discoverModel } from '../../shared/eval/generate/client.ts';
import { runEvalJob } from '../../shared/eval/job.ts';
import { EvalPlan } from '../../shared/eval/plan.ts';
import { PRESETS } from '../../shared/eval/presets.ts';
import { htmlReport } from '../../shared/eval/report/html.ts';
import { markdownReport, markdownTable } from '../../shared/eval/report/markdown.ts';
import { parseResults } from '../../shared/eval/results.ts';
import { type EvalProgress, knownBenchmarks } from '../../shared/eval/run.ts';
import { runEvalJobFromEnv } from '../../shared/jobs/eval-job.ts';
import { createNodeScorer } from '../../shared/reward/node-scorer.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { addRequestShapeOptions, finiteNumber, intAtLeast, positiveInt } from './args.ts';
import { countedIn, type ProgressBar, progressBar, secondsSince, summaryLine } from './progress.ts';

/** `aime24,math500=path/to/file.jsonl` -> [{name: 'aime24'}, {name: 'math500', source: '...'}]. */
export function parseBenchmarkList(value: string): { name: string; source?: string }[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const eq = entry.indexOf('=');
      return eq < 0 ? { name: entry } : { name: entry.slice(0, eq), source: entry.slice(eq + 1) };
    });
  if (list.length === 0) throw new InvalidArgumentError('name at least one benchmark');
  return list;
}

interface EvalFlags {
  model?: string;
  modelName?: string;
  apiKeyEnv: string;
  benchmarks?: { name: string; source?: string }[];
  dataDir?: string;
  preset: string;
  responses?: string;
  out?: string;
  k?: number;
  limit?: number;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  promptMode: 'chat' | 'completions';
  requestMode: 'n' | 'single';
  template?: string;
  concurrency?: number;
  label?: string;
  scoreConcurrency?: number;
}

/** One bar per benchmark and phase (on a terminal only), and the samples scored, for the summary. */
function phaseBars(stream: NodeJS.WriteStream) {
  let current: { key: string; bar: ProgressBar; done: number } | undefined;
  const scored = new Map<string, number>();
  const onProgress = (p: EvalProgress) => {
    if (p.phase === 'done') scored.set(p.benchmark, p.done);
    if (p.phase === 'load' || p.phase === 'done') return;
    const key = `${p.benchmark} ${p.phase}`;
    if (current?.key !== key) {
      current?.bar.finish(current.done);
      current = { key, bar: progressBar(stream, { label: key, unit: 'samples', total: p.total }), done: 0 };
    }
    current.done = p.done;
    if (p.done >= p.total) current.bar.finish(p.done);
    else current.bar.update(p.done);
  };
  return { onProgress, samples: () => [...scored.values()].reduce((a, b) => a + b, 0) };
}

async function runEvalCommand(flags: EvalFlags): Promise<void> {
  // Checked here rather than by commander, which would also demand them of `eval compare` and `eval job`.
  if (!flags.benchmarks) throw new Error("required option '--benchmarks <list>' not specified");
  if (!flags.out) throw new Error("required option '--out <dir>' not specified");
  if (!flags.model === !flags.responses) {
    throw new Error('give --model <url> to generate responses, or --responses <file> to score existing ones');
  }
  const apiKey = process.env[flags.apiKeyEnv] || undefined;
  const model = flags.model
    ? {
        baseUrl: flags.model,
        model: flags.modelName ?? (await discoverModel(flags.model, apiKey)),
        apiKey,
        promptMode: flags.promptMode,
        requestMode: flags.requestMode,
      }
    : undefined;
  const sampling = Object.fromEntries(
    Object.entries({
      temperature: flags.temperature,
      topP: flags.topP,
      maxTokens: flags.maxTokens,
      seed: flags.seed,
    }).filter(([, v]) => v !== undefined),
  );
  const parsed = EvalPlan.safeParse({
    // Without a benchmark folder, a benchmark named alone is read from the `gradus data fetch` cache.
    benchmarks: flags.dataDir ? flags.benchmarks : withCachedFiles(flags.benchmarks),
    preset: flags.preset,
    model,
    responses: flags.responses,
    k: flags.k,
    limit: flags.limit,
    sampling,
    template: flags.template ? await readFile(flags.template, 'utf8') : undefined,
    concurrency: flags.concurrency,
    label: flags.label,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.') || 'options'}: ${issue?.message}`);
  }
  const { scorer } = createNodeScorer({ poolSize: flags.scoreConcurrency });
  const t0 = performance.now();
  const bars = phaseBars(process.stderr);
  try {
    // The one evaluation job, into the --out folder (prefix ''), which also holds the resume journals.
    const out = new LocalStorage(flags.out);
    const { results, files } = await runEvalJob(out, '', parsed.data, {
      scorer,
      workDir: flags.out,
      benchmarkDir: flags.dataDir,
      onProgress: bars.onProgress,
    });
    const paths = { results: join(flags.out, files.results), html: join(flags.out, files.html) };
    process.stdout.write(`\n${markdownTable([results])}\n`);
    process.stdout.write(`results: ${paths.results}\nreport: ${paths.html}\n`);
    const benchmarks = flags.benchmarks.length;
    summaryLine(
      process.stderr,
      `evaluated ${benchmarks} benchmark${benchmarks === 1 ? '' : 's'}: ` +
        `${countedIn(bars.samples(), 'samples', secondsSince(t0))}; results in ${paths.results}`,
    );
  } finally {
    await scorer.close();
  }
}

async function compareCommand(files: string[], own: { out?: string }, command: Command): Promise<void> {
  // Commander hands `--out` after the subcommand to `eval` itself (the root program parses options
  // everywhere), so compare's folder may arrive as the parent's.
  const opts = { out: own.out ?? (command.parent?.opts() as { out?: string } | undefined)?.out };
  const results = await Promise.all(
    files.map(async (file) => parseResults(JSON.parse(await readFile(file, 'utf8')), file)),
  );
  const labels = new Set<string>();
  for (const [i, r] of results.entries()) {
    // Two runs of one model need distinct names in the table and the chart legend.
    if (labels.has(r.label)) r.label = `${r.label} (${files[i]})`;
    labels.add(r.label);
  }
  process.stdout.write(markdownTable(results));
  if (opts.out) {
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(opts.out, { recursive: true });
    await writeFile(`${opts.out}/compare.md`, markdownReport(results));
    await writeFile(`${opts.out}/compare.html`, htmlReport(results));
    process.stdout.write(`report: ${opts.out}/compare.html\n`);
  }
}

/** Adds `gradus eval` (and `gradus eval compare`, `gradus eval job`) to the program. */
export function addEvalCommand(program: Command): void {
  const evalCommand = addRequestShapeOptions(program.command('eval'))
    .description(
      'evaluate a model on benchmarks: generate with an OpenAI-compatible endpoint (or score --responses), ' +
        'score with our verifiers, write results.json, report.md and report.html',
    )
    .option('--model <url>', 'OpenAI-compatible API root, e.g. http://127.0.0.1:8000/v1')
    .option('--model-name <name>', "the request's model field (default: the first of GET <url>/models)")
    .option('--api-key-env <var>', 'environment variable holding the API key', 'OPENAI_API_KEY')
    .option(
      '--benchmarks <list>',
      `comma-separated, name or name=file (${knownBenchmarks()})`,
      parseBenchmarkList,
    )
    .option(
      '--data-dir <dir>',
      'folder of benchmark files for names given without a file (default: GRADUS_BENCHMARKS)',
      process.env.GRADUS_BENCHMARKS,
    )
    .addOption(
      new Option('--preset <name>', 'sampling protocol').choices(Object.keys(PRESETS)).default('paper'),
    )
    .option('--responses <file>', 'score these pre-generated responses (JSONL/Parquet rollouts rows) instead')
    .option('--out <dir>', 'output folder (also holds the resume journals); required')
    .option('--k <n>', "samples per problem (default: the preset's)", positiveInt)
    .option('--limit <n>', 'only the first n problems of each benchmark', positiveInt)
    .option('--temperature <t>', 'override the preset', finiteNumber)
    .option('--top-p <p>', 'override the preset', finiteNumber)
    .option('--max-tokens <n>', 'override the preset', positiveInt)
    .option('--seed <n>', 'sample j is requested with seed + j', intAtLeast(0))
    .option('--template <file>', 'prompt template file ({problem} is replaced)')
    .option('--concurrency <n>', 'requests in flight', positiveInt)
    .option('--score-concurrency <n>', 'scoring worker threads (default: one per core)', positiveInt)
    .option('--label <name>', 'name of this run in reports')
    .action(runEvalCommand);

  evalCommand
    .command('compare')
    .description('compare results.json files (checkpoints, stages): a table, and compare.md/.html with --out')
    .argument('<results...>', 'results.json files')
    .option('--out <dir>', 'write compare.md and compare.html here')
    .action(compareCommand);

  evalCommand
    .command('job')
    .description(
      'run the eval job GRADUS_EVAL_PREFIX on GRADUS_STORAGE_URL: a stored POST /v1/eval plan (evals/<id>/) ' +
        'or a checkpoint the stage trigger claimed (runs/<run>/stages/<k>/evals/<step>/)',
    )
    .option('--data-dir <dir>', 'folder of benchmark files', process.env.GRADUS_BENCHMARKS)
    .action(async (opts: { dataDir?: string }) => {
      const { scorer } = createNodeScorer();
      try {
        const env = { ...process.env, GRADUS_BENCHMARKS: opts.dataDir };
        const { prefix, state, reason } = await runEvalJobFromEnv(env, scorer);
        process.stdout.write(`eval ${prefix}: ${state}${reason ? ` (${reason})` : ''}\n`);
        if (state !== 'succeeded') process.exitCode = 1;
      } finally {
        await scorer.close();
      }
    });
}
