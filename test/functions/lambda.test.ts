import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/reward/lambda.ts';

/** A Lambda function-URL (payload v2) event. */
function event(method: string, path: string, body?: unknown) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'example.lambda-url.aws' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'example.lambda-url.aws',
      domainPrefix: 'example',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r1',
      routeKey: '$default',
      stage: '$default',
      time: '25/Nov/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

const invoke = (e: ReturnType<typeof event>) =>
  handler(e as unknown as Parameters<typeof handler>[0]) as Promise<{ statusCode: number; body: string }>;

describe('Lambda handler', () => {
  it('answers /healthz', async () => {
    const res = await invoke(event('GET', '/healthz'));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true });
  });

  it('scores a batch through the same app', async () => {
    const res = await invoke(
      event('POST', '/v1/reward', {
        items: [
          { id: 1, response: '7', ground_truth: '7' },
          { id: 2, response: '7', ground_truth: '8' },
        ],
      }),
    );
    expect(res.statusCode).toBe(200);
    const { results } = JSON.parse(res.body) as { results: { id: number; correct: boolean }[] };
    expect(results.map((r) => [r.id, r.correct])).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it('maps bad input to the same error body', async () => {
    const res = await invoke(event('POST', '/v1/reward', { items: 'nope' }));
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'VALIDATION_ERROR', path: 'items' } });
  });
});
