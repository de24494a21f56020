import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrainer } from '../../shared/jobs/trainer-process.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-trainer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Running, i.e. neither gone nor a zombie waiting to be reaped (whoever adopted it may not reap). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  // `<pid> (<comm>) <state> ...`: the state follows the last ")".
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** Waits until `path` holds a pid (the trainer wrote it once its worker started). */
async function pidIn(path: string): Promise<number> {
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (/^\d+\n$/.test(text)) return Number(text);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the trainer process', () => {
  it('reports the steps it prints and its exit code', async () => {
    const steps: number[] = [];
    const trainer = startTrainer('echo "step:1 - a"; echo "step:2 - b"; exit 3', {}, (s) => steps.push(s));
    expect(await trainer.exited).toEqual({ code: 3, signal: null });
    expect(steps).toEqual([1, 2]);
    expect(trainer.stopRequested()).toBe(false);
  });

  it('a stop reaches every process of the trainer, not only the shell', async () => {
    const pidFile = join(dir, 'worker.pid');
    // A worker in the background, as verl's Ray workers are: killing `sh` alone would leave it running.
    const trainer = startTrainer(`sleep 30 & echo $! > "${pidFile}"; wait`, {}, () => {});
    const worker = await pidIn(pidFile);
    expect(await alive(worker)).toBe(true);
    expect(trainer.stop(30_000)).toBe(true);
    expect(trainer.stop(30_000)).toBe(false);
    expect(await trainer.exited).toMatchObject({ signal: 'SIGTERM' });
    // The worker holds the trainer's stdout: `exited` (after the output closed) already says it is gone.
    expect(await alive(worker)).toBe(false);
    expect(trainer.stopRequested()).toBe(true);
  });

  it('a trainer that ignores SIGTERM is killed once the grace period is over', async () => {
    const pidFile = join(dir, 'stubborn.pid');
    const trainer = startTrainer(
      `trap '' TERM; echo $$ > "${pidFile}"; while :; do sleep 1; done`,
      {},
      () => {},
    );
    await pidIn(pidFile);
    trainer.stop(100);
    expect(await trainer.exited).toMatchObject({ signal: 'SIGKILL' });
  });
});
