import type { Command } from 'commander';
import { discoverModel } from '../../shared/eval/generate/client.ts';
import { sampleRollouts } from '../../shared/eval/generate/rollouts.ts';
import { PRESETS } from '../../shared/eval/presets.ts';
import { addRequestShapeOptions, finiteNumber, intAtLeast, positiveInt } from './args.ts';
import { countItems } from './count-items.ts';
import { countedIn, progressBar, secondsSince, summaryLine } from './progress.ts';

interface SampleFlags {
  model: string;
  modelName?: string;
  apiKeyEnv: string;
  data: string;
  out: string;
  n: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  seed?: number;
  idField: string;
  promptField: string;
  template?: string;
  promptMode: 'chat' | 'completions';
  requestMode: 'n' | 'single';
  concurrency: number;
}

/** Adds `sample` to the `gradus rollouts` command group. */
export function addRolloutsSample(rollouts: Command): void {
  const paper = PRESETS.paper?.sampling;
  addRequestShapeOptions(rollouts.command('sample'))
    .description(
      'generate rollouts {problem_id, model, sample, response, finish_reason, usage} from an OpenAI-compatible ' +
        'endpoint; re-running with the same --out resumes without generating any sample twice',
    )
    .requiredOption('--model <url>', 'OpenAI-compatible API root, e.g. http://127.0.0.1:8000/v1')
    .option('--model-name <name>', "the request's model field (default: the first of GET <url>/models)")
    .option('--api-key-env <var>', 'environment variable holding the API key', 'OPENAI_API_KEY')
    .requiredOption('--data <file>', 'dataset: JSONL or Parquet (verl rows), path, s3:// or http(s):// URL')
    .requiredOption('--out <file>', 'rollouts JSONL (local; also the resume journal)')
    .option('--n <n>', 'samples per problem', positiveInt, 8)
    .option('--temperature <t>', 'sampling temperature', finiteNumber, paper?.temperature)
    .option('--top-p <p>', 'nucleus sampling', finiteNumber, paper?.topP)
    .option('--max-tokens <n>', 'longest response in tokens', positiveInt, paper?.maxTokens)
    .option('--seed <n>', 'sample j is requested with seed + j', intAtLeast(0))
    .option('--id-field <path>', 'dotted path of the problem id', 'extra_info.problem_id')
    .option('--prompt-field <path>', 'dotted path of the prompt (chat messages or text)', 'prompt')
    .option('--template <text>', 'for text prompts: a template with {problem}')
    .option('--concurrency <n>', 'requests in flight', positiveInt, 16)
    .action(async (flags: SampleFlags) => {
      const apiKey = process.env[flags.apiKeyEnv] || undefined;
      const rows = countItems(flags.data);
      const total = rows.then((n) => (n === undefined ? undefined : n * flags.n));
      const bar = progressBar(process.stderr, { unit: 'samples', total });
      const t0 = performance.now();
      const summary = await sampleRollouts({
        endpoint: {
          baseUrl: flags.model,
          model: flags.modelName ?? (await discoverModel(flags.model, apiKey)),
          apiKey,
          promptMode: flags.promptMode,
          requestMode: flags.requestMode,
        },
        data: flags.data,
        out: flags.out,
        n: flags.n,
        params: {
          temperature: flags.temperature,
          topP: flags.topP,
          maxTokens: flags.maxTokens,
          seed: flags.seed,
        },
        idField: flags.idField,
        promptField: flags.promptField,
        template: flags.template,
        concurrency: flags.concurrency,
        onProgress: (done) => bar.update(done),
      });
      bar.finish(summary.total);
      summaryLine(
        process.stderr,
        `sampled ${countedIn(summary.total, 'samples', secondsSince(t0))}: ${summary.generated} generated now, ` +
          `${summary.resumed} already there; rollouts in ${flags.out}`,
      );
    });
}
