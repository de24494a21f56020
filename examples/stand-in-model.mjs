// A stand-in for an OpenAI-compatible model server (vLLM, SGLang), for trying `gradus eval` without a GPU:
// GET /v1/models, POST /v1/chat/completions and /v1/completions (with `n` and `seed`), answering the
// problems of examples/benchmark.jsonl (or STANDIN_BENCHMARK) like a model that gets the easy ones right
// and the hard ones right only now and then.
//
//   node examples/stand-in-model.mjs &          # PORT (default 8000), HOST (default 127.0.0.1)
//   npx gradus eval --model http://127.0.0.1:8000/v1 --benchmarks math500=examples/benchmark.jsonl --out ...
//
// Sample j of a problem at level L (1-5) is right when j % 5 < 6 - L: always at level 1, one in five at
// level 5. A wrong sample boxes a wrong answer, or (every eighth sample) stops mid-way like a truncated one.
// A prompt that names no known problem gets an answer without a boxed value.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const MODEL = 'stand-in-model';
const port = Number(process.env.PORT ?? 8000);
const host = process.env.HOST ?? '127.0.0.1';
const benchmarkFile = process.env.STANDIN_BENCHMARK ?? new URL('./benchmark.jsonl', import.meta.url);
const problems = readFileSync(benchmarkFile, 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line));

/** The problem whose text the prompt contains (the default template starts with it). */
function problemIn(prompt) {
  return problems.find((p) => prompt.includes(p.problem));
}

function wrongAnswer(answer) {
  return /^-?\d+$/.test(answer) ? String(Number(answer) + 1) : '0';
}

function answer(prompt, j) {
  const problem = problemIn(prompt);
  if (!problem) return { text: 'I cannot tell which problem this is.', finishReason: 'stop' };
  const level = Number(problem.level ?? 3);
  if (j % 5 < 6 - level) {
    return {
      text: `Working through it step by step, the answer is $\\boxed{${problem.answer}}$.`,
      finishReason: 'stop',
    };
  }
  if (j % 8 === 7)
    return { text: 'Let me try another approach. First, suppose that', finishReason: 'length' };
  return {
    text: `I believe the answer is $\\boxed{${wrongAnswer(String(problem.answer))}}$.`,
    finishReason: 'stop',
  };
}

const words = (text) => text.split(/\s+/).filter(Boolean).length;

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  let data = '';
  req.setEncoding('utf8');
  for await (const chunk of req) data += chunk;
  return JSON.parse(data);
}

const server = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/v1/models') {
    return send(res, 200, { object: 'list', data: [{ id: MODEL, object: 'model', owned_by: 'gradus' }] });
  }
  const chat = req.url === '/v1/chat/completions';
  if (req.method !== 'POST' || !(chat || req.url === '/v1/completions')) {
    return send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
  }
  let body;
  try {
    body = await readJson(req);
  } catch {
    return send(res, 400, { error: { message: 'the body is not JSON' } });
  }
  const prompt = chat ? String(body.messages?.at(-1)?.content ?? '') : String(body.prompt ?? '');
  const n = Number.isInteger(body.n) && body.n > 0 ? body.n : 1;
  // gradus asks for sample j with seed + j, so the seed numbers the samples.
  const first = Number.isInteger(body.seed) ? body.seed : 0;
  const answers = Array.from({ length: n }, (_, i) => answer(prompt, first + i));
  send(res, 200, {
    id: `cmpl-${Date.now()}`,
    object: chat ? 'chat.completion' : 'text_completion',
    model: body.model ?? MODEL,
    choices: answers.map((a, index) => ({
      index,
      finish_reason: a.finishReason,
      ...(chat ? { message: { role: 'assistant', content: a.text } } : { text: a.text }),
    })),
    usage: {
      prompt_tokens: words(prompt),
      completion_tokens: answers.reduce((sum, a) => sum + words(a.text), 0),
    },
  });
});

server.listen(port, host, () => {
  console.log(`stand-in model "${MODEL}" on http://${host}:${port}/v1 (${problems.length} known problems)`);
});
