/**
 * Each trainer's exact request, built the way its source builds it (../shared/notes/trainer-protocols.md),
 * sent to the live server; plus the validation errors of each route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../shared/api/node-server.ts';

const BODY_LIMIT = 64 * 1024;
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, host: '127.0.0.1', poolSize: 2, bodyLimitBytes: BODY_LIMIT });
});
afterAll(async () => {
  await server.close();
});

async function post(
  path: string,
  body: unknown,
): // biome-ignore lint/suspicious/noExplicitAny: the answers' shapes are what these tests check
Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const CHATML = (question: string) => `<|im_start|>user\n${question}<|im_end|>\n<|im_start|>assistant\n`;
const LLAMA3 = (question: string) =>
  `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n${question}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`;
const ADD_PROGRAM = '```python\na, b = map(int, input().split())\nprint(a + b)\n```';
const ADD_TESTS = JSON.stringify({ inputs: ['1 2\n', '5 7\n'], outputs: ['3\n', '12\n'] });

describe('OpenRLHF: POST /get_reward', () => {
  it('scores a batch as remote_rm_fn sends it (v0.8: {query, prompts, labels}), answer = query minus prompt', async () => {
    const prompts = [CHATML('What is 6*7?'), CHATML('What is 6*7?'), LLAMA3('Simplify 2/4.')];
    const responses = [
      '<think>6*7=42</think> \\boxed{42}<|im_end|>',
      'It is \\boxed{48}.<|im_end|>',
      '$\\frac{1}{2}$<|eot_id|>',
    ];
    const queries = prompts.map((p, i) => p + responses[i]);
    const { status, json } = await post('/get_reward', {
      query: queries,
      prompts,
      labels: ['42', '42', '0.5'],
    });
    expect(status).toBe(200);
    expect(json).toEqual({
      rewards: [1, 0, 1],
      scores: [1, 0, 1],
      extra_logs: { acc: [1, 0, 1], answered: [1, 1, 1], error: [0, 0, 0] },
    });
  });

  it('scores one sample per request as the current agent sends it, with ?min_reward=-1', async () => {
    const prompt = CHATML('What is 2+2? Put the answer in a box.');
    const right = await post('/get_reward?min_reward=-1', {
      query: [`${prompt}\\boxed{4}<|im_end|>`],
      prompts: [prompt],
      labels: ['4'],
    });
    const wrong = await post('/get_reward?min_reward=-1', {
      query: [`${prompt}\\boxed{5}<|im_end|>`],
      prompts: [prompt],
      labels: ['4'],
    });
    expect(right.json).toMatchObject({ rewards: [1], scores: [1] });
    expect(wrong.json).toMatchObject({ rewards: [-1], scores: [0] });
  });

  it('does not take the answer from the prompt: a prompt ending in a number with an empty response is no answer', async () => {
    const prompt = CHATML('Is the answer 42?');
    const { json } = await post('/get_reward', {
      query: [`${prompt}<|im_end|>`],
      prompts: [prompt],
      labels: ['42'],
    });
    expect(json).toMatchObject({ rewards: [0], extra_logs: { acc: [0], answered: [0] } });
  });

  it('finds the response without prompts (after the last assistant marker) and past a BOS token before the prompt', async () => {
    // The prompt shows a boxed example answer: scoring the whole query would grade the example, not the response.
    const question = 'Answer in a box, like \\boxed{3}. What is 3+4?';
    const noPrompts = await post('/get_reward', {
      query: [`${CHATML(question)}Adding them gives 7.<|im_end|>`],
      labels: ['7'],
    });
    expect(noPrompts.json).toMatchObject({ rewards: [1] });
    const prompt = LLAMA3(question).replace('<|begin_of_text|>', '');
    const withBos = await post('/get_reward', {
      query: [`<|begin_of_text|>${prompt}Adding them gives 7.<|eot_id|>`],
      prompts: [prompt],
      labels: ['7'],
    });
    expect(withBos.json).toMatchObject({ rewards: [1] });
    const wholeQuery = await post('/v1/reward', {
      items: [{ response: `${CHATML(question)}Adding them gives 7.`, ground_truth: '7' }],
    });
    expect(wholeQuery.json.results[0]).toMatchObject({ correct: false, extracted: '3' });
  });

  it('scores code labels (a JSON string of tests) with ?task=code', async () => {
    const prompt = CHATML('Add two numbers.');
    const { json } = await post('/get_reward?task=code', {
      query: [prompt + ADD_PROGRAM, `${prompt}\`\`\`python\nprint(3)\n\`\`\``],
      prompts: [prompt, prompt],
      labels: [ADD_TESTS, ADD_TESTS],
    });
    expect(json).toMatchObject({ rewards: [1, 0.5], extra_logs: { acc: [1, 0] } });
  });

  it('scores code labels without ?task=code: tests as JSON text, an object or a list of test cases', async () => {
    const prompt = CHATML('Add two numbers.');
    const tests = JSON.parse(ADD_TESTS) as { inputs: string[]; outputs: string[] };
    const list = tests.inputs.map((input, i) => ({ input, output: tests.outputs[i] }));
    const wrong = `${prompt}\`\`\`python\nprint(3)\n\`\`\``;
    const { json } = await post('/get_reward', {
      query: [prompt + ADD_PROGRAM, wrong, prompt + ADD_PROGRAM, prompt + ADD_PROGRAM, wrong],
      prompts: [prompt, prompt, prompt, prompt, prompt],
      labels: [ADD_TESTS, ADD_TESTS, tests, list, JSON.stringify(list)],
    });
    expect(json).toEqual({
      rewards: [1, 0.5, 1, 1, 0.5],
      scores: [1, 0.5, 1, 1, 0.5],
      extra_logs: { acc: [1, 0, 1, 1, 0], answered: [1, 1, 1, 1, 1], error: [0, 0, 0, 0, 0] },
    });
  });

  it('flags a code label it cannot grade in extra_logs.error, never a silent 0', async () => {
    const prompt = CHATML('Add two numbers.');
    const graded = await post('/get_reward?data_source=gsm8k', {
      query: [prompt + ADD_PROGRAM],
      prompts: [prompt],
      labels: [ADD_TESTS],
    });
    expect(graded.json).toMatchObject({ rewards: [0], extra_logs: { acc: [0], error: [1] } });
    const unreadable = await post('/get_reward', {
      query: [prompt + ADD_PROGRAM],
      prompts: [prompt],
      labels: [[{ input: '1 2\n', expected_output: '3\n' }]],
    });
    expect(unreadable.json).toMatchObject({ rewards: [0], extra_logs: { acc: [0], error: [1] } });
  });

  it('refuses keys OpenRLHF does not send, and unknown query parameters, naming them', async () => {
    const extraKey = await post('/get_reward', { query: ['q'], labels: ['1'], label: ['1'] });
    expect(extraKey.status).toBe(400);
    expect(extraKey.json.error.message).toMatch(
      /^unknown key 'label' \(OpenRLHF sends: query, prompts, labels\)/,
    );
    const typo = await post('/get_reward?taks=code', { query: ['q'], labels: ['1'] });
    expect(typo.status).toBe(400);
    expect(typo.json.error.message).toMatch(
      /unknown key 'taks' \(query parameters are: task, data_source, min_reward\)/,
    );
  });

  it('scores a request without labels (older OpenRLHF) as 0 with extra_logs.error, not a failed request', async () => {
    const prompt = CHATML('q');
    const { status, json } = await post('/get_reward', { query: [`${prompt}\\boxed{1}`], prompts: [prompt] });
    expect(status).toBe(200);
    expect(json).toEqual({ rewards: [0], scores: [0], extra_logs: { acc: [0], answered: [0], error: [1] } });
  });

  it('rejects misaligned lists and a missing query with VALIDATION_ERROR and the field', async () => {
    const misaligned = await post('/get_reward', { query: ['a', 'b'], prompts: ['a'], labels: ['1', '2'] });
    expect(misaligned.status).toBe(400);
    expect(misaligned.json.error).toMatchObject({ code: 'VALIDATION_ERROR', path: 'prompts' });
    const missing = await post('/get_reward', { prompts: ['a'], labels: ['1'] });
    expect(missing.json.error).toMatchObject({ code: 'VALIDATION_ERROR', path: 'query' });
    const badQuery = await post('/get_reward?min_reward=lots', { query: ['a'] });
    expect(badQuery.json.error).toMatchObject({ code: 'VALIDATION_ERROR', path: 'min_reward' });
  });

  it('answers 413 BODY_TOO_LARGE over the body limit, and 400 INVALID_JSON for broken JSON', async () => {
    const big = await post('/get_reward', { query: ['x'.repeat(BODY_LIMIT + 1)] });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('BODY_TOO_LARGE');
    const broken = await post('/get_reward', '{"query": [');
    expect(broken.json.error.code).toBe('INVALID_JSON');
  });
});

describe('slime: POST /v1/slime/reward', () => {
  it('scores the remote_rm payload {prompt, response, label} and answers {reward, ...} for --reward-key reward', async () => {
    const sample = { prompt: CHATML('What is 6*7?'), response: 'The answer is \\boxed{42}.', label: '42' };
    const { status, json } = await post('/v1/slime/reward', sample);
    expect(status).toBe(200);
    expect(json).toMatchObject({ reward: 1, score: 1, acc: true, status: 'ok', extracted: '42' });
  });

  it('takes a message-list prompt and a list of samples (a group), answering a list in order', async () => {
    const prompt = [{ role: 'user', content: 'What is 6*7?' }];
    const { json } = await post('/v1/slime/reward?min_reward=-1', [
      { prompt, response: '\\boxed{42}', label: '42' },
      { prompt, response: '\\boxed{41}', label: '42' },
      { prompt, response: ADD_PROGRAM, label: JSON.parse(ADD_TESTS) },
    ]);
    expect(json.map((r: { reward: number }) => r.reward)).toEqual([1, -1, 1]);
  });

  it('scores a sample without a label as 0 with the reason; rejects a non-string response', async () => {
    const noLabel = await post('/v1/slime/reward', { prompt: 'q', response: '1', label: null });
    expect(noLabel.status).toBe(200);
    expect(noLabel.json).toMatchObject({ reward: 0, status: 'error' });
    expect(noLabel.json.reason).toMatch(/label/);
    const bad = await post('/v1/slime/reward', { prompt: 'q', response: 42, label: '42' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'VALIDATION_ERROR', path: 'response' });
    const badInGroup = await post('/v1/slime/reward', [{ response: '1', label: '1' }, { label: '1' }]);
    expect(badInGroup.json.error).toMatchObject({ code: 'VALIDATION_ERROR', path: '1.response' });
  });
});

describe('slime: code labels and unknown keys', () => {
  it('scores a code label (tests as JSON text) without ?task=code', async () => {
    const { json } = await post('/v1/slime/reward', {
      prompt: 'Add.',
      response: ADD_PROGRAM,
      label: ADD_TESTS,
    });
    expect(json).toMatchObject({ reward: 1, acc: true, status: 'ok' });
  });

  it('refuses a key slime does not send, naming it', async () => {
    const { status, json } = await post('/v1/slime/reward', { response: '1', label: '1', metadata: {} });
    expect(status).toBe(400);
    expect(json.error.message).toMatch(/^unknown key 'metadata' \(slime sends: prompt, response, label\)/);
  });
});

describe('verl rows: POST /v1/verl/rows', () => {
  const row = (extra: Record<string, unknown>) => ({
    data_source: 'HuggingFaceH4/MATH-500',
    prompt: [{ role: 'user', content: 'Compute 1/2 + 1/4.' }],
    ability: 'math',
    reward_model: { style: 'rule', ground_truth: '\\frac{3}{4}' },
    extra_info: { index: 7, split: 'test' },
    ...extra,
  });

  it('scores a row whatever its prompt holds (scoring never reads it): multimodal content parts, or text', async () => {
    const multimodal = [
      { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Compute 1/2 + 1/4.' }] },
    ];
    const { status, json } = await post('/v1/verl/rows', {
      rows: [
        row({ prompt: multimodal, response: '\\boxed{\\frac{3}{4}}' }),
        row({ prompt: 'Compute 1/2 + 1/4.', response: '\\boxed{1}' }),
      ],
    });
    expect(status).toBe(200);
    expect((json.results as { acc: boolean }[]).map((r) => r.acc)).toEqual([true, false]);
  });

  it('scores rows in the parquet schema, a GRPO group per row, one score dict per response', async () => {
    const { status, json } = await post('/v1/verl/rows?min_reward=-1', {
      rows: [
        row({ responses: ['\\boxed{0.75}', '\\boxed{\\frac{3}{4}}', '\\boxed{1}'] }),
        {
          data_source: 'codecontests',
          prompt: [{ role: 'user', content: 'Add.' }],
          ability: 'code',
          reward_model: { style: 'rule', ground_truth: ADD_TESTS },
          extra_info: { index: 0 },
          response: ADD_PROGRAM,
        },
      ],
    });
    expect(status).toBe(200);
    expect(json.results).toEqual([
      { row: 0, score: 1, acc: true, pred: '0.75', status: 'ok', reason: '' },
      { row: 0, score: 1, acc: true, pred: '\\frac{3}{4}', status: 'ok', reason: '' },
      { row: 0, score: -1, acc: false, pred: '1', status: 'ok', reason: '' },
      { row: 1, score: 1, acc: true, pred: expect.any(String), status: 'ok', reason: '' },
    ]);
  });

  it('rejects rows it cannot score, naming the row and the field', async () => {
    const cases: [unknown, string, string][] = [
      [{ rows: [row({ response: 'a', responses: ['b'] })] }, 'VALIDATION_ERROR', 'rows.0.response'],
      [{ rows: [row({})] }, 'VALIDATION_ERROR', 'rows.0.response'],
      [
        { rows: [row({ response: '1', reward_model: { style: 'rule' } })] },
        'VALIDATION_ERROR',
        'rows.0.reward_model.ground_truth',
      ],
      [
        { rows: [row({ response: '1' }), row({ response: '1', data_source: 'my_set' })] },
        'UNKNOWN_TASK',
        'rows.1.data_source',
      ],
      [{ rows: [] }, 'VALIDATION_ERROR', 'rows'],
    ];
    for (const [body, code, path] of cases) {
      const { status, json } = await post('/v1/verl/rows', body);
      expect({ status, ...json.error }).toMatchObject({ status: 400, code, path });
    }
  });

  it('scores a list of test cases under an unregistered data_source as code; ignores extra dataset columns', async () => {
    const tests = JSON.parse(ADD_TESTS) as { inputs: string[]; outputs: string[] };
    const list = tests.inputs.map((input, i) => ({ input, output: tests.outputs[i] }));
    const { status, json } = await post('/v1/verl/rows', {
      rows: [
        {
          data_source: 'my_code_set',
          reward_model: { style: 'rule', ground_truth: list },
          question: 'Add two numbers.',
          level: 3,
          response: ADD_PROGRAM,
        },
      ],
    });
    expect(status).toBe(200);
    expect(json.results[0]).toMatchObject({ score: 1, acc: true, status: 'ok' });
  });

  it('refuses an unknown key beside rows', async () => {
    const { status, json } = await post('/v1/verl/rows', { rows: [row({ response: '1' })], row: [] });
    expect(status).toBe(400);
    expect(json.error.message).toMatch(/^unknown key 'row'/);
  });

  it('scores an unregistered data_source when ?task= says which scorer', async () => {
    const { json } = await post('/v1/verl/rows?task=math', {
      rows: [row({ data_source: 'my_set', response: '\\boxed{3/4}' })],
    });
    expect(json.results[0]).toMatchObject({ score: 1, acc: true });
  });
});

describe('GET /openapi.json', () => {
  it('describes the trainer routes with their schemas and query parameters', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, { post?: { parameters?: { name: string }[] } }>;
      components: { schemas: Record<string, unknown> };
    };
    for (const path of ['/get_reward', '/v1/slime/reward', '/v1/verl/rows']) {
      expect(doc.paths[path]?.post?.parameters?.map((p) => p.name)).toEqual([
        'task',
        'data_source',
        'min_reward',
      ]);
    }
    for (const name of [
      'OpenRLHFRequest',
      'OpenRLHFResponse',
      'SlimeRequest',
      'SlimeReward',
      'VerlRow',
      'VerlRowsResponse',
    ]) {
      expect(doc.components.schemas).toHaveProperty(name);
    }
  });
});
