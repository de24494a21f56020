import { describe, expect, it } from 'vitest';
import type { CodeRunner } from '../../shared/code/score.ts';
import type { RunResult } from '../../shared/code/types.ts';
import { createScorer } from '../../shared/reward/compose.ts';
import { RewardItem, RewardResult } from '../../shared/reward/schema.ts';
import { INLINE_MAX_CHARS, INLINE_MAX_ITEMS, UnavailableError } from '../../shared/reward/score.ts';

const inline = createScorer();
const scoreOne = async (item: RewardItem) => (await inline.score([item]))[0] as RewardResult;
const py = (code: string) => `\`\`\`python\n${code}\n\`\`\``;
const okRun = (stdout: string): RunResult => ({ status: 'ok', stdout, stderr: '', ms: 1 });

describe('scoreBatch through createScorer', () => {
  it('marks an equal answer correct and a different one incorrect', async () => {
    expect(await scoreOne({ id: 'a', response: '7', ground_truth: '7' })).toMatchObject({
      id: 'a',
      task: 'math',
      score: 1,
      correct: true,
      status: 'ok',
    });
    expect(await scoreOne({ response: '7', ground_truth: '8' })).toMatchObject({ score: 0, correct: false });
  });

  it('stringifies a number gold, and is correct when any of several golds matches', async () => {
    expect((await scoreOne({ response: '7', ground_truth: 7 })).correct).toBe(true);
    expect((await scoreOne({ response: '7', ground_truth: ['8', '7'] })).correct).toBe(true);
    expect((await scoreOne({ response: '7', ground_truth: ['8', '9'] })).correct).toBe(false);
  });

  it('gives an item that cannot be a job an error result naming why (math gold as an object, unknown task)', async () => {
    const objectGold = await scoreOne({ task: 'math', response: '7', ground_truth: { answer: '7' } });
    expect(objectGold).toMatchObject({ task: 'math', status: 'error', score: 0, correct: false });
    expect(objectGold.reason).toMatch(/^ground_truth: /);
    const chess = await scoreOne({ task: 'chess', response: 'e4', ground_truth: 'e4' });
    expect(chess).toMatchObject({ task: 'chess', status: 'error' });
    expect(chess.reason).toMatch(/^task: unknown task "chess"/);
  });

  it('refuses a batch holding a code item where there are no sandboxes, naming the item (UNAVAILABLE)', async () => {
    const tests = [{ input: '1\n', output: '1\n' }];
    const batch: RewardItem[] = [
      { response: '7', ground_truth: '7' },
      { response: '7', ground_truth: tests },
    ];
    await expect(inline.score(batch)).rejects.toThrow(UnavailableError);
    await expect(inline.score(batch)).rejects.toThrow(
      /^items\.1 is a code item: this runtime has no code sandboxes/,
    );
    const workers = createScorer({ sandboxes: { unavailable: 'no native addons here' } });
    await expect(workers.score(batch)).rejects.toThrow('items.1 is a code item: no native addons here');
  });

  it("scores code with the sandboxes given, and turns a scorer that throws into that item's error result", async () => {
    const runner: CodeRunner = async (_language, _program, stdin) => {
      if (stdin === 'boom\n') throw new Error('the sandbox broke');
      return okRun(stdin);
    };
    const scorer = createScorer({
      sandboxes: {
        run: runner,
        queued: () => ({ python: 0, javascript: 0, typescript: 0 }),
        capacity: { runs: 8, parallel: 2 },
        close: async () => {},
      },
    });
    const [good, broken, math] = await scorer.score([
      {
        id: 1,
        task: 'code',
        response: py('print(input())'),
        ground_truth: { inputs: ['2\n'], outputs: ['2\n'] },
      },
      {
        id: 2,
        task: 'code',
        response: py('print(input())'),
        ground_truth: { inputs: ['boom\n'], outputs: ['x\n'] },
      },
      { id: 3, response: '\\boxed{1}', ground_truth: '1' },
    ]);
    expect(good).toMatchObject({ id: 1, task: 'code', correct: true, status: 'ok' });
    expect(broken).toMatchObject({ id: 2, task: 'code', correct: false });
    expect(broken?.reason ?? JSON.stringify(broken?.tests)).toMatch(/the sandbox broke/);
    expect(math).toMatchObject({ id: 3, correct: true });
  });

  it('scores small math batches inline and sends larger or longer ones to the math threads', async () => {
    const sent: number[] = [];
    const threads = {
      score: async (items: RewardItem[]) => {
        sent.push(items.length);
        return inline.score(items);
      },
      close: async () => {},
    };
    const scorer = createScorer({ mathThreads: threads });
    const item = (response: string): RewardItem => ({ response, ground_truth: '1' });
    await scorer.score(Array.from({ length: INLINE_MAX_ITEMS }, () => item('\\boxed{1}')));
    expect(sent).toEqual([]);
    await scorer.score(Array.from({ length: INLINE_MAX_ITEMS + 1 }, () => item('\\boxed{1}')));
    const long = `${'x'.repeat(INLINE_MAX_CHARS)} \\boxed{1}`;
    const results = await scorer.score([item(long)]);
    await scorer.score([{ ...item('\\boxed{1}'), options: { timeoutMs: 5000 } }]);
    expect(sent).toEqual([INLINE_MAX_ITEMS + 1, 1, 1]);
    expect(results[0]?.correct).toBe(true);
  });

  it('produces results that match the RewardResult schema', async () => {
    for (const result of await inline.score([
      { id: 1, response: '7', ground_truth: '7' },
      { task: 'math', response: '', ground_truth: {} },
    ])) {
      expect(RewardResult.safeParse(result).success).toBe(true);
    }
  });
});

describe('RewardItem schema', () => {
  it('rejects unknown option keys', () => {
    const parsed = RewardItem.safeParse({ response: '1', ground_truth: '1', options: { timeoutMS: 5 } });
    expect(parsed.success).toBe(false);
  });

  it('rejects a timeoutMs over 10000 and an empty gold list', () => {
    expect(
      RewardItem.safeParse({ response: '1', ground_truth: '1', options: { timeoutMs: 10_001 } }).success,
    ).toBe(false);
    expect(RewardItem.safeParse({ response: '1', ground_truth: [] }).success).toBe(false);
  });

  it('accepts every documented option', () => {
    const options = {
      timeoutMs: 500,
      precision: 4,
      strict: false,
      allowSetRelation: true,
      extraction: ['latex'],
      requireThinkClose: true,
      percentLenient: false,
      maxResponseChars: 1000,
      maxAnswerChars: 100,
    };
    expect(RewardItem.safeParse({ response: '1', ground_truth: '1', options }).success).toBe(true);
  });
});
