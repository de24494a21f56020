import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeCheckpoints,
  latestCompleteCheckpoint,
  readStageStatus,
  runKeys,
} from '../../shared/jobs/contract.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { collectOutput } from '../helpers/cli-child.ts';
import { writeManifest, writeRunData } from './run-fixture.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'functions/cli/gradus.ts');
const trainer = `"${process.execPath}" "${join(root, 'examples/stand-in-trainer.mjs')}"`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-stages-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
}

/** Starts `gradus stage ...` in its own process group, so a test can kill it with its children. */
function gradus(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [cli, 'stage', ...args], {
    cwd: root,
    env: { ...process.env, GRADUS_CHECKPOINT_POLL_MS: '50', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  return { child, done: collectOutput(child).closed };
}

async function newRun(runId: string, steps = 4): Promise<{ storage: LocalStorage; runDir: string }> {
  const storage = new LocalStorage(join(dir, 'store'));
  const manifest = await writeRunData(storage, runId, [{ total_steps: steps }, { total_steps: steps }]);
  await writeManifest(storage, runId, manifest);
  return { storage, runDir: join(dir, 'store', 'runs', runId) };
}

const workDir = () => join(dir, 'work');

async function finalState(storage: LocalStorage, runId: string, stage: number) {
  const last = await latestCompleteCheckpoint(storage, runId, stage);
  if (!last) throw new Error(`stage ${stage} has no complete checkpoint`);
  return JSON.parse((await storage.getText(`${last.prefix}state.json`)) ?? 'null');
}

// Each run starts several Node processes (the CLI, one per stage, the stand-in trainer): slow on a busy machine.
describe('gradus stage run (local runner, stand-in trainer)', { timeout: 120_000 }, () => {
  it("runs two stages in order, stage 2 starting from stage 1's final checkpoint", async () => {
    const { storage, runDir } = await newRun('two');
    const { code, stdout, stderr } = await gradus([
      'run',
      join(runDir, 'manifest.json'),
      '--trainer',
      trainer,
      '--work-dir',
      workDir(),
    ]).done;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/stage 1: succeeded, log .*gradus-two-s1\.log/);

    const s1 = await readStageStatus(storage, 'two', 1);
    const s2 = await readStageStatus(storage, 'two', 2);
    expect(s1).toMatchObject({
      state: 'succeeded',
      attempts: 1,
      runner: 'local',
      init_checkpoint: 'base:stand-in/base',
    });
    expect(s2).toMatchObject({
      state: 'succeeded',
      attempts: 1,
      init_checkpoint: runKeys.checkpoint('two', 1, 4),
    });
    expect(await finalState(storage, 'two', 1)).toEqual({
      stage: 1,
      step: 4,
      init: 'base:stand-in/base',
      resumed_from: [],
      data_rows: 4,
    });
    expect(await finalState(storage, 'two', 2)).toMatchObject({
      stage: 2,
      step: 4,
      init: 'base:stand-in/base > stage 1 step 4',
    });

    const log = await readFile(join(workDir(), 'two', 'logs', 'gradus-two-s2.log'), 'utf8');
    expect(log).toContain('[stand-in stage 2] done');

    const status = await gradus(['status', runDir]).done;
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('stage 2 stage2: succeeded, attempts 1');
    expect(status.stdout).toContain(`checkpoint: step 4 (${runKeys.checkpoint('two', 2, 4)})`);
    expect(status.stdout).toMatch(/log: +\/.*gradus-two-s2\.log/);

    // Running it again finds nothing to do.
    const again = await gradus(['run', runDir, '--trainer', trainer, '--work-dir', workDir()]).done;
    expect(again.stdout).toBe('stage 1: already succeeded\nstage 2: already succeeded\n');
  });

  it('killed mid-stage and run again, resumes from the newest complete checkpoint and never a half-written one', async () => {
    const { storage, runDir } = await newRun('killed', 8);
    const first = gradus(['run', runDir, '--trainer', trainer, '--work-dir', workDir()], {
      STANDIN_STEP_MS: '250',
    });
    let sealed: number | undefined;
    while (sealed === undefined || sealed < 2) {
      await new Promise((r) => setTimeout(r, 50));
      sealed = (await latestCompleteCheckpoint(storage, 'killed', 1))?.step;
    }
    process.kill(-(first.child.pid as number), 'SIGKILL');
    await first.done;
    const atKill = (await latestCompleteCheckpoint(storage, 'killed', 1))?.step as number;
    expect(await readStageStatus(storage, 'killed', 1)).toMatchObject({ state: 'running', attempts: 1 });

    // What a crash during upload leaves: files of a later step without their checkpoint manifest.
    await storage.put(`${runKeys.checkpoint('killed', 1, atKill + 1)}state.json`, '{"stage": 1, "step": 99}');
    expect((await completeCheckpoints(storage, 'killed', 1)).map((c) => c.step)).not.toContain(atKill + 1);

    const second = await gradus(['run', runDir, '--trainer', trainer, '--work-dir', workDir()]).done;
    expect(second.code).toBe(0);
    const state = await finalState(storage, 'killed', 1);
    expect(state).toMatchObject({ step: 8, resumed_from: [atKill] });
    expect(await readStageStatus(storage, 'killed', 1)).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(await readStageStatus(storage, 'killed', 2)).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect(await finalState(storage, 'killed', 2)).toMatchObject({
      init: 'base:stand-in/base > stage 1 step 8',
    });
  });

  it('a trainer crash mid-save leaves no checkpoint behind for that step', async () => {
    const { storage, runDir } = await newRun('crash');
    const run = await gradus(['run', runDir, '--trainer', trainer, '--work-dir', workDir()], {
      STANDIN_CRASH_AT_STEP: '3',
    }).done;
    expect(run.code).toBe(1);
    // Steps 1 and 2 finished (the newest is sealed for sure; step 1 only if a poll saw it in time).
    expect((await completeCheckpoints(storage, 'crash', 1)).map((c) => c.step).at(-1)).toBe(2);
    expect(await storage.head(`${runKeys.checkpoint('crash', 1, 3)}state.json`)).toBeUndefined();
    expect(await readStageStatus(storage, 'crash', 1)).toMatchObject({
      state: 'failed',
      reason: 'trainer exited with code 3',
    });
  });

  it('a failing stage is marked failed and stops the chain', async () => {
    const { storage, runDir } = await newRun('fails');
    const run = await gradus(['run', runDir, '--trainer', trainer, '--work-dir', workDir()], {
      STANDIN_FAIL_STAGE: '1',
    }).done;
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/stage 2: failed \(dependency local-gradus-fails-s1-\S+ did not succeed\)/);
    expect(await readStageStatus(storage, 'fails', 1)).toMatchObject({
      state: 'failed',
      reason: 'trainer exited with code 2',
    });
    expect(await readStageStatus(storage, 'fails', 2)).toMatchObject({ state: 'failed', attempts: 0 });
    expect(await completeCheckpoints(storage, 'fails', 2)).toEqual([]);
    const status = await gradus(['status', runDir]).done;
    expect(status.stdout).toContain('stage 1 stage1: failed, attempts 1');
    expect(status.stdout).toContain('reason:     trainer exited with code 2');
  });

  it('rejects an invalid manifest with the reason, running nothing', async () => {
    const storage = new LocalStorage(join(dir, 'store'));
    await writeManifest(storage, 'invalid', { version: 2 });
    const run = await gradus(['run', join(dir, 'store', 'runs', 'invalid'), '--trainer', trainer]).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/run invalid rejected: runs\/invalid\/manifest\.json: version: /);
    expect(JSON.parse((await storage.getText(runKeys.error('invalid'))) ?? '{}')).toMatchObject({
      code: 'INVALID_MANIFEST',
    });
  });
});
