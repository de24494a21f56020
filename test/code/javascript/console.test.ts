import { format } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useSandbox } from './helpers.ts';

/**
 * console.log arguments (as source text) whose formatting must match this Node's own util.format:
 * each is evaluated here and printed in the sandbox, and the two texts compared.
 */
const cases = [
  '1, 2.5, -0, NaN, -Infinity, 1e21, 123456789012345680000',
  '10n, true, null, undefined',
  "'plain string', 'with \\'quotes\\''",
  '[1, 2, 3]',
  '[]',
  '[[1, 2], [3, 4]]',
  'Array.from({ length: 30 }, (_, i) => i * i)',
  'Array.from({ length: 7 }, (_, i) => i)',
  'Array.from({ length: 120 }, (_, i) => i)',
  'Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i).repeat(i % 5 + 1))',
  '[1.5, -2.25, 3]',
  "['a', 'b', 'c']",
  '[1, , 3], new Array(5)',
  '{ a: 1, b: "two", c: [1, 2, 3] }',
  '{}',
  "{ 'key with space': 1, valid_id: 2, 3: 'three' }",
  '{ nested: { deeper: { deepest: { gone: 1 } } } }',
  '{ a: { b: { c: {} } } }',
  'Object.fromEntries(Array.from({ length: 12 }, (_, i) => ["key" + i, i * 1000]))',
  '[{ x: 1, y: 2 }, { x: 3, y: 4 }]',
  'new Map([["a", 1], ["b", { c: 2 }]]), new Set([1, 2, 3]), new Map(), new Set()',
  'new Uint8Array([1, 2, 3]), new Float64Array(2), new Int32Array(0)',
  'Buffer.from("hello")',
  'function named() {}, () => 1, class Foo {}, class Bar extends Array {}',
  'new (class Point { constructor() { this.x = 1; this.y = 2; } })()',
  'Object.create(null)',
  'Object.assign(Object.create(null), { a: 1 })',
  'new Date(0), /ab+c/gi',
  '[undefined, null, NaN]',
  "'%s is %d years and %i days, %f', 'Bob', 42.5, 3.9, '1.5'",
  "'%j %o %%', { a: [1] }, 'x'",
  "'%s', { a: 1 }, 'extra', 7",
  "'%c styled', 'color: red'",
  '"multi\\nline string", ["multi\\nline"]',
  "{ s: 'x'.repeat(100) }",
  'Array.from({ length: 3 }, () => Array.from({ length: 10 }, (_, j) => j))',
  '[true, false, true, false, true, false, true, false]',
  '{ arr: Array.from({ length: 20 }, (_, i) => i), flag: true }',
  'Symbol("s"), [Symbol.iterator]',
  'Object.assign([1, 2], { extra: "yes" })',
  'new Number(3), new String("s"), new Boolean(false)',
  '[[[[1]]]], { a: [{ b: [{ c: 1 }] }] }',
];

describe('console.log formatting', () => {
  const { run } = useSandbox();
  for (const args of cases) {
    it(`formats ${args.length > 60 ? `${args.slice(0, 57)}...` : args} like Node`, async () => {
      const expected = `${format(...(new Function(`return [${args}];`)() as unknown[]))}\n`;
      const result = await run(`console.log(${args});`);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(expected);
    });
  }

  it('formats circular references like Node', async () => {
    const program = 'const a = { name: "a" }; a.self = a; a.list = [a]; console.log(a);';
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    a.list = [a];
    expect((await run(program)).stdout).toBe(`${format(a)}\n`);
  });

  it('prints an Error with its stack, and an object holding one', async () => {
    const result = await run('const e = new Error("boom"); console.log(e); console.error({ e });');
    expect(result.stdout).toMatch(/^Error: boom\n {4}at .*main\.js:1:\d+/);
    expect(result.stderr).toMatch(/^\{\n {2}e: Error: boom\n {6}at /);
  });

  it('sends error and warn to stderr, log, info and debug to stdout', async () => {
    const result = await run(
      'console.log(1); console.error(2); console.info(3); console.warn(4); console.debug(5);',
    );
    expect(result).toMatchObject({ stdout: '1\n3\n5\n', stderr: '2\n4\n' });
  });

  it('writes process.stdout.write text as is, and Buffers as UTF-8', async () => {
    const result = await run(
      'process.stdout.write("a"); process.stdout.write(Buffer.from("é\\n")); process.stderr.write("e");',
    );
    expect(result).toMatchObject({ stdout: 'aé\n', stderr: 'e' });
  });

  it('prints with util.inspect and util.format from require("util")', async () => {
    const program = `const util = require('util');
console.log(util.inspect({ a: { b: { c: { d: 1 } } } }, { depth: null }));
console.log(util.format('%s=%d', 'x', 5));`;
    expect((await run(program)).stdout).toBe('{\n  a: { b: { c: { d: 1 } } }\n}\nx=5\n');
  });

  it('indents console.group output', async () => {
    expect(
      (await run('console.group("g"); console.log("in"); console.groupEnd(); console.log("out");')).stdout,
    ).toBe('g\n  in\nout\n');
  });
});
