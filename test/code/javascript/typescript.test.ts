import { describe, expect, it } from 'vitest';
import { NUMBERS_INPUT, NUMBERS_OUTPUT, useSandbox } from './helpers.ts';

describe('TypeScript', () => {
  const { run, sandbox } = useSandbox({ language: 'typescript' });

  it('is the typescript language', () => {
    expect(sandbox.language).toBe('typescript');
  });

  it('runs a typed program reading stdin with an import', async () => {
    const program = `import * as readline from 'readline';

interface Row { values: number[] }
enum Mode { Sum = 1 }
type Sum = (row: Row) => number;

const rl = readline.createInterface({ input: process.stdin });
const lines: string[] = [];
rl.on('line', (line: string) => lines.push(line));
rl.on('close', (): void => {
  const n: number = Number(lines[0]);
  const sum: Sum = (row) => row.values.reduce((a: number, b: number) => a + b, Mode.Sum - 1);
  for (let i = 1; i <= n; i++) console.log(sum({ values: lines[i]!.split(' ').map(Number) }));
});`;
    const result = await run(program, NUMBERS_INPUT);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ status: 'ok', stdout: NUMBERS_OUTPUT });
  });

  it('runs classes with parameter properties, generics and a default import', async () => {
    const program = `import fs from 'fs';
class Stack<T> {
  constructor(private readonly items: T[] = []) {}
  push(x: T): this { this.items.push(x); return this; }
  get size(): number { return this.items.length; }
}
const words = fs.readFileSync(0, 'utf8').split(/\\s+/).filter(Boolean);
console.log(words.reduce((s, w) => s.push(w), new Stack<string>()).size);`;
    expect(await run(program, 'a b c\nd\n')).toMatchObject({ status: 'ok', stdout: '4\n' });
  });

  it('runs top-level await', async () => {
    const program = `const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
await wait(5);
console.log('after await');`;
    expect(await run(program)).toMatchObject({ status: 'ok', stdout: 'after await\n' });
  });

  it('runs imports together with a top-level for await', async () => {
    const program = `import * as readline from 'node:readline';
import fs, { readFileSync as read } from 'fs';
const rl = readline.createInterface({ input: process.stdin });
let total: number = 0;
for await (const line of rl) total += Number(line);
console.log(total, typeof fs.readFileSync, typeof read);`;
    expect(await run(program, '1\n2\n3\n')).toMatchObject({ status: 'ok', stdout: '6 function function\n' });
  });

  it('runs the same program on many inputs (its transform is reused)', async () => {
    const program = "const n: number = Number(require('fs').readFileSync(0, 'utf8')); console.log(n * n);";
    for (const n of [2, 3, 4]) expect((await run(program, String(n))).stdout).toBe(`${n * n}\n`);
    expect((await run('const bad: number = ;')).status).toBe('compile_error');
    expect((await run('const bad: number = ;')).status).toBe('compile_error');
  });

  it('reports a TypeScript syntax error as compile_error', async () => {
    const result = await run('const x: number = ;\nconsole.log(x);');
    expect(result).toMatchObject({ status: 'compile_error', stdout: '', exitCode: 1 });
    expect(result.stderr).toMatch(/^main\.ts:1\nconst x: number = ;\n {18}\^\n\nSyntaxError: Unexpected ";"/);
  });

  it('ignores type errors, as Node does when it strips types', async () => {
    expect(await run('const n: number = "not a number" as any; console.log(n);')).toMatchObject({
      status: 'ok',
      stdout: 'not a number\n',
    });
  });
});

describe('JavaScript sources', () => {
  const { run, sandbox } = useSandbox();

  it('is the javascript language', () => {
    expect(sandbox.language).toBe('javascript');
  });

  it('reports a syntax error as compile_error with its location', async () => {
    const result = await run('const a = 1;\nlet x = ;\n');
    expect(result).toMatchObject({ status: 'compile_error', stdout: '', exitCode: 1 });
    expect(result.stderr).toBe(
      "/sandbox/main.js:2\nlet x = ;\n        ^\n\nSyntaxError: Unexpected token ';'\n",
    );
  });

  it('points at a syntax error on the first line', async () => {
    const result = await run('let = = 1;');
    expect(result.status).toBe('compile_error');
    expect(result.stderr).toMatch(/^\/sandbox\/main\.js:1\nlet = = 1;\n {6}\^\n/);
  });

  it('runs ES module syntax (import / export) as Node 24 does', async () => {
    const program = `import { readFileSync } from 'node:fs';
import * as os from 'os';
export const double = (x) => 2 * x;
console.log(double(Number(readFileSync(0, 'utf8'))), os.EOL === '\\n');`;
    expect(await run(program, '21')).toMatchObject({ status: 'ok', stdout: '42 true\n' });
  });

  it('runs top-level await in a script', async () => {
    expect(await run('const v = await Promise.resolve(7);\nconsole.log(v);')).toMatchObject({
      status: 'ok',
      stdout: '7\n',
    });
  });

  it('runs a top-level for await over readline', async () => {
    const program = `const rl = require('readline').createInterface({ input: process.stdin });
for await (const line of rl) console.log('L', line);`;
    expect(await run(program, 'a\nb\n')).toMatchObject({ status: 'ok', stdout: 'L a\nL b\n' });
  });

  it('runs ES module imports together with top-level await', async () => {
    const program = `import { createInterface } from 'readline';
import * as os from 'node:os';
const lines = [];
for await (const line of createInterface({ input: process.stdin })) lines.push(line);
console.log(lines.join('|'), os.EOL === '\\n');`;
    expect(await run(program, 'x\ny')).toMatchObject({ status: 'ok', stdout: 'x|y true\n' });
  });

  it('still reports await inside a plain function as a compile error', async () => {
    const result = await run('function f() {\n  await 1;\n}\nf();');
    expect(result.status).toBe('compile_error');
    expect(result.stderr).toMatch(/^\/sandbox\/main\.js:2\n {2}await 1;\n/);
  });

  it('accepts a hashbang line', async () => {
    expect(await run('#!/usr/bin/env node\nconsole.log("ok")')).toMatchObject({
      status: 'ok',
      stdout: 'ok\n',
    });
  });

  it('provides module, exports, __filename and require.main === module', async () => {
    const program = `console.log(typeof module.exports, this === module.exports, __filename, __dirname, require.main === module);
if (require.main === module) console.log('main');`;
    expect((await run(program)).stdout).toBe('object true /sandbox/main.js /sandbox true\nmain\n');
  });

  it('keeps line numbers in stack traces', async () => {
    const result = await run('// line 1\n// line 2\nfunction f() {\n  throw new Error("here");\n}\nf();');
    expect(result.stderr).toMatch(/^Error: here\n {4}at f \(\/sandbox\/main\.js:4:9\)/);
  });
});
