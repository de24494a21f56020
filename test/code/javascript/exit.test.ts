import { describe, expect, it } from 'vitest';
import { useSandbox } from './helpers.ts';

describe('exit codes and errors', () => {
  const { run } = useSandbox();

  it('ends on process.exit(0): ok, and nothing after it runs', async () => {
    const result = await run('console.log("before"); process.exit(0); console.log("after");');
    expect(result).toMatchObject({ status: 'ok', stdout: 'before\n', exitCode: 0 });
  });

  it('reports process.exit(3) as a runtime error with exit code 3', async () => {
    const result = await run('console.log("x"); process.exit(3);');
    expect(result).toMatchObject({ status: 'runtime_error', stdout: 'x\n', exitCode: 3 });
  });

  it('uses process.exitCode when the program ends by itself', async () => {
    expect(await run('process.exitCode = 2; console.log("done");')).toMatchObject({
      status: 'runtime_error',
      stdout: 'done\n',
      exitCode: 2,
    });
  });

  it('exits from inside a readline handler, skipping the rest of the input', async () => {
    const program = `const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (l) => { if (l === 'stop') process.exit(0); console.log(l); });`;
    expect(await run(program, 'a\nstop\nb\n')).toMatchObject({ status: 'ok', stdout: 'a\n' });
  });

  it('exits from an async function, even when the program catches the exit', async () => {
    const program = `(async () => {
  try { await null; console.log('in'); process.exit(0); } catch (e) { console.log('caught'); }
  console.log('after');
})();`;
    expect(await run(program)).toMatchObject({ status: 'ok', stdout: 'in\n', exitCode: 0 });
  });

  it("runs process.on('exit') listeners with the exit code", async () => {
    const program = "process.on('exit', (code) => console.log('bye', code)); console.log('hi');";
    expect((await run(program)).stdout).toBe('hi\nbye 0\n');
  });

  it('reports a thrown Error as a runtime error with its stack on stderr', async () => {
    const result = await run('const x = 1;\nthrow new Error("boom");');
    expect(result).toMatchObject({ status: 'runtime_error', stdout: '', exitCode: 1 });
    expect(result.stderr).toMatch(/^Error: boom\n {4}at .*\/sandbox\/main\.js:2:7/);
  });

  it('reports a thrown non-Error value', async () => {
    const result = await run('throw "plain";');
    expect(result).toMatchObject({ status: 'runtime_error', stderr: "Uncaught 'plain'\n" });
  });

  it('reports a TypeError in a readline callback and stops there', async () => {
    const program = `const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (l) => { console.log(l); null.x; });`;
    const result = await run(program, 'a\nb\n');
    expect(result).toMatchObject({ status: 'runtime_error', stdout: 'a\n', exitCode: 1 });
    expect(result.stderr).toMatch(/^TypeError: Cannot read properties of null \(reading 'x'\)/);
  });

  it('reports an error thrown by an async main as a runtime error', async () => {
    const result = await run('async function main() { await null; throw new RangeError("bad"); }\nmain();');
    expect(result).toMatchObject({ status: 'runtime_error', exitCode: 1 });
    expect(result.stderr).toMatch(/^RangeError: bad\n {4}at main \(\/sandbox\/main\.js:1:/);
    expect(result.stderr).not.toContain('file://');
  });

  it('reports an unhandled rejection with a non-Error reason', async () => {
    const result = await run('Promise.reject(42);');
    expect(result.status).toBe('runtime_error');
    expect(result.stderr).toContain('The promise rejected with the reason "42"');
  });

  it("hands uncaught errors to process.on('uncaughtException')", async () => {
    const program =
      "process.on('uncaughtException', (e) => console.log('handled', e.message)); setTimeout(() => { throw new Error('late'); }, 5); setTimeout(() => console.log('still running'), 10);";
    expect(await run(program)).toMatchObject({ status: 'ok', stdout: 'handled late\nstill running\n' });
  });

  it('keeps the output printed before an error', async () => {
    const result = await run('console.log(1); console.error("warn"); undefinedFunction();');
    expect(result).toMatchObject({ status: 'runtime_error', stdout: '1\n' });
    expect(result.stderr).toMatch(/^warn\nReferenceError: undefinedFunction is not defined/);
  });

  it('supports timers, setImmediate, nextTick and promises in Node order', async () => {
    const program = `setTimeout(() => console.log('timeout 10'), 10);
setTimeout(() => console.log('timeout 0'), 0);
setImmediate(() => console.log('immediate'));
process.nextTick(() => console.log('tick'));
Promise.resolve().then(() => console.log('promise'));
queueMicrotask(() => console.log('microtask'));
const iv = setInterval(() => { console.log('interval'); clearInterval(iv); }, 5);
console.log('main');`;
    expect((await run(program)).stdout).toBe(
      'main\ntick\npromise\nmicrotask\nimmediate\ntimeout 0\ninterval\ntimeout 10\n',
    );
  });

  it('keeps output written by promise callbacks after the main script, with no task pending', async () => {
    const program = `Promise.resolve().then(() => console.log('micro'));
(async () => { await null; await null; console.log('async'); process.exitCode = 0; })();
console.log('main');`;
    expect(await run(program)).toMatchObject({ status: 'ok', stdout: 'main\nmicro\nasync\n' });
    expect(
      await run("Promise.resolve().then(() => { console.log('x'); throw new Error('late'); });"),
    ).toMatchObject({
      status: 'runtime_error',
      stdout: 'x\n',
    });
  });

  it('awaits sleeps without spending wall time on them', async () => {
    const program = `const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => { await sleep(60_000); console.log('woke'); })();`;
    const result = await run(program);
    expect(result).toMatchObject({ status: 'ok', stdout: 'woke\n' });
  });

  it('does not wait for unref-ed timers', async () => {
    expect(
      await run('setInterval(() => console.log("never"), 10).unref(); console.log("end");'),
    ).toMatchObject({
      status: 'ok',
      stdout: 'end\n',
    });
  });
});
