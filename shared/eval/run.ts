import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RolloutRow } from '../formats/rollout-row.ts';
import type { RewardScorer } from '../reward/score.ts';
import { type Benchmark, findBenchmark, loadProblems, type Problem, renderPrompt } from './benchmarks.ts';
import { LoadError, PlanError } from './errors.ts';
import type { RetryPolicy } from './generate/client.ts';
import { openJournal, readRolloutRows } from './generate/journal.ts';
import { sampleAll } from './generate/sampler.ts';
import type { SamplingParams } from './generate/schema.ts';
import type { SourceOptions } from './load.ts';
import { computeMetrics } from './metrics.ts';
import type { EvalPlan } from './plan.ts';
import { PRESETS, type Preset } from './presets.ts';
import { loadResponses } from './responses.ts';
import type { BenchmarkResult, EvalResults } from './results.ts';
import { scoreSamples, toProblemSamples } from './score.ts';

export type EvalPhase = 'load' | 'generate' | 'score' | 'done';

export interface EvalProgress {
  benchmark: string;
  phase: EvalPhase;
  done: number;
  total: number;
}

export interface EvalContext {
  scorer: RewardScorer;
  /** Local folder for the generation journals (resume state): `<workDir>/samples/<benchmark>.jsonl`. */
  workDir: string;
  /** Folder of benchmark files for benchmarks named without a source. */
  benchmarkDir?: string;
  retry?: RetryPolicy;
  /** How benchmark and responses files may be read (the API server's policy; the CLI gives none). */
  sources?: SourceOptions;
  onProgress?: (progress: EvalProgress) => void;
}

interface ResolvedBenchmark {
  benchmark: Benchmark;
  source: string;
}

/** Checks names and sources up front, so a typo fails before any request is sent. */
export function resolvePlan(
  plan: EvalPlan,
  benchmarkDir?: string,
): { preset: Preset; benchmarks: ResolvedBenchmark[] } {
  const preset = PRESETS[plan.preset];
  if (!preset)
    throw new PlanError(`unknown preset "${plan.preset}"; known: ${Object.keys(PRESETS).join(', ')}`);
  const benchmarks = plan.benchmarks.map((choice) => {
    const benchmark = findBenchmark(choice.name);
    if (!benchmark) throw new PlanError(`unknown benchmark "${choice.name}"; known: ${knownBenchmarks()}`);
    const source = choice.source ?? (benchmarkDir ? join(benchmarkDir, benchmark.fileName) : undefined);
    if (!source)
      throw new PlanError(`benchmark "${choice.name}" needs a file (name=path) or a benchmark folder`);
    return { benchmark, source };
  });
  return { preset, benchmarks };
}

export function knownBenchmarks(): string {
  return [
    'aime24',
    'aime25',
    'amc23',
    'math500',
    'minerva',
    'olympiadbench',
    'livecodebench',
    'humaneval',
    'mbpp',
  ].join(', ');
}

/** Loads, generates (or reads responses), scores and measures every benchmark of the plan, in order. */
export async function runEval(plan: EvalPlan, ctx: EvalContext): Promise<EvalResults> {
  const { preset, benchmarks } = resolvePlan(plan, ctx.benchmarkDir);
  const sampling: SamplingParams = { ...preset.sampling, ...plan.sampling };
  const results: BenchmarkResult[] = [];
  for (const { benchmark, source } of benchmarks) {
    const report = (phase: EvalPhase, done: number, total: number) =>
      ctx.onProgress?.({ benchmark: benchmark.name, phase, done, total });
    report('load', 0, 1);
    let problems = await loadProblems(benchmark, source, ctx.sources);
    if (plan.limit !== undefined) problems = problems.slice(0, plan.limit);
    const k = plan.k ?? preset.k(benchmark);
    const rows = plan.model
      ? await generate(plan, ctx, benchmark, problems, k, sampling, source, report)
      : await readResponses(plan, benchmark, problems, benchmarks.length > 1, source, ctx.sources);
    const kept = rows.filter((r) => plan.responses === undefined || plan.k === undefined || r.sample < k);
    const samples = await scoreSamples(benchmark, problems, kept, ctx.scorer, (d, t) =>
      report('score', d, t),
    );
    const perProblem = toProblemSamples(problems, samples);
    const kUsed = plan.model || plan.k ? k : Math.min(...perProblem.map((p) => p.samples.length));
    results.push({
      benchmark: benchmark.name,
      title: benchmark.title,
      task: benchmark.task,
      source,
      k: kUsed,
      metrics: computeMetrics(perProblem, kUsed, { seed: plan.seed, votable: benchmark.task === 'math' }),
      samples,
    });
    report('done', samples.length, samples.length);
  }
  const model = plan.model?.model ?? 'responses';
  return {
    version: 1,
    label: plan.label ?? model,
    model,
    ...(plan.model ? { endpoint: plan.model.baseUrl, sampling } : {}),
    preset: preset.name,
    created: new Date().toISOString(),
    benchmarks: results,
  };
}

async function generate(
  plan: EvalPlan,
  ctx: EvalContext,
  benchmark: Benchmark,
  problems: Problem[],
  k: number,
  sampling: SamplingParams,
  source: string,
  report: (phase: EvalPhase, done: number, total: number) => void,
): Promise<RolloutRow[]> {
  const endpoint = plan.model as NonNullable<EvalPlan['model']>;
  const template = plan.template ?? benchmark.template;
  const dir = join(ctx.workDir, 'samples');
  await mkdir(dir, { recursive: true });
  await guardSettings(join(dir, `${benchmark.name}.settings.json`), {
    model: endpoint.model,
    baseUrl: endpoint.baseUrl,
    promptMode: endpoint.promptMode ?? 'chat',
    template,
    sampling,
    source,
  });
  const journalPath = join(dir, `${benchmark.name}.jsonl`);
  const journal = await openJournal(journalPath);
  try {
    report('generate', 0, problems.length * k);
    await sampleAll({
      endpoint,
      items: problems.map((p) => ({ id: p.id, prompt: renderPrompt(template, p.text) })),
      k,
      params: sampling,
      journal,
      concurrency: plan.concurrency,
      retry: ctx.retry,
      onProgress: (done, total) => report('generate', done, total),
    });
  } finally {
    journal.close();
  }
  const wanted = new Set(problems.map((p) => p.id));
  const rows: RolloutRow[] = [];
  for await (const row of readRolloutRows(journalPath)) {
    if (row.model === endpoint.model && wanted.has(row.problem_id) && row.sample < k) rows.push(row);
  }
  return rows;
}

/** A journal only resumes the run that made it: other settings would mix samples of two protocols. */
async function guardSettings(path: string, settings: Record<string, unknown>): Promise<void> {
  const text = JSON.stringify(settings, null, 2);
  let previous: string | undefined;
  try {
    previous = await readFile(path, 'utf8');
  } catch {
    previous = undefined;
  }
  if (previous !== undefined && previous !== text) {
    throw new PlanError(
      `${path}: this output folder holds samples generated with other settings (model, prompt, sampling or ` +
        'data); use another output folder, or delete its samples/ folder to start over',
    );
  }
  if (previous === undefined) await writeFile(path, text);
}

async function readResponses(
  plan: EvalPlan,
  benchmark: Benchmark,
  problems: Problem[],
  multiple: boolean,
  source: string,
  sources?: SourceOptions,
): Promise<RolloutRow[]> {
  const rows = await loadResponses(plan.responses as string, benchmark.name, problems, multiple, sources);
  const covered = new Set(rows.map((r) => r.problem_id));
  const missing = problems.filter((p) => !covered.has(p.id));
  if (missing.length > 0) {
    throw new LoadError(
      `${plan.responses}: no responses for ${missing.length} of ${problems.length} ${benchmark.name} problems ` +
        `of ${source} (first: "${missing[0]?.id}"); use --limit or give every problem a response`,
    );
  }
  return rows;
}
