import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH, MAX_OBJECT_KEYS } from '../../shared/api/json-body.ts';
import { type RunningServer, startServer } from '../../shared/api/node-server.ts';
import { MAX_ITEMS, RewardResult } from '../../shared/reward/schema.ts';
import { createPool } from '../../shared/reward/threads/pool.ts';

const BODY_LIMIT = 1024 * 1024;
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, host: '127.0.0.1', poolSize: 2, bodyLimitBytes: BODY_LIMIT });
});
afterAll(async () => {
  await server.close();
});

function post(path: string, body: unknown, contentType = 'application/json'): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
}

async function expectError(
  res: Response,
  status: number,
  code: string,
): Promise<{ message: string; path?: string }> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string; path?: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}

describe('POST /v1/reward', () => {
  it('scores a batch and keeps input order', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({
      id: `q${i}`,
      response: String(i),
      ground_truth: i % 3 === 0 ? String(i) : String(i + 1),
    }));
    const res = await post('/v1/reward', { items });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: RewardResult[] };
    expect(results.map((r) => r.id)).toEqual(items.map((item) => item.id));
    expect(results.map((r) => r.correct)).toEqual(items.map((_, i) => i % 3 === 0));
    for (const result of results) expect(RewardResult.safeParse(result).success).toBe(true);
  });

  it('routes by data_source; a code item with no tests gets an error result, not a failed request', async () => {
    const res = await post('/v1/reward', {
      items: [
        { id: 1, data_source: 'openai/gsm8k', response: '7', ground_truth: 7 },
        {
          id: 2,
          data_source: 'codecontests',
          response: 'print(7)',
          ground_truth: { inputs: [], outputs: [] },
        },
      ],
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: RewardResult[] };
    expect(results[0]).toMatchObject({ id: 1, task: 'math', correct: true, status: 'ok' });
    expect(results[1]).toMatchObject({ id: 2, task: 'code', correct: false, status: 'error' });
    expect(results[1]?.reason).toMatch(/^NO_TESTS/);
  });

  it('rejects invalid JSON with 400 INVALID_JSON', async () => {
    await expectError(await post('/v1/reward', '{"items": ['), 400, 'INVALID_JSON');
  });

  it('rejects a wrong field type with 400 VALIDATION_ERROR and the path of the first issue', async () => {
    const error = await expectError(
      await post('/v1/reward', {
        items: [
          { response: '1', ground_truth: '1' },
          { response: 1, ground_truth: '1' },
        ],
      }),
      400,
      'VALIDATION_ERROR',
    );
    expect(error.path).toBe('items.1.response');
  });

  it('rejects a missing field with 400 VALIDATION_ERROR saying "required"', async () => {
    const error = await expectError(
      await post('/v1/reward', { items: [{ response: '1' }] }),
      400,
      'VALIDATION_ERROR',
    );
    expect(error).toMatchObject({ path: 'items.0.ground_truth', message: 'items.0.ground_truth: required' });
  });

  it('rejects unknown option keys with 400 VALIDATION_ERROR, naming the key and the known ones', async () => {
    const body = { items: [{ response: '1', ground_truth: '1', options: { timeout: 5 } }] };
    const error = await expectError(await post('/v1/reward', body), 400, 'VALIDATION_ERROR');
    expect(error.path).toBe('items.0.options');
    expect(error.message).toMatch(/^items\.0\.options: unknown key 'timeout' \(math options are: timeoutMs,/);
  });

  it.each(['timeout_ms', 'memory_mb', 'constructor'])(
    'rejects an unknown item field (%s) with 400, its item path, and where own data goes',
    async (key) => {
      const body = `{"items": [{"response": "1", "ground_truth": "1"}, {"response": "1", "ground_truth": "1", "${key}": 5}]}`;
      const error = await expectError(await post('/v1/reward', body), 400, 'VALIDATION_ERROR');
      expect(error.path).toBe('items.1');
      expect(error.message).toMatch(new RegExp(`^items\\.1: unknown key '${key}' .*extra_info`));
    },
  );

  it('rejects an item with thousands of unknown keys naming the first, in a short message', async () => {
    const keys = Array.from({ length: MAX_OBJECT_KEYS - 2 }, (_, i) => `"k${i}":0`).join(',');
    const body = `{"items": [{"response": "1", "ground_truth": "1", ${keys}}]}`;
    const error = await expectError(await post('/v1/reward', body), 400, 'VALIDATION_ERROR');
    expect(error.message).toMatch(/^items\.0: unknown key 'k0' /);
    expect(error.message.length).toBeLessThan(300);
  });

  it('rejects a body nested deeper than the limit with 400 before parsing it, on every JSON route', async () => {
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    const bodies: [string, string][] = [
      ['/v1/reward', `{"items":[{"response":"1","ground_truth":"1","extra_info":${deep(10_000)}}]}`],
      [
        '/v1/verl/rows',
        `{"rows":[{"data_source":"math","reward_model":{"ground_truth":"1"},"response":"1","extra_info":${deep(10_000)}}]}`,
      ],
      ['/get_reward', `{"query":["1"],"labels":["1"],"x":${deep(200)}}`],
      [
        '/v1/math/verify',
        `{"response":"1","ground_truth":"1","options":${'['.repeat(MAX_BODY_DEPTH)}${']'.repeat(MAX_BODY_DEPTH)}}`,
      ],
    ];
    for (const [path, body] of bodies) {
      const error = await expectError(await post(path, body), 400, 'VALIDATION_ERROR');
      expect(error.message).toMatch(/nests deeper than/);
    }
    // Brackets inside strings do not count, and test data may nest as deep as its own bound.
    const quoted = JSON.stringify({ items: [{ response: '['.repeat(5000), ground_truth: '1' }] });
    expect((await post('/v1/reward', quoted)).status).toBe(200);
    const inner = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
    const codeItem = `{"items":[{"task":"code","response":"x","ground_truth":{"fn_name":"f","inputs":[[${inner(90)}]],"outputs":[1]}}]}`;
    expect((await post('/v1/reward', codeItem)).status).toBe(200);
  });

  it(`refuses an object of more than ${MAX_OBJECT_KEYS} keys with 400 before parsing it`, async () => {
    const keys = (n: number) => Array.from({ length: n }, (_, i) => `"k${i}":0`).join(',');
    const item = (extra: string) => `{"items":[{"response":"1","ground_truth":"1","extra_info":{${extra}}}]}`;
    for (const [path, body] of [
      ['/v1/reward', item(keys(MAX_OBJECT_KEYS + 1))],
      ['/v1/reward', `{"items":[{"response":"1","ground_truth":"1",${keys(MAX_OBJECT_KEYS + 1)}}]}`],
      ['/get_reward', `{"query":["1"],"labels":["1"],"x":{${keys(MAX_OBJECT_KEYS + 1)}}}`],
    ] as const) {
      const error = await expectError(await post(path, body), 400, 'VALIDATION_ERROR');
      expect(error.message).toBe(`an object in the body has more than ${MAX_OBJECT_KEYS} keys`);
    }
    // Keys are counted per object, colons inside strings are not keys, and the ceiling itself is allowed.
    const atCeiling = item(keys(MAX_OBJECT_KEYS));
    expect((await post('/v1/reward', atCeiling)).status).toBe(200);
    const manyObjects = JSON.stringify({
      items: Array.from({ length: 3 }, () => ({
        response: ':'.repeat(MAX_OBJECT_KEYS * 2),
        ground_truth: '1',
        extra_info: Object.fromEntries(
          Array.from({ length: MAX_OBJECT_KEYS / 2 }, (_, i) => [`k${i}`, { a: 1 }]),
        ),
      })),
    });
    expect((await post('/v1/reward', manyObjects)).status).toBe(200);
  });

  it('rejects a body that is not UTF-8 with 400 INVALID_ENCODING, on every JSON route', async () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    const withBytes = (before: string, bytes: number[], after: string) =>
      new Uint8Array([...encode(before), ...bytes, ...encode(after)]);
    const bodies: [string, Uint8Array][] = [
      ['/v1/reward', withBytes('{"items":[{"response":"', [0xff], '","ground_truth":"1"}]}')],
      ['/v1/reward', withBytes('{"items":[{"response":"', [0xc0, 0xb1], '","ground_truth":"1"}]}')], // overlong "1"
      ['/v1/reward', withBytes('{"items":[{"response":"', [0xed, 0xa0, 0x80], '","ground_truth":"1"}]}')], // surrogate
      ['/v1/math/verify', withBytes('{"response":"\\boxed{1}', [0xe2, 0x82], '","ground_truth":"1"}')], // cut short
      ['/get_reward', withBytes('{"query":["', [0x80], '"],"labels":["1"]}')],
    ];
    for (const [path, body] of bodies) await expectError(await post(path, body), 400, 'INVALID_ENCODING');
  });

  it('reads a body that starts with a byte-order mark, and keeps non-ASCII text as sent', async () => {
    const text = JSON.stringify({ items: [{ response: 'Réponse : \\boxed{π}', ground_truth: '\\pi' }] });
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    const res = await post('/v1/reward', body);
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { correct: boolean }[] };
    expect(results[0]?.correct).toBe(true);
  });

  it('rejects a JSON body declared in another charset with 415, and reads every UTF-8 label', async () => {
    const body = { items: [{ response: '1', ground_truth: '1' }] };
    for (const charset of ['koi8-r', 'iso-8859-1', 'utf-16', 'nonsense']) {
      const error = await expectError(
        await post('/v1/reward', body, `application/json; charset=${charset}`),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      expect(error.message).toMatch(charset);
    }
    await expectError(
      await post('/get_reward', { query: ['1'] }, 'application/json; charset=windows-1251'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    for (const charset of ['utf-8', '"UTF-8"', 'utf8']) {
      const res = await post('/v1/reward', body, `application/json;charset=${charset}`);
      expect(res.status).toBe(200);
    }
  });

  it('rejects an unknown task with 400 UNKNOWN_TASK', async () => {
    const body = {
      items: [
        { response: '1', ground_truth: '1' },
        { task: 'chess', response: 'e4', ground_truth: 'e4' },
      ],
    };
    const error = await expectError(await post('/v1/reward', body), 400, 'UNKNOWN_TASK');
    expect(error.path).toBe('items.1.task');
  });

  it('rejects an unroutable data_source with 400 UNKNOWN_TASK', async () => {
    const body = { items: [{ data_source: 'someone/private', response: '1', ground_truth: '1' }] };
    const error = await expectError(await post('/v1/reward', body), 400, 'UNKNOWN_TASK');
    expect(error.path).toBe('items.0.data_source');
  });

  it(`rejects more than ${MAX_ITEMS} items with 413 TOO_MANY_ITEMS`, async () => {
    const items = Array.from({ length: MAX_ITEMS + 1 }, () => ({ response: '1', ground_truth: '1' }));
    await expectError(await post('/v1/reward', { items }), 413, 'TOO_MANY_ITEMS');
  });

  it('rejects an empty batch with 400 VALIDATION_ERROR', async () => {
    await expectError(await post('/v1/reward', { items: [] }), 400, 'VALIDATION_ERROR');
  });

  it('rejects a body over the limit with 413 BODY_TOO_LARGE', async () => {
    const body = { items: [{ response: 'x'.repeat(BODY_LIMIT), ground_truth: '1' }] };
    await expectError(await post('/v1/reward', body), 413, 'BODY_TOO_LARGE');
  });

  it('rejects a chunked body over the limit with 413 BODY_TOO_LARGE', async () => {
    const piece = new TextEncoder().encode(
      `{"items":[{"ground_truth":"1","response":"${'x'.repeat(BODY_LIMIT)}`,
    );
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(piece);
        controller.enqueue(new TextEncoder().encode('"}]}'));
        controller.close();
      },
    });
    const res = await fetch(`${server.url}/v1/reward`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectError(res, 413, 'BODY_TOO_LARGE');
  });

  it('scores a chunked body within the limit, and refuses a chunked non-JSON one with 415', async () => {
    const chunked = (text: string) =>
      new ReadableStream({
        start(controller) {
          for (let i = 0; i < text.length; i += 7)
            controller.enqueue(new TextEncoder().encode(text.slice(i, i + 7)));
          controller.close();
        },
      });
    const body = JSON.stringify({ items: [{ response: 'The answer is \\boxed{4}.', ground_truth: '4' }] });
    const send = (contentType: string) =>
      fetch(`${server.url}/v1/reward`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: chunked(body),
        duplex: 'half',
      } as RequestInit);
    const res = await send('application/json');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: { correct: boolean }[] }).results[0]?.correct).toBe(true);
    await expectError(await send('text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('rejects a non-JSON content type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const body = JSON.stringify({ items: [{ response: '1', ground_truth: '1' }] });
    await expectError(await post('/v1/reward', body, 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

// The code scorer runs in the default Node sandboxes of this server.
const fence = (lang: string, code: string) => `Here is my solution.\n\`\`\`${lang}\n${code}\n\`\`\``;
const addTests = { inputs: ['1 2\n', '5 7\n', '-3 3\n'], outputs: ['3\n', '12\n', '0\n'] };

describe('code ground truths in POST /v1/reward', () => {
  it('scores the list layouts docs/reward-api.md lists (Codeforces, LiveCodeBench), as lists or JSON text, with no task', async () => {
    const program = fence('python', 'a, b = map(int, input().split())\nprint(a + b)');
    const codeforces = addTests.inputs.map((input, i) => ({ input, output: addTests.outputs[i] }));
    const livecodebench = codeforces.map((t) => ({ ...t, testtype: 'stdin' }));
    const res = await post('/v1/reward', {
      items: [
        { id: 'cf', response: program, ground_truth: codeforces },
        { id: 'lcb', response: program, ground_truth: JSON.stringify(livecodebench) },
        { id: 'cf-source', data_source: 'open-r1/codeforces', response: program, ground_truth: codeforces },
      ],
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: RewardResult[] };
    expect(results.map((r) => [r.id, r.task, r.status, r.score])).toEqual([
      ['cf', 'code', 'ok', 1],
      ['lcb', 'code', 'ok', 1],
      ['cf-source', 'code', 'ok', 1],
    ]);
  });

  it('gives an item whose tests cannot be read an error result with the reason, and scores the rest', async () => {
    const program = fence('python', 'print(int(input()) + 1)');
    const res = await post('/v1/reward', {
      items: [
        { id: 'bad-case', response: program, ground_truth: [{ input: '1\n', expected: '2\n' }] },
        { id: 'bad-json', response: program, ground_truth: '{"inputs": ["1\\n"], "outputs": [' },
        { id: 'not-tests', task: 'code', response: program, ground_truth: 7 },
        { id: 'good', response: program, ground_truth: [{ input: '1\n', output: '2\n' }] },
        { id: 'math', response: '\\boxed{2}', ground_truth: '2' },
      ],
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: RewardResult[] };
    expect(results.map((r) => [r.id, r.task, r.status, r.score])).toEqual([
      ['bad-case', 'code', 'error', 0],
      ['bad-json', 'code', 'error', 0],
      ['not-tests', 'code', 'error', 0],
      ['good', 'code', 'ok', 1],
      ['math', 'math', 'ok', 1],
    ]);
    expect(results[0]?.reason).toMatch(/^BAD_TESTS: .*output/);
    expect(results[1]?.reason).toMatch(/not JSON/);
    expect(results[2]?.reason).toMatch(/unrecognised ground truth/);
  });
});

describe('POST /v1/math/verify', () => {
  it('returns a correct verdict for an equal answer', async () => {
    const res = await post('/v1/math/verify', { response: '7', ground_truth: '7' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ task: 'math', score: 1, correct: true, status: 'ok' });
  });

  it('returns an incorrect verdict for a different answer, and accepts a list of golds', async () => {
    const wrong = await (await post('/v1/math/verify', { response: '7', ground_truth: '8' })).json();
    expect(wrong).toMatchObject({ score: 0, correct: false });
    const listed = await (await post('/v1/math/verify', { response: '7', ground_truth: ['8', '7'] })).json();
    expect(listed).toMatchObject({ score: 1, correct: true });
  });

  it('rejects an options value out of range with 400 VALIDATION_ERROR', async () => {
    const body = { response: '7', ground_truth: '7', options: { timeoutMs: 0 } };
    const error = await expectError(await post('/v1/math/verify', body), 400, 'VALIDATION_ERROR');
    expect(error.path).toBe('options.timeoutMs');
  });
});

describe('other routes', () => {
  it('answers 404 NOT_FOUND as JSON for an unknown route', async () => {
    await expectError(await fetch(`${server.url}/v2/nothing`), 404, 'NOT_FOUND');
  });

  it('lists every route in /openapi.json', async () => {
    const res = await fetch(`${server.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/v1/reward']).toHaveProperty('post');
    expect(doc.paths['/v1/math/verify']).toHaveProperty('post');
    expect(doc.paths['/healthz']).toHaveProperty('get');
  });

  it('resolves every $ref of /openapi.json to a schema it defines', async () => {
    const text = await (await fetch(`${server.url}/openapi.json`)).text();
    const doc = JSON.parse(text) as { components: { schemas: Record<string, unknown> } };
    const refs = new Set(
      Array.from(text.matchAll(/"#\/components\/schemas\/([^"]+)"/g), (m) => m[1] as string),
    );
    expect(refs).toContain('CodeOptions');
    for (const ref of refs) expect([ref, doc.components.schemas[ref] !== undefined]).toEqual([ref, true]);
  });

  it('lists in /openapi.json every error status each route can answer', async () => {
    type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Doc;
    const statuses = (path: string) => Object.keys(doc.paths[path]?.post?.responses ?? {});
    const posts = Object.keys(doc.paths).filter((path) => doc.paths[path]?.post !== undefined);
    expect(posts.length).toBeGreaterThanOrEqual(6);
    // Every body goes through the size limit, the UTF-8 reader and a schema, and any route can fail inside.
    for (const path of posts)
      expect([path, statuses(path)]).toEqual([path, expect.arrayContaining(['400', '413', '415', '500'])]);
    // Every route that scores code can find the sandboxes full (429) or absent (501).
    for (const path of ['/v1/reward', '/get_reward', '/v1/slime/reward', '/v1/verl/rows', '/v1/code/run']) {
      expect([path, statuses(path)]).toEqual([path, expect.arrayContaining(['429', '501'])]);
    }
  });

  it('still answers /healthz after all the bad requests above', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, version: expect.any(String) });
  });
});

describe('a scorer that crashes or hangs', () => {
  let flaky: RunningServer;
  beforeAll(async () => {
    const scorer = createPool({
      size: 1,
      workerUrl: new URL('../reward/fixtures/misbehaving-worker.ts', import.meta.url),
    });
    flaky = await startServer({ port: 0, scorer });
  });
  afterAll(async () => {
    await flaky.close();
  });

  it('gives only the affected items error and timeout results, and the server keeps answering', async () => {
    const res = await fetch(`${flaky.url}/v1/reward`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        items: [
          { id: 'ok', response: '7', ground_truth: '7' },
          { id: 'dies', response: '__exit', ground_truth: '7' },
          { id: 'hangs', response: '__spin', ground_truth: '7', options: { timeoutMs: 100 } },
          { id: 'after', response: '7', ground_truth: '8' },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: RewardResult[] };
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['ok', 'ok'],
      ['dies', 'error'],
      ['hangs', 'timeout'],
      ['after', 'ok'],
    ]);
    expect((await fetch(`${flaky.url}/healthz`)).status).toBe(200);
  });
});
