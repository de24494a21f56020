import { ProblemId } from '../../formats/problem-id.ts';
import { VerlRow } from '../../formats/verl-row.ts';
import { fieldAt } from '../../io/field-at.ts';
import { readBatches, readRows } from '../../io/rows.ts';
import { renderPrompt } from '../benchmarks.ts';
import { LoadError } from '../errors.ts';
import type { RetryPolicy } from './client.ts';
import { openJournal } from './journal.ts';
import { type SampleSummary, sampleAll } from './sampler.ts';
import type { EndpointConfig, Prompt, PromptItem, SamplingParams } from './schema.ts';

export interface RolloutsOptions {
  endpoint: EndpointConfig;
  /** The dataset (JSONL or Parquet; path, s3:// or http(s):// URL). */
  data: string;
  /** The rollouts file, also the resume journal: a local JSONL path. */
  out: string;
  n: number;
  params: SamplingParams;
  /** Dotted path of the problem id in a row (default `extra_info.problem_id`, as curate reads it). */
  idField?: string;
  /** Dotted path of the prompt: chat messages (verl's `prompt`) or text (default `prompt`). */
  promptField?: string;
  /** Applied to text prompts only; `{problem}` is the text. */
  template?: string;
  concurrency?: number;
  retry?: RetryPolicy;
  /** Rows sampled at a time; memory holds one batch of prompts (default 1024). */
  batchRows?: number;
  onProgress?: (done: number) => void;
}

function promptOf(value: unknown, template: string | undefined): Prompt | undefined {
  if (typeof value === 'string') return template ? renderPrompt(template, value) : value;
  const messages = VerlRow.shape.prompt.safeParse(value);
  if (messages.success) return messages.data.map(({ role, content }) => ({ role, content }));
  return undefined;
}

/**
 * `gradus rollouts sample`: `n` samples per dataset row, appended to `out` as rollouts rows
 * `{problem_id, model, sample, response, finish_reason, usage}`. Re-running with the same `out` requests
 * only the samples it does not hold yet. The dataset is streamed, a batch of rows at a time.
 */
export async function sampleRollouts(options: RolloutsOptions): Promise<SampleSummary> {
  const idField = options.idField ?? 'extra_info.problem_id';
  const promptField = options.promptField ?? 'prompt';
  const reader = readRows(options.data);
  const journal = await openJournal(options.out);
  const seen = new Set<string>();
  const summary: SampleSummary = { total: 0, resumed: 0, generated: 0, requests: 0 };
  try {
    for await (const batch of readBatches(reader, options.batchRows ?? 1024)) {
      const items: PromptItem[] = batch.map(({ value, row }) => {
        const raw = fieldAt(value, idField);
        // Parsed as the rollout row's problem_id, so that what sample writes, score reads.
        const parsed = ProblemId.safeParse(raw);
        if (!parsed.success) {
          const what =
            raw === undefined || raw === null ? 'is missing' : 'must be a non-empty string or an integer';
          throw new LoadError(
            `${reader.file} row ${row}: field "${idField}" (the problem id) ${what}; see --id-field`,
          );
        }
        const id = parsed.data;
        if (seen.has(id)) throw new LoadError(`${reader.file} row ${row}: duplicate problem id "${id}"`);
        seen.add(id);
        const prompt = promptOf(fieldAt(value, promptField), options.template);
        if (prompt === undefined) {
          throw new LoadError(
            `${reader.file} row ${row}: field "${promptField}" must be text or chat messages [{role, content}]`,
          );
        }
        return { id, prompt };
      });
      const part = await sampleAll({
        endpoint: options.endpoint,
        items,
        k: options.n,
        params: options.params,
        journal,
        concurrency: options.concurrency,
        retry: options.retry,
        onProgress: (done) => options.onProgress?.(summary.total + done),
      });
      summary.total += part.total;
      summary.resumed += part.resumed;
      summary.generated += part.generated;
      summary.requests += part.requests;
      options.onProgress?.(summary.total);
    }
  } finally {
    journal.close();
  }
  return summary;
}
