import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../shared/api/node-server.ts';
import { MAX_CODE_LIMITS } from '../../shared/code/limits.ts';
import { createNodeScorer } from '../../shared/reward/node-scorer.ts';
import type { RewardResult } from '../../shared/reward/schema.ts';

// One sandbox per language and a queue of one, so a handful of concurrent requests fills it.
let server: RunningServer;
beforeAll(async () => {
  const { scorer, runner } = createNodeScorer({ poolSize: 1, sandboxesPerLanguage: 1, queuePerSandbox: 1 });
  server = await startServer({ port: 0, scorer, runner });
});
afterAll(async () => {
  await server.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const fence = (lang: string, code: string) => `Here is my solution.\n\`\`\`${lang}\n${code}\n\`\`\``;
const addTests = { inputs: ['1 2\n', '5 7\n', '-3 3\n'], outputs: ['3\n', '12\n', '0\n'] };

describe('code items in POST /v1/reward', () => {
  it('scores math, Python, JavaScript and TypeScript items of one batch, in order', async () => {
    const res = await post('/v1/reward', {
      items: [
        { id: 'm', response: 'so $\\boxed{\\frac{1}{2}}$', ground_truth: '0.5' },
        {
          id: 'py',
          task: 'code',
          response: fence('python', 'a, b = map(int, input().split())\nprint(a + b)'),
          ground_truth: addTests,
        },
        {
          id: 'js',
          data_source: 'codeforces',
          response: fence(
            'javascript',
            "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(' ').map(Number);\nconsole.log(a + b);",
          ),
          ground_truth: addTests,
        },
        {
          id: 'ts',
          task: 'code',
          response: fence(
            'typescript',
            "const [a, b]: number[] = require('fs').readFileSync(0, 'utf8').trim().split(' ').map(Number);\nconsole.log(a - b);",
          ),
          ground_truth: JSON.stringify(addTests),
        },
      ],
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: RewardResult[] };
    expect(results.map((r) => [r.id, r.task, r.status])).toEqual([
      ['m', 'math', 'ok'],
      ['py', 'code', 'ok'],
      ['js', 'code', 'ok'],
      ['ts', 'code', 'ok'],
    ]);
    expect(results.map((r) => r.score)).toEqual([1, 1, 1, 0]);
    expect(results[3]?.tests?.map((t) => t.passed)).toEqual([false, false, false]);
    expect(results[3]?.tests?.[0]?.firstDiff).toMatchObject({ expected: '3', got: '-1' });
  });

  it('gives pass_rate partial credit and all_or_nothing none', async () => {
    const program = fence('python', 'a, b = map(int, input().split())\nprint(a + b if a > 0 else 99)');
    const res = await post('/v1/reward', {
      items: [
        { task: 'code', response: program, ground_truth: addTests },
        { task: 'code', response: program, ground_truth: addTests, options: { scoring: 'all_or_nothing' } },
      ],
    });
    const { results } = (await res.json()) as { results: RewardResult[] };
    expect(results[0]?.score).toBeCloseTo(2 / 3);
    expect(results[1]?.score).toBe(0);
  });

  it('rejects a math option on a code item with 400 and its path', async () => {
    const res = await post('/v1/reward', {
      items: [{ task: 'code', response: 'x', ground_truth: addTests, options: { precision: 3 } }],
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; path: string } };
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.path).toMatch(/^items\.0\.options/);
  });
});

describe('POST /v1/code/run', () => {
  it('runs a program on each input without judging', async () => {
    const res = await post('/v1/code/run', {
      language: 'python',
      program: 'import sys\nprint(sys.stdin.read()[::-1])\nraise SystemExit(3)',
      inputs: ['abc', 'xyz'],
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as {
      results: { status: string; stdout: string; exitCode?: number }[];
    };
    expect(results.map((r) => r.stdout)).toEqual(['cba\n', 'zyx\n']);
    expect(results.map((r) => r.exitCode)).toEqual([3, 3]);
  });

  it.each([
    ['inputs', { inputs: Array(MAX_CODE_LIMITS.runInputs + 1).fill('') }],
    ['timeLimitS', { timeLimitS: MAX_CODE_LIMITS.runWallMs / 1000 + 1 }],
    ['memoryMb', { memoryMb: MAX_CODE_LIMITS.runMemoryMb + 1 }],
  ])('refuses a /v1/code/run over the server ceiling on %s with 400 and its path', async (field, over) => {
    const res = await post('/v1/code/run', { language: 'python', program: 'print(1)', ...over });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; path?: string } };
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.path).toBe(field);
  });

  it('answers 429 with Retry-After when the sandbox queue is full, and keeps serving', async () => {
    const slow = {
      language: 'javascript',
      program: 'const t = Date.now(); while (Date.now() - t < 400) {}',
      timeLimitS: 5,
    };
    const replies = await Promise.all(Array.from({ length: 8 }, () => post('/v1/code/run', slow)));
    const statuses = replies.map((r) => r.status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(429);
    const busy = replies.find((r) => r.status === 429) as Response;
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('BUSY');
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const after = await post('/v1/code/run', { language: 'javascript', program: 'console.log(42)' });
    expect(after.status).toBe(200);
  });
});
