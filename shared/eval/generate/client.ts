import type { Usage } from '../../formats/rollout-row.ts';
import type { EndpointConfig, Prompt, PromptMode, SamplingParams } from './schema.ts';

/** One returned choice. */
export interface Completion {
  text: string;
  finishReason: string | null;
}

export interface CompletionBatch {
  choices: Completion[];
  /** The request's usage; per sample only when one choice was asked for. */
  usage: Usage | null;
}

export interface RetryPolicy {
  /** Attempts per request, the first included (default 6). */
  attempts: number;
  /** First backoff; doubled each retry, with jitter (default 500 ms). */
  baseDelayMs: number;
  /** Longest single wait (default 30 s). */
  maxDelayMs: number;
  /** Per-attempt time limit (default 30 min: long reasoning traces take a while). */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  timeoutMs: 30 * 60_000,
};

/** A request that failed for good: a 4xx other than 429, or the last retry. */
export class EndpointError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'EndpointError';
    this.status = status;
  }
}

interface ResolvedEndpoint {
  baseUrl: string;
  model: string;
  apiKey?: string;
  promptMode: PromptMode;
}

/** Asks the endpoint for `n` samples of one prompt, retrying 429, 5xx and network errors with backoff. */
export async function requestCompletions(
  endpoint: EndpointConfig,
  prompt: Prompt,
  n: number,
  params: SamplingParams,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<CompletionBatch> {
  const resolved: ResolvedEndpoint = {
    baseUrl: endpoint.baseUrl.replace(/\/+$/, ''),
    model: endpoint.model,
    apiKey: endpoint.apiKey,
    promptMode: endpoint.promptMode ?? 'chat',
  };
  const path = resolved.promptMode === 'chat' ? '/chat/completions' : '/completions';
  const body = JSON.stringify(requestBody(resolved, prompt, n, params));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (resolved.apiKey) headers.authorization = `Bearer ${resolved.apiKey}`;

  let lastError = '';
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    let waitMs = backoff(retry, attempt);
    try {
      const res = await fetch(resolved.baseUrl + path, {
        method: 'POST',
        headers,
        body,
        // A redirect would carry the prompts to a host the caller (or the server's allow-list) never named.
        redirect: 'manual',
        signal: AbortSignal.timeout(retry.timeoutMs),
      });
      const text = await res.text();
      if (res.ok) return parseBatch(text, resolved.promptMode, n);
      lastError = `HTTP ${res.status}: ${text.slice(0, 300)}`;
      if (res.status !== 429 && res.status < 500) {
        throw new EndpointError(`${resolved.baseUrl + path} answered ${lastError}`, res.status);
      }
      const after = Number(res.headers.get('retry-after'));
      if (Number.isFinite(after) && after > 0) waitMs = Math.min(retry.maxDelayMs, after * 1000);
    } catch (err) {
      if (err instanceof EndpointError) throw err;
      lastError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    if (attempt < retry.attempts) await sleep(waitMs);
  }
  throw new EndpointError(`${resolved.baseUrl + path} failed after ${retry.attempts} attempts: ${lastError}`);
}

function requestBody(endpoint: ResolvedEndpoint, prompt: Prompt, n: number, params: SamplingParams) {
  if (endpoint.promptMode === 'completions' && typeof prompt !== 'string') {
    throw new EndpointError('completions mode needs a text prompt; chat messages need --prompt-mode chat');
  }
  const messages = typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt;
  return {
    model: endpoint.model,
    ...(endpoint.promptMode === 'chat' ? { messages } : { prompt }),
    n,
    temperature: params.temperature,
    top_p: params.topP,
    max_tokens: params.maxTokens,
    ...(params.seed === undefined ? {} : { seed: params.seed }),
    ...(params.stop?.length ? { stop: params.stop } : {}),
  };
}

function parseBatch(text: string, mode: PromptMode, n: number): CompletionBatch {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EndpointError(`the endpoint answered 200 with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  const choices = (json as { choices?: unknown }).choices;
  if (!Array.isArray(choices) || choices.length !== n) {
    throw new EndpointError(
      `expected ${n} choice(s) in the answer, got ${Array.isArray(choices) ? choices.length : 'none'}`,
    );
  }
  const sorted = [...choices].sort((a, b) => (a?.index ?? 0) - (b?.index ?? 0));
  const out = sorted.map((choice, i): Completion => {
    const content = mode === 'chat' ? choice?.message?.content : choice?.text;
    if (typeof content !== 'string') {
      throw new EndpointError(`choice ${i} has no ${mode === 'chat' ? 'message.content' : 'text'} string`);
    }
    return {
      text: content,
      finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
    };
  });
  return { choices: out, usage: readUsage((json as { usage?: unknown }).usage, n) };
}

function readUsage(raw: unknown, n: number): Usage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { prompt_tokens, completion_tokens } = raw as Record<string, unknown>;
  const usage: Usage = {};
  if (typeof prompt_tokens === 'number') usage.prompt_tokens = prompt_tokens;
  // With several choices the endpoint reports their total only; a per-sample count would be a guess.
  if (n === 1 && typeof completion_tokens === 'number') usage.completion_tokens = completion_tokens;
  return usage;
}

function backoff(retry: RetryPolicy, attempt: number): number {
  const exp = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return exp / 2 + Math.random() * (exp / 2);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first model an endpoint serves (`GET <baseUrl>/models`), for when the user names none. */
export async function discoverModel(baseUrl: string, apiKey?: string): Promise<string> {
  const url = `${baseUrl.replace(/\/+$/, '')}/models`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new EndpointError(`${url}: could not connect (${(err as Error).message}); is the server up?`);
  }
  const body = (await res.json().catch(() => undefined)) as { data?: { id?: unknown }[] } | undefined;
  const id = body?.data?.[0]?.id;
  if (!res.ok || typeof id !== 'string') {
    throw new EndpointError(`${url} (HTTP ${res.status}) names no model; pass the model name explicitly`);
  }
  return id;
}
