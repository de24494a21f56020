import { describe, expect, it } from 'vitest';
import type { SandboxRunner } from '../../shared/code/runner.ts';
import { QueueFullError } from '../../shared/code/sandbox-pool.ts';
import type { CodeRunner } from '../../shared/code/score.ts';
import { Admission } from '../../shared/reward/admission.ts';
import { createScorer } from '../../shared/reward/compose.ts';
import type { RewardItem } from '../../shared/reward/schema.ts';
import type { RewardScorer } from '../../shared/reward/score.ts';

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

describe('scoring with admission', () => {
  const py = '```python\nprint(input())\n```';
  const code = (id: string): RewardItem => ({
    id,
    task: 'code',
    response: py,
    ground_truth: { inputs: [`${id}\n`], outputs: [`${id}\n`] },
  });
  const math = (id: string): RewardItem => ({ id, task: 'math', response: '\\boxed{1}', ground_truth: '1' });

  /** Sandboxes with room for 2 runs whose runs wait for `open()`, and math threads that record what they score. */
  function setUp(run?: CodeRunner) {
    const started: string[] = [];
    const mathScored: string[] = [];
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const gated: CodeRunner = async (_language, _program, stdin) => {
      started.push(stdin.trim());
      await gate;
      return { status: 'ok', stdout: stdin, stderr: '', ms: 1 };
    };
    const inline = createScorer();
    const mathThreads: RewardScorer = {
      score: (items) => {
        mathScored.push(...items.map((i) => String(i.id)));
        return inline.score(items);
      },
      close: async () => {},
    };
    const sandboxes: SandboxRunner = {
      run: run ?? gated,
      queued: () => ({ python: 0, javascript: 0, typescript: 0 }),
      capacity: { runs: 2, parallel: 2 },
      close: async () => {},
    };
    return { scorer: createScorer({ mathThreads, sandboxes }), started, mathScored, open };
  }

  it('refuses a batch whole while another holds the sandboxes: none of its items, math included, runs', async () => {
    const { scorer, started, mathScored, open } = setUp();
    const first = scorer.score([code('a1'), code('a2'), code('a3')]);
    // Nine math items: more than are scored inline, so they would go to the threads if the batch ran.
    const refused = [...Array.from({ length: 9 }, (_, i) => math(`b${i}`)), code('b9')];
    await expect(scorer.score(refused)).rejects.toBeInstanceOf(QueueFullError);
    open();
    expect((await first).map((r) => r.id)).toEqual(['a1', 'a2', 'a3']);
    expect(started).toEqual(['a1', 'a2', 'a3']);
    expect(mathScored).toEqual([]);
    // Once the first batch is done, the same batch is let in.
    expect((await scorer.score(refused)).every((r) => r.correct)).toBe(true);
    expect(mathScored).toHaveLength(9);
  });

  it('starts no more items of a batch after one of them was refused by a full sandbox queue', async () => {
    let calls = 0;
    const { scorer } = setUp(async () => {
      calls++;
      throw new QueueFullError(3);
    });
    const batch = Array.from({ length: 12 }, (_, i) => code(`c${i}`));
    await expect(scorer.score(batch)).rejects.toBeInstanceOf(QueueFullError);
    expect(calls).toBeLessThan(12); // the lanes in flight (8) ran; nothing started after the refusal
    expect(calls).toBeGreaterThan(0);
  });
});
