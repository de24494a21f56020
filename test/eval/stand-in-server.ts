import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CannedAnswer {
  text: string;
  finishReason: 'stop' | 'length';
}

export interface StandInOptions {
  /** The answer to a prompt's sample `sample` (from the request's seed: sample j is sent with seed j). */
  respond(prompt: string, sample: number): CannedAnswer | undefined;
  /** The seed of sample 0. */
  baseSeed?: number;
  /** Delay before each answer (ms), to leave time to kill a client mid-way. */
  delayMs?: number;
  /** Answer the first `failFirst` requests with these statuses (then normally), to exercise retries. */
  failures?: number[];
}

export interface RequestLog {
  prompt: string;
  /** The sample indices the request asked for. */
  samples: number[];
  status: number;
  /** The request's Authorization header, if any. */
  authorization?: string;
}

/**
 * A local stand-in for an OpenAI-compatible server (vLLM-like): /v1/models, /v1/chat/completions and
 * /v1/completions with `n` and `seed`, answering from canned responses, logging every request.
 */
export async function startStandIn(options: StandInOptions): Promise<{
  url: string;
  requests: RequestLog[];
  /** The most completion requests it was answering at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}> {
  const requests: RequestLog[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const failures = [...(options.failures ?? [])];
  const baseSeed = options.baseSeed ?? 0;
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/v1/models')
      return send(200, { data: [{ id: 'stand-in-model' }] });
    const chat = req.url === '/v1/chat/completions';
    if (req.method !== 'POST' || !(chat || req.url === '/v1/completions'))
      return send(404, { error: 'no route' });
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    const prompt = chat
      ? String((body.messages as { content: string }[]).at(-1)?.content)
      : String(body.prompt);
    const n = typeof body.n === 'number' ? body.n : 1;
    const first = typeof body.seed === 'number' ? body.seed - baseSeed : 0;
    const samples = Array.from({ length: n }, (_, i) => first + i);
    const failure = failures.shift();
    if (failure !== undefined) {
      requests.push({ prompt, samples, status: failure });
      return send(failure, { error: { message: 'try again' } });
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    inFlight--;
    const answers = samples.map((j) => options.respond(prompt, j));
    if (answers.some((a) => a === undefined)) {
      requests.push({ prompt, samples, status: 400 });
      return send(400, { error: { message: 'unknown prompt' } });
    }
    requests.push({ prompt, samples, status: 200, authorization: req.headers.authorization });
    const choices = (answers as CannedAnswer[]).map((a, index) => ({
      index,
      finish_reason: a.finishReason,
      ...(chat ? { message: { role: 'assistant', content: a.text } } : { text: a.text }),
    }));
    const completionTokens = (answers as CannedAnswer[]).reduce((sum, a) => sum + tokenCount(a.text), 0);
    send(200, {
      id: `cmpl-${requests.length}`,
      object: chat ? 'chat.completion' : 'text_completion',
      model: body.model,
      choices,
      usage: { prompt_tokens: tokenCount(prompt), completion_tokens: completionTokens },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The stand-in's "tokens": whitespace-separated words. */
export function tokenCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      data += chunk;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
