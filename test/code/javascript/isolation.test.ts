import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../shared/code/types.ts';
import { useSandbox } from './helpers.ts';

const CANARY = `canary-${Math.random().toString(36).slice(2)}`;

describe.each(['context', 'isolate'] as const)('isolation (%s per run)', (isolation) => {
  const { run } = useSandbox({ isolation });

  describe('no host capabilities', () => {
    for (const name of [
      'child_process',
      'net',
      'http',
      'worker_threads',
      'vm',
      'node:child_process',
      './local',
      'isolated-vm',
    ]) {
      it(`fails require('${name}') like a missing module`, async () => {
        const result = await run(`require(${JSON.stringify(name)});`);
        expect(result.status).toBe('runtime_error');
        expect(result.stderr).toMatch(new RegExp(`^Error: Cannot find module '${name.replace('.', '\\.')}'`));
      });
    }

    const probes: Record<string, string> = {
      'process.binding': "process.binding('fs');",
      fetch: "fetch('http://example.com');",
      'import()': "import('fs').then(() => console.log('loaded'), (e) => { throw e; });",
      'reading a file': "require('fs').readFileSync('/etc/passwd', 'utf8');",
      'Function("return require")': "Function('return require')()('fs');",
    };
    for (const [name, program] of Object.entries(probes)) {
      it(`fails ${name}`, async () => {
        const result = await run(program);
        expect(result.status).toBe('runtime_error');
        expect(result.stdout).toBe('');
      });
    }

    it('has no WebAssembly, SharedArrayBuffer or FinalizationRegistry, and an empty env', async () => {
      const program = `console.log(typeof WebAssembly, typeof SharedArrayBuffer, typeof FinalizationRegistry, typeof Atomics.waitAsync);
console.log(JSON.stringify(process.env), Object.keys(process.env).length);`;
      expect((await run(program)).stdout).toBe('undefined undefined undefined undefined\n{} 0\n');
    });

    it("reaches only the isolate's own global through constructor.constructor", async () => {
      const program = `const g = constructor.constructor('return this')();
console.log(g === globalThis, typeof g.require, typeof g.isolatedVm, g.process === process);`;
      expect((await run(program)).stdout).toBe('true undefined undefined true\n');
    });
  });

  describe('the host environment never shows', () => {
    let saved: string | undefined;
    beforeAll(() => {
      saved = process.env.GRADUS_CANARY;
      process.env.GRADUS_CANARY = CANARY;
    });
    afterAll(() => {
      if (saved === undefined) delete process.env.GRADUS_CANARY;
      else process.env.GRADUS_CANARY = saved;
    });

    const attempts: Record<string, string> = {
      'process.env': 'console.log(JSON.stringify(process.env), process.env.GRADUS_CANARY);',
      globalThis:
        'for (const k of Object.getOwnPropertyNames(globalThis)) { try { console.log(k, String(globalThis[k])); } catch {} }',
      "constructor.constructor('return process')()":
        "const p = constructor.constructor('return process')(); console.log(JSON.stringify(p.env), p.env.GRADUS_CANARY, p.argv, p.cwd());",
      'util.inspect of process': "console.log(require('util').inspect(process, { depth: 4 }));",
      'error stack frames':
        'try { null.x } catch (e) { console.log(e.stack); } console.log(new Error().stack);',
      'Error.prepareStackTrace call sites': `Error.prepareStackTrace = (e, sites) => sites.map((s) => [s.getFileName(), s.getFunctionName(), String(s.getThis())].join(' ')).join('\\n');
console.log(new Error().stack);`,
      'os module':
        "const os = require('os'); console.log(os.hostname(), os.homedir(), os.tmpdir(), os.cpus().length);",
    };
    for (const [name, program] of Object.entries(attempts)) {
      it(`through ${name}`, async () => {
        const result: RunResult = await run(program);
        expect(result.status).toBe('ok');
        expect(result.stdout + result.stderr).not.toContain(CANARY);
        expect(result.stdout + result.stderr).not.toContain('/work/');
      });
    }
  });

  describe('nothing of one run is visible to the next', () => {
    const tamper = `globalThis.leaked = 'yes';
var leakedVar = 1;
Array.prototype.x = 1;
Object.prototype.polluted = true;
Object.prototype.toString = () => 'hacked';
JSON.stringify = () => 'hacked';
Math.random = () => 4;
Error.stackTraceLimit = 0;
Error.prepareStackTrace = () => 'hacked';
Promise.prototype.then = function () { return 'hacked'; };
Symbol.for('gradus').description;
String.prototype.split = () => ['hacked'];
Map.prototype.set = () => 'hacked';
console.log = () => {};
process.env.SECRET = 'leak';
process.stdout.write('tampered\\n');`;
    const check = `console.log(typeof leaked, typeof leakedVar, [].x, ({}).polluted, Object.prototype.toString.call([]));
console.log(JSON.stringify({ a: 1 }), Math.random() < 1, 'a b'.split(' ').length, new Map().set(1, 2).size);
console.log(new Error('e').stack.split('\\n').length > 1, JSON.stringify(process.env));
Promise.resolve(5).then((v) => console.log('then', v));`;

    it('after a run that tampers with globals and builtins', async () => {
      expect((await run(tamper)).stdout).toBe('tampered\n');
      const result = await run(check);
      expect(result).toMatchObject({
        status: 'ok',
        stdout: 'undefined undefined undefined undefined [object Array]\n{"a":1} true 2 1\ntrue {}\nthen 5\n',
      });
    });

    it('after a run that timed out while tampering', async () => {
      await run(`${tamper}\nwhile (true) {}`, '', { wallMs: 200 });
      expect((await run(check)).stdout).toContain('{"a":1} true 2 1');
    });

    it('stdin is the new run’s own', async () => {
      await run('require("fs").readFileSync(0, "utf8");', 'first input\n');
      expect(
        (await run('console.log(JSON.stringify(require("fs").readFileSync(0, "utf8")))', 'second\n')).stdout,
      ).toBe('"second\\n"\n');
    });

    it('pending timers of a run never fire in the next', async () => {
      await run('setTimeout(() => console.log("late"), 10); process.exit(0);');
      expect((await run('console.log("fresh")')).stdout).toBe('fresh\n');
    });
  });
});
