import { afterEach, describe, expect, it } from 'vitest';
import { createPool, type WorkerPool } from '../../shared/reward/pool.ts';
import type { RewardItem } from '../../shared/reward/schema.ts';

const misbehaving = new URL('./fixtures/misbehaving-worker.ts', import.meta.url);
const broken = new URL('./fixtures/broken-worker.ts', import.meta.url);

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

  it('gives a code item an error result saying code scoring is not available', async () => {
    pool = createPool({ size: 1 });
    const [result] = await pool.score([{ task: 'code', response: 'print(1)', ground_truth: { tests: [] } }]);
    expect(result).toMatchObject({ task: 'code', status: 'error', score: 0, correct: false });
    expect(result?.reason).toMatch(/code scoring is not available/);
  });

  it('times out an item that never finishes, scores the rest of its batch, and keeps working', async () => {
    pool = createPool({ size: 2, chunkSize: 4, workerUrl: misbehaving });
    const items = numbered(20);
    items[5] = {
      id: 5,
      response: '5',
      ground_truth: '5',
      extra_info: { __spin: true },
      options: { timeoutMs: 200 },
    };
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
      { id: 'b', response: '1', ground_truth: '1', extra_info: { __spin: true } },
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
    items[2] = { id: 2, response: '2', ground_truth: '2', extra_info: { __exit: true } };
    const results = await pool.score(items);
    expect(results[2]).toMatchObject({ id: 2, status: 'error', score: 0 });
    expect(results[2]?.reason).toMatch(/worker/);
    expect(results.filter((_, i) => i !== 2).map((r) => r.status)).toEqual(Array(5).fill('ok'));
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
