import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

const worker = exports.default;
const post = (path: string, body: unknown) =>
  worker.fetch(`https://gradus.example${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('the reward Worker, in workerd', () => {
  it('runs in workerd and answers /healthz', async () => {
    expect(navigator.userAgent).toBe('Cloudflare-Workers');
    const res = await worker.fetch('https://gradus.example/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  it('scores a batch of math items in input order', async () => {
    const res = await post('/v1/reward', {
      items: [
        { id: 1, response: 'so $x = \\boxed{\\frac{1}{2}}$', ground_truth: '0.5' },
        { id: 2, data_source: 'gsm8k', response: 'The answer is 7.', ground_truth: '8' },
        { id: 3, response: '$\\boxed{2\\sqrt{2}}$', ground_truth: '\\sqrt{8}' },
      ],
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { id: number; correct: boolean; status: string }[] };
    expect(results.map((r) => [r.id, r.correct, r.status])).toEqual([
      [1, true, 'ok'],
      [2, false, 'ok'],
      [3, true, 'ok'],
    ]);
  });

  it('answers /v1/math/verify', async () => {
    const res = await post('/v1/math/verify', {
      response: 'The answer is $\\boxed{(1, 2)}$',
      ground_truth: '(1,2)',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ task: 'math', correct: true, score: 1 });
  });

  it('refuses a batch holding a code item with 501, naming the item and the reason', async () => {
    const res = await post('/v1/reward', {
      items: [
        { response: '7', ground_truth: '7' },
        {
          data_source: 'taco',
          response: '```python\nprint(1)\n```',
          ground_truth: { inputs: [''], outputs: ['1\n'] },
        },
      ],
    });
    expect(res.status).toBe(501);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(
      /^items\.1 is a code item: Cloudflare Workers cannot run the code sandboxes/,
    );
  });

  it('refuses /v1/code/run with 501 and the reason', async () => {
    const res = await post('/v1/code/run', { language: 'python', program: 'print(1)', inputs: [''] });
    expect(res.status).toBe(501);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(error.message).toContain('isolated-vm is a native Node addon');
  });

  it('reports bad input with the same error bodies as the Node server', async () => {
    const broken = await post('/v1/reward', '{"items": [');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: 'INVALID_JSON' } });
    const invalid = await post('/v1/reward', { items: [{ response: 1 }] });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      error: { code: 'VALIDATION_ERROR', path: 'items.0.response' },
    });
  });

  it("answers OpenRLHF's remote reward request (its exact body) for math", async () => {
    const prompt = '<|im_start|>user\nWhat is 6*7?<|im_end|>\n<|im_start|>assistant\n';
    const res = await post('/get_reward', {
      query: [`${prompt}The answer is \\boxed{42}<|im_end|>`, `${prompt}It is 41.<|im_end|>`],
      prompts: [prompt, prompt],
      labels: ['42', '42'],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ rewards: [1, 0] });
  });

  it('serves the OpenAPI document', async () => {
    const res = await worker.fetch('https://gradus.example/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/reward', '/v1/math/verify', '/healthz']),
    );
  });
});
