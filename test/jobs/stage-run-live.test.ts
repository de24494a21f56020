import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepScanner } from '../../shared/jobs/stage-events.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { cli, gradusInPty, ptyRunner, root, screens } from '../helpers/cli-child.ts';
import { writeManifest, writeRunData } from './run-fixture.ts';

/** What `gradus stage run` shows while it runs, and the reasons it gives, with the stand-in trainer. */

const trainer = `"${process.execPath}" "${join(root, 'examples/stand-in-trainer.mjs')}"`;
let dir: string;
let storage: LocalStorage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-stage-live-'));
  storage = new LocalStorage(join(dir, 'store'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function newRun(runId: string, stages = 2): Promise<string> {
  const manifest = await writeRunData(
    storage,
    runId,
    Array.from({ length: stages }, () => ({ total_steps: 4 })),
  );
  await writeManifest(storage, runId, manifest);
  return join(dir, 'store', 'runs', runId);
}

/** `gradus stage run` through pipes, its stdout readable while it runs. */
function stageRun(args: string[], env: Record<string, string> = {}, cwd = root) {
  const child: ChildProcess = spawn(process.execPath, [cli, 'stage', 'run', ...args], {
    cwd,
    env: { ...process.env, GRADUS_CHECKPOINT_POLL_MS: '50', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    out.stdout += s;
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    out.stderr += s;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, ...out })),
  );
  return { child, out, done };
}

describe('reading steps from the trainer output', () => {
  it("finds verl's `step:<n>` lines, split anywhere across chunks, and nothing else", () => {
    const steps: number[] = [];
    const scan = stepScanner((n) => steps.push(n));
    scan('step:1 - a:1\nst');
    scan('ep:');
    scan('12 - b\n  step:3 - indented\nstep:4x\nstep:5');
    scan(`\n${'x'.repeat(100_000)}\nnot step:6\n`);
    scan('\nstep:7\n');
    expect(steps).toEqual([1, 12, 5, 7]);
  });
});

describe('gradus stage run, as it happens', { timeout: 120_000 }, () => {
  it('prints each stage start, checkpoint and end while the run goes on (through a pipe)', async () => {
    const runDir = await newRun('live');
    const run = stageRun([runDir, '--trainer', trainer, '--work-dir', join(dir, 'work')], {
      STANDIN_STEP_MS: '300',
    });
    // A sealed checkpoint of stage 1 is on stdout while stage 1 still runs.
    while (!/^stage 1: checkpoint step \d sealed$/m.test(run.out.stdout) && run.child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(run.child.exitCode).toBeNull();
    expect(run.out.stdout).not.toMatch(/stage 1: succeeded/);

    const { code, stdout, stderr } = await run.done;
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    for (const k of [1, 2]) {
      const log = join(dir, 'work', 'live', 'logs', `gradus-live-s${k}.log`);
      const mine = lines.filter((l) => l.startsWith(`stage ${k}: `));
      expect(mine[0]).toBe(`stage ${k}: running, 4 steps; log ${log}`);
      expect(mine.at(-1)).toBe(`stage ${k}: succeeded, log ${log}; latest checkpoint: step 4`);
      const sealed = mine
        .slice(1, -1)
        .map((l) => Number(/^stage \d: checkpoint step (\d) sealed$/.exec(l)?.[1]));
      expect(sealed.at(-1)).toBe(4);
      expect(sealed).toEqual([...sealed].sort());
    }
    // Stage 2 starts after stage 1 ended.
    expect(lines.findIndex((l) => l.startsWith('stage 2: running'))).toBeGreaterThan(
      lines.findIndex((l) => l.startsWith('stage 1: succeeded')),
    );
  });

  it("gives the trainer's own exit code, not the stage job's", async () => {
    const runDir = await newRun('exit2');
    const { code, stdout } = await stageRun([runDir, '--trainer', trainer, '--work-dir', join(dir, 'work')], {
      STANDIN_FAIL_STAGE: '1',
    }).done;
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^stage 1: failed \(trainer exited with code 2\), log \S+; latest checkpoint: none$/m,
    );
    expect(stdout).not.toMatch(/code 1/);
  });

  it('says when a trainer exits 0 without a checkpoint', async () => {
    const runDir = await newRun('nosave', 1);
    const { code, stdout } = await stageRun([
      runDir,
      '--trainer',
      'echo step:1 - trained',
      '--work-dir',
      join(dir, 'work'),
    ]).done;
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^stage 1: failed \(trainer exited with code 0 but saved no complete checkpoint \(latest_checkpointed_iteration\.txt in GRADUS_CHECKPOINT_DIR must name a global_step_<n>\/ folder it wrote\)\), log \S+; latest checkpoint: none$/m,
    );
  });

  it.skipIf(!ptyRunner)(
    'on a terminal: a live line with the step of the total and the latest checkpoint',
    async () => {
      const runDir = await newRun('pty', 1);
      const run = await gradusInPty(
        ['stage', 'run', runDir, '--trainer', trainer, '--work-dir', join(dir, 'work')],
        {
          env: { GRADUS_CHECKPOINT_POLL_MS: '50', STANDIN_STEP_MS: '300' },
        },
      );
      expect(run.code).toBe(0);
      const shown = screens(run.output);
      expect(shown.some((s) => /^stage 1: step [23]\/4, checkpoint step [12], \d/.test(s))).toBe(true);
      expect(shown.at(-1)).toMatch(/^stage 1: succeeded, log \S+; latest checkpoint: step 4$/);
    },
  );
});

describe('scratch space', { timeout: 60_000 }, () => {
  it('goes under the OS temp folder, not the folder gradus runs in', async () => {
    const runDir = await newRun('scratch', 1);
    const cwd = join(dir, 'cwd');
    const temp = join(dir, 'tmp');
    await mkdir(cwd);
    await mkdir(temp);
    const { code } = await stageRun([runDir, '--trainer', trainer], { TMPDIR: temp }, cwd).done;
    expect(code).toBe(0);
    expect(await readdir(cwd)).toEqual([]);
    expect(existsSync(join(temp, 'gradus-work', 'scratch', 'logs', 'gradus-scratch-s1.log'))).toBe(true);
  });

  it('is ignored by git where an older gradus left it in a checkout', async () => {
    const lines = (await readFile(join(root, '.gitignore'), 'utf8')).split('\n');
    expect(lines).toContain('.gradus-work/');
  });
});
