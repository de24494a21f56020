import { afterEach, describe, expect, it } from 'vitest';
import type { RewardItem, RewardResult } from '../../shared/reward/schema.ts';
import { createPool, type WorkerPool } from '../../shared/reward/threads/pool.ts';
import type { Echo } from './fixtures/echo-worker.ts';

const misbehaving = new URL('./fixtures/misbehaving-worker.ts', import.meta.url);
const broken = new URL('./fixtures/broken-worker.ts', import.meta.url);
const echoing = new URL('./fixtures/echo-worker.ts', import.meta.url);

const echoOf = (result: RewardResult | undefined): Echo => JSON.parse(result?.reason ?? 'null') as Echo;

/** Items "i" vs gold "i" (correct) for even i, vs gold "x" (incorrect) for odd i. */
function numbered(n: number): RewardItem[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    response: String(i),
    ground_truth: i % 2 === 0 ? String(i) : 'x',
  }));
}

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('WorkerPool', () => {
  it('returns one result per item in input order, across many chunks and workers', async () => {
    pool = createPool({ size: 3, chunkSize: 7 });
    const items = numbered(500);
    const results = await pool.score(items);
    expect(results).toHaveLength(500);
    results.forEach((result, i) => {
      expect(result.id).toBe(i);
      expect(result.correct).toBe(i % 2 === 0);
      expect(result.status).toBe('ok');
    });
  });

  it('scores concurrent batches independently', async () => {
    pool = createPool({ size: 2, chunkSize: 5 });
    const [a, b] = await Promise.all([pool.score(numbered(40)), pool.score(numbered(3))]);
    expect(a.map((r) => r.id)).toEqual(numbered(40).map((item) => item.id));
    expect(b.map((r) => r.id)).toEqual([0, 1, 2]);
  });

  it('resolves an empty batch to no results', async () => {
    pool = createPool({ size: 1 });
    expect(await pool.score([])).toEqual([]);
  });

  it('gives a code item an error result: code is never scored on a math thread', async () => {
    pool = createPool({ size: 1 });
    const [result] = await pool.score([{ task: 'code', response: 'print(1)', ground_truth: { tests: [] } }]);
    expect(result).toMatchObject({ task: 'code', status: 'error', score: 0, correct: false });
    expect(result?.reason).toMatch(/a code item was sent to a math thread/);
  });

  it('times out an item that never finishes, scores the rest of its batch, and keeps working', async () => {
    pool = createPool({ size: 2, chunkSize: 4, workerUrl: misbehaving });
    const items = numbered(20);
    items[5] = { id: 5, response: '__spin', ground_truth: '5', options: { timeoutMs: 200 } };
    const results = await pool.score(items);
    expect(results[5]).toMatchObject({ id: 5, status: 'timeout', score: 0, correct: false, extracted: null });
    results.forEach((result, i) => {
      expect(result.id).toBe(i);
      if (i !== 5) expect(result).toMatchObject({ status: 'ok', correct: i % 2 === 0 });
    });

    const next = await pool.score(numbered(10));
    expect(next.map((r) => r.status)).toEqual(Array(10).fill('ok'));
    expect(next.map((r) => r.correct)).toEqual(numbered(10).map((_, i) => i % 2 === 0));
  });

  it('uses the pool timeout for items that set none', async () => {
    pool = createPool({ size: 1, timeoutMs: 100, workerUrl: misbehaving });
    const results = await pool.score([
      { id: 'a', response: '1', ground_truth: '1' },
      { id: 'b', response: '__spin', ground_truth: '1' },
      { id: 'c', response: '1', ground_truth: '1' },
    ]);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['a', 'ok'],
      ['b', 'timeout'],
      ['c', 'ok'],
    ]);
  });

  it('gives an item whose worker dies an error result and scores the others', async () => {
    pool = createPool({ size: 1, workerUrl: misbehaving });
    const items = numbered(6);
    items[2] = { id: 2, response: '__exit', ground_truth: '2' };
    const results = await pool.score(items);
    expect(results[2]).toMatchObject({ id: 2, status: 'error', score: 0 });
    expect(results[2]?.reason).toMatch(/worker/);
    expect(results.filter((_, i) => i !== 2).map((r) => r.status)).toEqual(Array(5).fill('ok'));
  });

  describe('two chunks in flight per worker (the next waits in its port)', () => {
    const misbehave = (kind: '__spin' | '__exit', at: number, n: number): RewardItem[] => {
      const items = numbered(n);
      items[at] = { id: at, response: kind, ground_truth: String(at), options: { timeoutMs: 200 } };
      return items;
    };
    const statuses = (results: RewardResult[]) => results.map((r) => [r.id, r.status]);

    // A spin ends in worker.terminate(); each one also risks a rare V8 abort of the whole process
    // ("Check failed: jit_page.has_value()", seen once under heavy load), so spins are kept to the two
    // positions that matter: the first chunk with the next waiting, and the next chunk itself.
    for (const [kind, status, positions] of [
      ['__spin', 'timeout', [0, 3]],
      ['__exit', 'error', [0, 1, 2, 3]],
    ] as const) {
      for (const at of positions) {
        it(`${kind} at item ${at} of chunks (0,1) and (2,3): that item ${status}, every other scored once`, async () => {
          pool = createPool({ size: 1, chunkSize: 2, workerUrl: misbehaving });
          const results = await pool.score(misbehave(kind, at, 6));
          expect(statuses(results)).toEqual(numbered(6).map((_, i) => [i, i === at ? status : 'ok']));
          results.forEach((r, i) => {
            if (i !== at) expect(r.correct).toBe(i % 2 === 0);
          });
          expect((await pool.score(numbered(4))).map((r) => r.status)).toEqual(Array(4).fill('ok'));
        });
      }
    }
  });

  it('answers with error results, not a hang, when its worker cannot start', async () => {
    pool = createPool({ size: 2, workerUrl: broken });
    const results = await pool.score(numbered(3));
    expect(results.map((r) => r.status)).toEqual(['error', 'error', 'error']);
    expect(results[0]?.reason).toMatch(/failed to start/);
  });

  it('rejects batches after close', async () => {
    pool = createPool({ size: 1 });
    await pool.score(numbered(2));
    await pool.close();
    await expect(pool.score(numbered(1))).rejects.toThrow(/closed/);
  });

  describe('what crosses to a worker', () => {
    it('is only what scorers read; the id is put back on the result', async () => {
      pool = createPool({ size: 1, workerUrl: echoing });
      const results = await pool.score([
        {
          id: 'a',
          task: 'math',
          data_source: 'MATH-500',
          response: 'r',
          ground_truth: '1',
          options: { timeoutMs: 500 },
          extra_info: { notes: 'x'.repeat(100_000) },
        },
        { response: 'no id', ground_truth: '2' },
      ]);
      expect(echoOf(results[0]).keys).toEqual(['data_source', 'ground_truth', 'options', 'response', 'task']);
      expect(results[0]).toMatchObject({ id: 'a', extracted: 'r' });
      expect(echoOf(results[1]).keys).toEqual(['ground_truth', 'response']);
      expect(results[1]).not.toHaveProperty('id');
    });

    it('carries every response unchanged, whatever its characters', async () => {
      pool = createPool({ size: 1, workerUrl: echoing });
      const responses = [
        '',
        'plain ascii',
        '\uFEFFa byte-order mark first',
        'é, ü, ß: Latin-1',
        '日本語, 𝑥² ✓ and an emoji 🧮',
        'a lone \uD800 high surrogate',
        'a lone \uDC00 low one',
        'nul \u0000 inside',
        `long ${'∑ ab'.repeat(50_000)}`,
        '',
        'last',
      ];
      const results = await pool.score(responses.map((response) => ({ response, ground_truth: '1' })));
      expect(results.map((r) => r.extracted)).toEqual(responses);
    });

    it('is a large batch in chunks of up to chunkSize items, over every worker, smaller as the queue drains', async () => {
      pool = createPool({ size: 2, chunkSize: 256, workerUrl: echoing });
      // Both workers must be ready before the batch, or the first could take it all while the other starts.
      const threads = new Set<number>();
      for (let tries = 0; threads.size < 2 && tries < 200; tries++) {
        for (const r of await pool.score(numbered(4))) threads.add(echoOf(r).thread);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(threads.size).toBe(2);

      const chunks = new Map<string, number>();
      for (const r of await pool.score(numbered(2048))) {
        const { thread, chunk } = echoOf(r);
        const key = `${thread}/${chunk}`;
        chunks.set(key, (chunks.get(key) ?? 0) + 1);
      }
      expect(new Set([...chunks.keys()].map((key) => key.split('/')[0])).size).toBe(2);
      // Each chunk a 1/size share of what is still queued, at most 256: 7 x 256, then halving to one item.
      expect([...chunks.values()].sort((a, b) => b - a)).toEqual([
        256, 256, 256, 256, 256, 256, 256, 128, 64, 32, 16, 8, 4, 2, 1, 1,
      ]);
    });
  });

  describe('an item that cannot be copied to a worker', () => {
    /** A value nested `depth` deep: structured clone overflows the stack on it. */
    function deep(depth: number): Record<string, unknown> {
      let value: Record<string, unknown> = { leaf: 1 };
      for (let i = 0; i < depth; i++) value = { a: value };
      return value;
    }
    const bad = (): RewardItem[] => [
      { id: 'deep', response: '1', ground_truth: deep(200_000) },
      { id: 'fn', response: '1', ground_truth: { f: () => 1 } as unknown as Record<string, unknown> },
    ];

    for (const state of ['cold', 'warm'] as const) {
      it(`gets an error result alone, on a ${state} pool, and frees its worker`, async () => {
        pool = createPool({ size: 1, chunkSize: 8 });
        if (state === 'warm') await pool.score(numbered(2));
        for (let round = 0; round < 3; round++) {
          const results = await pool.score([...numbered(3), ...bad()]);
          expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'error', 'error']);
          expect(results[3]?.reason).toMatch(/could not be sent to a scoring worker/);
        }
        expect((await pool.score(numbered(4))).map((r) => r.correct)).toEqual([true, false, true, false]);
      });
    }
  });
});
