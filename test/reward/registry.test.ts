import { describe, expect, it } from 'vitest';
import { resolveTask, taskForDataSource } from '../../shared/reward/registry.ts';

describe('resolveTask', () => {
  it.each([
    'math',
    'math500',
    'HuggingFaceH4/MATH-500',
    'lighteval/MATH',
    'DigitalLearningGmbH/MATH-lighteval',
    'gsm8k',
    'openai/gsm8k',
    'aime2024',
    'AIME_2025',
    'amc23',
    'minerva_math',
    'olympiadbench',
    'numina_cn_k12',
    'math_dapo',
    'deepscaler',
  ])('routes data_source %s to math', (dataSource) => {
    expect(resolveTask({ data_source: dataSource })).toBe('math');
  });

  it.each([
    'codecontests',
    'taco',
    'apps',
    'livecodebench',
    'humaneval',
    'mbpp',
    'leetcode',
    'codeforces',
    'primeintellect',
    'open-r1/codeforces',
  ])('routes data_source %s to code', (dataSource) => {
    expect(resolveTask({ data_source: dataSource })).toBe('code');
  });

  it('prefers an explicit task over the data_source route', () => {
    expect(resolveTask({ task: 'code', data_source: 'gsm8k' })).toBe('code');
  });

  it('uses math when neither task nor data_source is given', () => {
    expect(resolveTask({})).toBe('math');
  });

  it('returns UNKNOWN_TASK for a task with no scorer', () => {
    expect(resolveTask({ task: 'chess' })).toMatchObject({ code: 'UNKNOWN_TASK', path: 'task' });
  });

  it('returns UNKNOWN_TASK for a data_source with no route', () => {
    const error = resolveTask({ data_source: 'my/private-set' });
    expect(error).toMatchObject({ code: 'UNKNOWN_TASK', path: 'data_source' });
    expect(taskForDataSource('my/private-set')).toBeUndefined();
  });

  it('does not route names that only contain a pattern in the middle', () => {
    expect(taskForDataSource('my_aime')).toBeUndefined();
  });

  it.each([
    ['an APPS object', { inputs: ['1\n'], outputs: ['1\n'] }],
    ['a Codeforces list', [{ input: '1\n', output: '1\n' }]],
    ['a LiveCodeBench list', [{ input: '1\n', output: '1\n', testtype: 'stdin' }]],
    ['JSON text of an object', ' {"inputs": ["1\\n"], "outputs": ["1\\n"]}'],
    ['JSON text of a list', '[ {"input": "1\\n", "output": "1\\n"}]'],
    ['an empty object', {}],
  ])('routes a gold that is tests (%s) to code when neither task nor data_source says', (_, gold) => {
    expect(resolveTask({ ground_truth: gold })).toBe('code');
  });

  it.each(['7', '[1, 2]', '(-\\infty, 2]', '{1, 2}', '\\{1, 2\\}', '[{1, 2}]'])(
    'keeps the math gold %s on math',
    (gold) => {
      expect(resolveTask({ ground_truth: gold })).toBe('math');
      expect(resolveTask({ ground_truth: [gold] })).toBe('math');
    },
  );

  it('lets task and a routed data_source win over the gold shape, and the gold shape over an unrouted data_source', () => {
    const tests = [{ input: '1\n', output: '1\n' }];
    expect(resolveTask({ task: 'math', ground_truth: tests })).toBe('math');
    expect(resolveTask({ data_source: 'gsm8k', ground_truth: tests })).toBe('math');
    expect(resolveTask({ data_source: 'my/private-set', ground_truth: tests })).toBe('code');
  });
});
