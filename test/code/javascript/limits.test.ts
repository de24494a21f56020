import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../shared/code/types.ts';
import { useSandbox } from './helpers.ts';

describe('limits', () => {
  const { run } = useSandbox();
  const healthy = async () =>
    expect(await run('console.log(6 * 7)')).toMatchObject({ status: 'ok', stdout: '42\n' });

  describe('time', () => {
    const loops: Record<string, string> = {
      'while (true) {}': 'while (true) {}',
      'a loop in a Promise callback': 'Promise.resolve().then(() => { while (true) {} });',
      "a loop in a readline 'close' handler": `const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', () => {}); rl.on('close', () => { while (true) {} });`,
      'a loop in a setTimeout callback': 'setTimeout(() => { for (;;) {} }, 100);',
      'an endless microtask chain': 'const f = () => Promise.resolve().then(f); f();',
      'a setInterval that is never cleared': 'let n = 0; setInterval(() => { n++; }, 1);',
      'an endless recursion of setImmediate': 'const f = () => setImmediate(f); f();',
    };
    for (const [name, program] of Object.entries(loops)) {
      it(`stops ${name} with timeout, and the next run is fine`, async () => {
        const result = await run(program, 'a\nb\n', { wallMs: 500 });
        expect(result).toMatchObject({ status: 'timeout', exitCode: 1 });
        await healthy();
      });
    }

    it('keeps what a program printed before it timed out', async () => {
      const result = await run('console.log("started"); while (true) {}', '', { wallMs: 300 });
      expect(result).toMatchObject({ status: 'timeout', stdout: 'started\n' });
    });

    it('stops a run at its CPU budget when that is below the wall clock', async () => {
      // The wall clock (20 s) is out of reach: only the CPU budget can end this run before it.
      const result = await run('while (true) {}', '', { wallMs: 20_000, cpuMs: 300 });
      expect(result.status).toBe('timeout');
      expect(result.ms).toBeLessThan(20_000);
    });

    it('lets recursion go deeper than Node does by default (isolated-vm thread stack)', async () => {
      const result = await run('const f = (n) => (n === 0 ? 0 : 1 + f(n - 1)); console.log(f(50_000));');
      expect(result).toMatchObject({ status: 'ok', stdout: '50000\n' });
    });

    it('reports a stack overflow as a RangeError', async () => {
      const result = await run('const f = () => f(); f();');
      expect(result.status).toBe('runtime_error');
      expect(result.stderr).toMatch(/^RangeError: Maximum call stack size exceeded/);
      await healthy();
    });
  });

  describe('memory', () => {
    const limits = { memoryMb: 128, wallMs: 10_000 };
    const expectMemoryLimit = async (program: string, stderr?: RegExp) => {
      const result: RunResult = await run(program, '', limits);
      expect(result).toMatchObject({ status: 'memory_limit', exitCode: 1 });
      if (stderr) expect(result.stderr).toMatch(stderr);
      await healthy();
    };

    it('stops an array growing without end (isolated-vm memoryLimit)', async () => {
      await expectMemoryLimit('const a = []; while (true) a.push({ x: a.length });');
    });

    it('refuses new ArrayBuffer(2 ** 31): the allocator RangeError is reported as memory_limit', async () => {
      await expectMemoryLimit('new ArrayBuffer(2 ** 31);', /^RangeError: Array buffer allocation failed/);
    });

    it('refuses many typed arrays once their total passes the limit', async () => {
      await expectMemoryLimit(
        'const k = []; while (true) k.push(new Uint8Array(2 ** 21).fill(1));',
        /Array buffer allocation failed/,
      );
    });

    it('ends string doubling with V8 RangeError (ropes need no memory), as Node does', async () => {
      const result = await run('let s = "ab"; while (true) s = s + s;', '', limits);
      expect(result.status).toBe('runtime_error');
      expect(result.stderr).toMatch(/^RangeError: Invalid string length/);
      await healthy();
    });

    it('stops a Map growing past what the limit can hold (guard: V8 would abort on its rehash)', async () => {
      await expectMemoryLimit('const m = new Map(); for (let i = 0; ; i++) m.set(i, i);');
    });

    it('stops new Array(1e9).fill(0) at once (guard: V8 cannot interrupt that fill)', async () => {
      await expectMemoryLimit('const a = new Array(1e9).fill(0);');
    });

    it('stops Array.from({ length: 1e9 }) at once (guard)', async () => {
      await expectMemoryLimit('Array.from({ length: 1e9 }, () => 0);');
    });

    it('stops splitting a string of 140M characters (guard: V8 would abort the whole process)', async () => {
      await expectMemoryLimit('const s = "x".repeat(7e7); console.log((s + s).split("").length);');
    });

    it('refuses resizable ArrayBuffers, whose growth the memory limit would not see', async () => {
      const result = await run('new ArrayBuffer(8, { maxByteLength: 2 ** 32 });');
      expect(result.status).toBe('runtime_error');
      expect(result.stderr).toMatch(/^RangeError: Resizable ArrayBuffers are not available/);
    });

    it('keeps ArrayBuffer, typed arrays, Map and Set working as usual under the guards', async () => {
      const program = `const b = new ArrayBuffer(8);
class Sub extends ArrayBuffer {}
console.log(b.byteLength, b instanceof ArrayBuffer, new Uint8Array(4).buffer.constructor === ArrayBuffer, ArrayBuffer.name);
console.log(b.slice(2).byteLength, new Sub(3) instanceof ArrayBuffer, ArrayBuffer.isView(new DataView(b)), b.resizable);
console.log(new Map([[1, 2]]).set(3, 4).size, new Set('abc').add('d').size, [3, 1, 2].sort().join(), 'a,b'.split(',').length);
console.log(new Array(3).fill(7).join(), Array.from({ length: 3 }, (_, i) => i).join(), 'ab'.repeat(2), '5'.padStart(3, '0'));`;
      expect((await run(program)).stdout).toBe(
        '8 true true ArrayBuffer\n6 true true false\n2 4 1,2,3 2\n7,7,7 0,1,2 abab 005\n',
      );
    });

    it('reports the heap size of a run', async () => {
      const small = await run('console.log(1)');
      const big = await run(
        'const a = new Array(2e6).fill(0).map((_, i) => ({ i })); console.log(a.length);',
      );
      expect(small.memory).toBeGreaterThan(0);
      expect(big.memory).toBeGreaterThan((small.memory ?? 0) + 20 * 1024 * 1024);
    });
  });

  describe('output', () => {
    it('stops a program flooding stdout at the output limit, keeping exactly the limit', async () => {
      const result = await run('while (true) console.log("x".repeat(99));', '', { outputBytes: 10_000 });
      expect(result).toMatchObject({ status: 'output_limit', exitCode: 1 });
      expect(Buffer.byteLength(result.stdout)).toBe(10_000);
      await healthy();
    });

    it('counts stderr and multi-byte characters against the same limit', async () => {
      const result = await run('for (;;) { console.log("é"); console.error("✓"); }', '', {
        outputBytes: 1000,
      });
      expect(result.status).toBe('output_limit');
      expect(Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr)).toBeLessThanOrEqual(1000);
      expect(result.stdout).not.toContain('\uFFFD');
    });

    it('still reports output_limit when the program catches the error and keeps printing', async () => {
      const program = 'for (;;) { try { process.stdout.write("y".repeat(1000)); } catch {} }';
      const result = await run(program, '', { outputBytes: 5000, wallMs: 300 });
      expect(result.status).toBe('output_limit');
      expect(result.stdout.length).toBe(5000);
    });

    it('accepts output right up to the limit', async () => {
      const result = await run('process.stdout.write("z".repeat(1000));', '', { outputBytes: 1000 });
      expect(result).toMatchObject({ status: 'ok' });
      expect(result.stdout.length).toBe(1000);
    });
  });
});
