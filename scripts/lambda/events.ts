// Synthetic Lambda events in the two shapes the reward function receives (both payload format 2.0):
// from the API Gateway HTTP API (`httpApi: '*'`, route `$default`) and from the Function URL.

export type EventSource = 'http-api' | 'function-url';

export interface HttpEventOptions {
  method: string;
  path: string;
  body?: unknown;
  /** Function URLs base64-encode bodies they do not recognise as text; exercises the adapter's decoding. */
  base64?: boolean;
}

const DOMAIN: Record<EventSource, string> = {
  'http-api': 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
  'function-url': 'a1b2c3d4e5f6g7h8i9j0.lambda-url.us-east-1.on.aws',
};

export function httpEvent(source: EventSource, options: HttpEventOptions): Record<string, unknown> {
  const text = options.body === undefined ? undefined : JSON.stringify(options.body);
  const domainName = DOMAIN[source];
  const headers: Record<string, string> = {
    host: domainName,
    'user-agent': 'gradus-artifact-check',
    'x-forwarded-proto': 'https',
  };
  if (text !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(text));
  }
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: options.path,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: source === 'function-url' ? 'anonymous' : '123456789012',
      apiId: domainName.split('.')[0],
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.7',
        userAgent: 'gradus-artifact-check',
      },
      requestId: `${source}-request`,
      routeKey: '$default',
      stage: '$default',
      time: '25/Nov/2026:19:00:00 +0000',
      timeEpoch: 1795633200000,
    },
    ...(text === undefined
      ? {}
      : {
          body: options.base64 ? Buffer.from(text).toString('base64') : text,
          isBase64Encoded: !!options.base64,
        }),
  };
}

/** One batch with a right and a wrong math answer, and a passing and a failing Python and JavaScript program. */
export const REWARD_BATCH = {
  items: [
    { id: 'math-right', task: 'math', response: 'so $x = \\boxed{\\frac{1}{2}}$', ground_truth: '0.5' },
    { id: 'math-wrong', data_source: 'gsm8k', response: 'The answer is 7.', ground_truth: '8' },
    {
      id: 'python-right',
      task: 'code',
      response: '```python\na, b = map(int, input().split())\nprint(a + b)\n```',
      ground_truth: { inputs: ['1 2\n', '5 7\n'], outputs: ['3\n', '12\n'] },
    },
    {
      id: 'python-wrong',
      task: 'code',
      response: '```python\na, b = map(int, input().split())\nprint(a * b)\n```',
      ground_truth: { inputs: ['1 2\n', '5 7\n'], outputs: ['3\n', '12\n'] },
    },
    {
      id: 'javascript-right',
      task: 'code',
      response:
        "```javascript\nconst [a, b] = require('fs').readFileSync(0, 'utf8').split(' ').map(Number);\nconsole.log(a + b);\n```",
      ground_truth: { inputs: ['1 2\n', '5 7\n'], outputs: ['3\n', '12\n'] },
    },
    {
      id: 'javascript-wrong',
      task: 'code',
      response:
        "```javascript\nconst [a, b] = require('fs').readFileSync(0, 'utf8').split(' ').map(Number);\nconsole.log(a - b);\n```",
      ground_truth: { inputs: ['1 2\n', '5 7\n'], outputs: ['3\n', '12\n'] },
    },
  ],
};

/** One math answer for /v1/math/verify: right. */
export const MATH_VERIFY = { response: 'The answer is $\\boxed{2\\sqrt{2}}$.', ground_truth: '\\sqrt{8}' };

/** What the batch must score: id -> score. */
export const EXPECTED_SCORES: Record<string, number> = {
  'math-right': 1,
  'math-wrong': 0,
  'python-right': 1,
  'python-wrong': 0,
  'javascript-right': 1,
  'javascript-wrong': 0,
};

/** What a case sends, which decides what its response must be. */
export type CaseKind = 'health' | 'reward' | 'verify' | 'invalid';

export interface InvocationCase {
  name: string;
  kind: CaseKind;
  event: Record<string, unknown>;
}

/** The events the packaged handler must answer, from both sources. */
export function invocationCases(): InvocationCase[] {
  const cases: InvocationCase[] = [];
  for (const source of ['http-api', 'function-url'] as const) {
    const post = (path: string, body: unknown, base64 = false) =>
      httpEvent(source, { method: 'POST', path, body, base64 });
    cases.push(
      {
        name: `${source} GET /healthz`,
        kind: 'health',
        event: httpEvent(source, { method: 'GET', path: '/healthz' }),
      },
      // Function URLs base64-encode bodies they take for binary; the adapter must decode them.
      {
        name: `${source} POST /v1/reward`,
        kind: 'reward',
        event: post('/v1/reward', REWARD_BATCH, source === 'function-url'),
      },
      { name: `${source} POST /v1/math/verify`, kind: 'verify', event: post('/v1/math/verify', MATH_VERIFY) },
      {
        name: `${source} POST /v1/reward (invalid body)`,
        kind: 'invalid',
        event: post('/v1/reward', { items: 'none' }),
      },
    );
  }
  return cases;
}
