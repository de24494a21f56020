import { describe, expect, it } from 'vitest';
import { QueueFullError } from '../../shared/code/sandbox-pool.ts';
import { Admission } from '../../shared/reward/admission.ts';
import { RoutingScorer } from '../../shared/reward/routing.ts';
import type { RewardItem, RewardResult } from '../../shared/reward/schema.ts';
import { inlineScorer, type RewardScorer } from '../../shared/reward/score.ts';

describe('Admission', () => {
  it('lets batches in while their lanes fit and refuses the next one whole', () => {
    const admission = new Admission(4, 2);
    const a = admission.admit(3, 10);
    expect(() => admission.admit(2, 1)).toThrow(QueueFullError);
    const b = admission.admit(1, 1);
    a.release();
    b.release();
    expect(() => admission.admit(4, 1).release()).not.toThrow();
  });

  it('gives a batch wider than the whole capacity all of it, rather than refusing it forever', () => {
    const admission = new Admission(2, 1);
    const wide = admission.admit(8, 8);
    expect(() => admission.admit(1, 1)).toThrow(QueueFullError);
    wide.release();
  });

  it('refuses a batch while the admitted work needs longer than the longest wait, though lanes are free', () => {
    const admission = new Admission(100, 1, 12);
    const slow = admission.admit(1, 5);
    slow.itemDone(30_000); // the average moves to ~3.2 s per item; 4 items left: ~12.7 s
    expect(() => admission.admit(1, 1)).toThrow(QueueFullError);
    slow.itemDone(30_000);
    slow.itemDone(30_000);
    slow.itemDone(30_000); // 1 item left at ~10.4 s
    admission.admit(1, 1).release();
    slow.release();
    admission.admit(1, 1).release(); // nothing admitted: always let in
  });

  it('says in Retry-After how long the admitted items still need', () => {
    const admission = new Admission(100, 2);
    const ticket = admission.admit(8, 100);
    for (let i = 0; i < 50; i++) ticket.itemDone(1000);
    let refused: QueueFullError | undefined;
    try {
      admission.admit(100, 1);
    } catch (err) {
      refused = err as QueueFullError;
    }
    // 50 items left at ~1 s each (the average has moved from 200 ms to nearly 1 s) over 2 sandboxes.
    expect(refused?.retryAfterS).toBeGreaterThanOrEqual(20);
    expect(refused?.retryAfterS).toBeLessThanOrEqual(25);
    ticket.release();
  });
});

describe('RoutingScorer with admission', () => {
  const code = (id: string): RewardItem => ({ id, task: 'code', response: '', ground_truth: {} });
  const math = (id: string): RewardItem => ({ id, task: 'math', response: '\\boxed{1}', ground_truth: '1' });

  function setUp() {
    const started: string[] = [];
    const mathScored: string[] = [];
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const host = async (item: RewardItem): Promise<RewardResult> => {
      started.push(String(item.id));
      await gate;
      return { id: item.id, task: 'code', score: 1, correct: true, status: 'ok', extracted: null, ms: 0 };
    };
    const inline = inlineScorer();
    const base: RewardScorer = {
      score: (items) => {
        mathScored.push(...items.map((i) => String(i.id)));
        return inline.score(items);
      },
      close: async () => {},
    };
    const scorer = new RoutingScorer(
      base,
      { code: host },
      { hostConcurrency: 2, admission: new Admission(2, 2) },
    );
    return { scorer, started, mathScored, open };
  }

  it('refuses a batch whole while another holds the sandboxes: none of its items, math included, runs', async () => {
    const { scorer, started, mathScored, open } = setUp();
    const first = scorer.score([code('a1'), code('a2'), code('a3')]);
    await expect(scorer.score([math('b0'), code('b1')])).rejects.toBeInstanceOf(QueueFullError);
    open();
    expect((await first).map((r) => r.id)).toEqual(['a1', 'a2', 'a3']);
    expect(started).toEqual(['a1', 'a2', 'a3']);
    expect(mathScored).toEqual([]);
    // Once the first batch is done, the same batch is let in.
    expect((await scorer.score([math('b0'), code('b1')])).map((r) => r.correct)).toEqual([true, true]);
  });

  it('starts no more items of a batch after one of them failed', async () => {
    let calls = 0;
    const host = async (): Promise<RewardResult> => {
      calls++;
      throw new QueueFullError(3);
    };
    const scorer = new RoutingScorer(inlineScorer(), { code: host }, { hostConcurrency: 1 });
    await expect(scorer.score([code('x'), code('y'), code('z')])).rejects.toBeInstanceOf(QueueFullError);
    expect(calls).toBe(1);
  });
});
