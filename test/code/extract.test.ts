import { describe, expect, it } from 'vitest';
import { extractProgram, fencedBlocks } from '../../shared/code/extract.ts';

const fence = (tag: string, code: string) => `\`\`\`${tag}\n${code}\n\`\`\``;

describe('extractProgram: fenced blocks', () => {
  it('takes the last block tagged with the wanted language', () => {
    const r = `Draft:\n${fence('python', 'print(1)')}\nFinal:\n${fence('py', 'print(2)')}\n${fence('javascript', 'console.log(3)')}`;
    expect(extractProgram(r, 'python')).toEqual({ code: 'print(2)', language: 'python', source: 'fence' });
    expect(extractProgram(r, 'javascript')).toEqual({
      code: 'console.log(3)',
      language: 'javascript',
      source: 'fence',
    });
  });

  it.each([
    ['python3', 'python'],
    ['Python', 'python'],
    ['js', 'javascript'],
    ['node', 'javascript'],
    ['ts', 'typescript'],
    ['typescript', 'typescript'],
  ] as const)('detects %s as %s when the item names no language', (tag, language) => {
    expect(extractProgram(fence(tag, 'x = 1'))).toEqual({ code: 'x = 1', language, source: 'fence' });
  });

  it('prefers a tagged program block over a later untagged one (sample output)', () => {
    const r = `${fence('python', 'print(int(input()) * 2)')}\nFor input 2 it prints:\n${fence('', '4')}`;
    expect(extractProgram(r)?.code).toBe('print(int(input()) * 2)');
  });

  it('falls back to the last untagged block, then to any block that is not text or output', () => {
    expect(extractProgram(`${fence('', 'a = 1')}\n${fence('', 'b = 2')}`, 'python')).toEqual({
      code: 'b = 2',
      language: 'python',
      source: 'fence',
    });
    expect(extractProgram(`${fence('cpp', 'int main() {}')}\n${fence('text', 'out')}`, 'python')?.code).toBe(
      'int main() {}',
    );
    expect(extractProgram(fence('output', '42'), 'python')).toBeNull();
  });

  it('reads only the text after </think>', () => {
    const r = `<think>\n${fence('python', 'print("draft")')}\n</think>\n${fence('python', 'print("final")')}`;
    expect(extractProgram(r, 'python')?.code).toBe('print("final")');
    expect(
      extractProgram(`<think>${fence('python', 'print(1)')}</think>No code, sorry.`, 'python'),
    ).toBeNull();
  });

  it('accepts an unclosed last block (generation stopped at the fence), tildes and CRLF', () => {
    expect(extractProgram('Here:\n```python\nprint(1)\nprint(2)', 'python')?.code).toBe('print(1)\nprint(2)');
    expect(extractProgram('~~~python\nx = 1\n~~~', 'python')?.code).toBe('x = 1');
    expect(extractProgram('```python\r\nx = 1\r\n```\r\n', 'python')?.code).toBe('x = 1');
  });

  it('keeps a longer fence open across shorter ones inside it', () => {
    expect(fencedBlocks('````md\n```python\nx\n```\n````')).toEqual([
      { tag: 'md', code: '```python\nx\n```' },
    ]);
  });

  it('skips empty blocks', () => {
    expect(extractProgram(`${fence('python', 'x = 1')}\n${fence('python', '  ')}`, 'python')?.code).toBe(
      'x = 1',
    );
  });
});

describe('extractProgram: no fence', () => {
  it.each([
    'def f(x):\n    return x + 1\n',
    'import sys\nprint(sys.stdin.read())',
    'n = int(input())\nprint(n * 2)',
    'class Solution:\n    def f(self): return 1',
    '    return a + b\n',
  ])('takes Python that starts like code: %j', (r) => {
    expect(extractProgram(r, 'python')).toMatchObject({ source: 'whole', language: 'python' });
  });

  it('takes JavaScript that starts like code', () => {
    expect(extractProgram("const fs = require('fs');\nconsole.log(1);", 'javascript')?.source).toBe('whole');
    expect(extractProgram('function f() {}\n')).toEqual({ code: 'function f() {}', source: 'whole' });
  });

  it.each([
    'The answer is 42.',
    'Here is my solution: it sorts the list.',
    '',
    '<think>def f(): pass</think>',
  ])('returns null for prose or nothing: %j', (r) => {
    expect(extractProgram(r, 'python')).toBeNull();
  });

  it('returns null when every fenced block is output or empty', () => {
    expect(extractProgram('Output:\n```text\n4\n```\nx = 1', 'python')).toBeNull();
  });
});
