import { afterEach, describe, expect, it, vi } from 'vitest';
import { SCORERS } from '../../shared/reward/registry.ts';
import { RewardItem, RewardResult } from '../../shared/reward/schema.ts';
import { inlineScore, scoreItem } from '../../shared/reward/score.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('scoreItem', () => {
  it('marks an equal answer correct and a different one incorrect', () => {
    expect(scoreItem({ id: 'a', response: '7', ground_truth: '7' })).toMatchObject({
      id: 'a',
      task: 'math',
      score: 1,
      correct: true,
      status: 'ok',
    });
    expect(scoreItem({ response: '7', ground_truth: '8' })).toMatchObject({ score: 0, correct: false });
  });

  it('stringifies a number gold', () => {
    expect(scoreItem({ response: '7', ground_truth: 7 }).correct).toBe(true);
  });

  it('is correct when any of several golds matches', () => {
    expect(scoreItem({ response: '7', ground_truth: ['8', '7'] }).correct).toBe(true);
    expect(scoreItem({ response: '7', ground_truth: ['8', '9'] }).correct).toBe(false);
  });

  it('gives a math item with an object gold an error result', () => {
    const result = scoreItem({ task: 'math', response: '7', ground_truth: { answer: '7' } });
    expect(result).toMatchObject({ task: 'math', status: 'error', score: 0, correct: false });
    expect(result.reason).toMatch(/ground_truth/);
  });

  it('sends an item whose gold is tests to the code scorer when no task or data_source says otherwise', () => {
    const result = scoreItem({ response: '7', ground_truth: [{ input: '1\n', output: '1\n' }] });
    expect(result).toMatchObject({ task: 'code', status: 'error' });
  });

  it('gives a code item an error result instead of throwing', () => {
    const result = scoreItem({ task: 'code', response: 'print(1)', ground_truth: { inputs: [] } });
    expect(result).toMatchObject({ task: 'code', status: 'error', score: 0 });
    expect(result.reason).toMatch(/code scoring is not available/);
  });

  it('turns a throwing scorer into an error result', () => {
    vi.spyOn(SCORERS, 'math').mockImplementation(() => {
      throw new Error('boom');
    });
    const result = scoreItem({ id: 3, response: '7', ground_truth: '7' });
    expect(result).toMatchObject({ id: 3, task: 'math', status: 'error', score: 0, correct: false });
    expect(result.reason).toMatch(/boom/);
  });

  it('gives an item with an unknown task an error result', () => {
    expect(scoreItem({ task: 'chess', response: 'e4', ground_truth: 'e4' })).toMatchObject({
      task: 'chess',
      status: 'error',
    });
  });

  it('produces results that match the RewardResult schema', () => {
    for (const result of inlineScore([
      { id: 1, response: '7', ground_truth: '7' },
      { task: 'code', response: '', ground_truth: {} },
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
