import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('returns from programs V8 cannot stop cleanly, and keeps serving runs', () => {
  const script = fileURLToPath(new URL('./fixtures/runaway.ts', import.meta.url));
  const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  const report = JSON.parse(line) as {
    results: { status: string; elapsedMs: number }[];
    after: { status: string; stdout: string };
    lost: number;
  };
  for (const { status, elapsedMs } of report.results) {
    expect(['memory_limit', 'timeout']).toContain(status);
    // Ended by the host, not left hanging: the wall limit is 1 s and the watchdog's grace 1.5 s.
    expect(elapsedMs).toBeLessThan(30_000);
  }
  expect(report.after).toMatchObject({ status: 'ok', stdout: '42\n' });
  expect(report.lost).toBeGreaterThanOrEqual(0);
}, 90_000);
