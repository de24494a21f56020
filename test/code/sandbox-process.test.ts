import { afterAll, describe, expect, it } from 'vitest';
import { ProcessSandbox } from '../../shared/code/sandbox-process/sandbox.ts';
import { DEFAULT_RUN_LIMITS, type RunLimits } from '../../shared/code/types.ts';

const limits: RunLimits = { ...DEFAULT_RUN_LIMITS, wallMs: 1000 };

/** Whether `pid` is gone within 5 s (a killed child stays visible until it is reaped). */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ProcessSandbox', () => {
  const sandbox = new ProcessSandbox('javascript', { graceMs: 1500 });
  afterAll(() => sandbox.dispose());
  const healthy = async () =>
    expect(await sandbox.run('console.log(6 * 7)', '', limits)).toMatchObject({
      status: 'ok',
      stdout: '42\n',
    });

  it('runs a program in its child and answers as the in-process sandbox does', async () => {
    const result = await sandbox.run(
      "const n = Number(require('fs').readFileSync(0, 'utf8')); console.log(n * 2); process.exit(3)",
      '21\n',
      limits,
    );
    expect(result).toMatchObject({ status: 'runtime_error', stdout: '42\n', exitCode: 3 });
    expect(await sandbox.pid()).not.toBe(process.pid);
  });

  it('replaces its child once an isolate is lost, and the next run is served', async () => {
    const before = (await sandbox.pid()) as number;
    const restarts = sandbox.restarts;
    // A length getter that answers 0 to the guard and 2^53-1 to V8: a walk the timeout cannot stop.
    const result = await sandbox.run(
      'let n = 0; console.log(Array.prototype.lastIndexOf.call({ get length() { return n++ ? 2 ** 53 - 1 : 0; } }, 1));',
      '',
      limits,
    );
    expect(['timeout', 'memory_limit']).toContain(result.status);
    expect(sandbox.restarts).toBe(restarts + 1);
    await healthy();
    expect(await sandbox.pid()).not.toBe(before);
    expect(await gone(before)).toBe(true);
  }, 60_000);

  it('ends the run with memory_limit when its child dies under it, and replaces the child', async () => {
    const pid = (await sandbox.pid()) as number;
    const running = sandbox.run('while (true) {}', '', { ...limits, wallMs: 20_000 });
    setTimeout(() => process.kill(pid, 'SIGKILL'), 300);
    const result = await running;
    expect(result.status).toBe('memory_limit');
    expect(result.ms).toBeLessThan(20_000);
    await healthy();
  }, 60_000);

  it('ends the run with timeout when its child stops answering, and replaces the child', async () => {
    const pid = (await sandbox.pid()) as number;
    const running = sandbox.run('console.log(1)', '', limits);
    process.kill(pid, 'SIGSTOP');
    const result = await running;
    expect(result.status).toBe('timeout');
    expect(await gone(pid)).toBe(true);
    await healthy();
  }, 60_000);

  it('refuses a run too large to send, as the run’s error, without losing its child', async () => {
    const pid = await sandbox.pid();
    const result = await sandbox.run('console.log(1)', 'x'.repeat(64 * 1024 * 1024 + 1), limits);
    expect(result.status).toBe('runtime_error');
    expect(result.stderr).toMatch(/too large/);
    expect(await sandbox.pid()).toBe(pid);
    await healthy();
  });

  it('replaces a child whose memory stays up after a run', async () => {
    // V8 gives a run's memory back within the 200 ms the child waits before it reports its RSS, so no
    // honest program leaves memory behind to test with: a negative allowance counts any RSS as too much.
    const small = new ProcessSandbox('javascript', { maxRssGrowthMb: -1 });
    try {
      const pid = (await small.pid()) as number;
      const result = await small.run(
        'globalThis.keep = new Array(4e6).fill(1.5); console.log(1);',
        '',
        limits,
      );
      expect(result).toMatchObject({ status: 'ok', stdout: '1\n' });
      for (let i = 0; i < 50 && small.restarts === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(small.restarts).toBe(1);
      expect(await gone(pid)).toBe(true);
      expect(await small.run('console.log(2)', '', limits)).toMatchObject({ status: 'ok', stdout: '2\n' });
    } finally {
      small.dispose();
    }
  }, 60_000);

  it('kills its child when disposed', async () => {
    const other = new ProcessSandbox('typescript');
    const result = await other.run('const x: number = 2; console.log(x + 1);', '', limits);
    expect(result).toMatchObject({ status: 'ok', stdout: '3\n' });
    const pid = (await other.pid()) as number;
    other.dispose();
    expect(await gone(pid)).toBe(true);
    await expect(other.run('1', '', limits)).rejects.toThrow(/disposed/);
  }, 60_000);
});
