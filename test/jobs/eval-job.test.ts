import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealCheckpoint } from '../../shared/jobs/checkpoint.ts';
import {
  checkpointOfManifestKey,
  evalJobName,
  evalKeys,
  readCompleteCheckpoint,
} from '../../shared/jobs/checkpoint-eval.ts';
import { runKeys } from '../../shared/jobs/contract.ts';
import { parseEvalJobEnv, runCheckpointEval } from '../../shared/jobs/eval-job.ts';
import { createNodeScorer } from '../../shared/reward/node-scorer.ts';
import { LocalStorage } from '../../shared/storage/local.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gradus-eval-job-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('checkpoint keys and names', () => {
  it('reads run, stage and step from a checkpoint manifest key and nothing else', () => {
    expect(checkpointOfManifestKey('runs/r-1/stages/2/checkpoints/150/checkpoint.json')).toEqual({
      runId: 'r-1',
      stage: 2,
      step: 150,
    });
    expect(checkpointOfManifestKey('runs/r-1/stages/2/checkpoints/150/model.safetensors')).toBeUndefined();
    expect(checkpointOfManifestKey('runs/r-1/stages/2/checkpoints/150/sub/checkpoint.json')).toBeUndefined();
    expect(checkpointOfManifestKey('runs/r-1/stages/0/checkpoints/1/checkpoint.json')).toBeUndefined();
    expect(checkpointOfManifestKey('runs/r-1/manifest.json')).toBeUndefined();
    expect(checkpointOfManifestKey('runs/../stages/1/checkpoints/1/checkpoint.json')).toBeUndefined();
    expect(evalJobName({ runId: 'r-1', stage: 2, step: 150 })).toBe('gradus-r-1-s2-eval-150');
  });
});

describe('readCompleteCheckpoint', () => {
  it('a manifest that is not JSON or not a checkpoint manifest is no complete checkpoint', async () => {
    const storage = new LocalStorage(join(work, 'bad-manifests'));
    const ref = { runId: 'run-b', stage: 1, step: 5 };
    const key = runKeys.checkpointManifest(ref.runId, ref.stage, ref.step);
    expect(await readCompleteCheckpoint(storage, ref)).toBeUndefined();
    await storage.put(key, '{"run_id": "run-b", "sta');
    expect(await readCompleteCheckpoint(storage, ref)).toBeUndefined();
    await storage.put(key, JSON.stringify({ run_id: 'run-b', stage: 1, step: 5 }));
    expect(await readCompleteCheckpoint(storage, ref)).toBeUndefined();
  });

  it('a storage that cannot be read is an error, not an incomplete checkpoint', async () => {
    const storage = new LocalStorage(join(work, 'unreadable'));
    storage.getText = async () => {
      throw new Error('storage unreachable');
    };
    await expect(readCompleteCheckpoint(storage, { runId: 'run-b', stage: 1, step: 5 })).rejects.toThrow(
      'storage unreachable',
    );
  });
});

describe('runCheckpointEval failures', () => {
  const env = (dir: string, extra: Record<string, string> = {}) =>
    parseEvalJobEnv({
      GRADUS_STORAGE_URL: dir,
      GRADUS_EVAL_PREFIX: evalKeys.folder('run-f', 1, 1),
      GRADUS_EVAL_BENCHMARKS: 'aime24',
      GRADUS_EVAL_SERVER_TIMEOUT_S: '20',
      GRADUS_WORK_DIR: join(dir, 'work'),
      ...extra,
    });

  it('names a missing or malformed variable', () => {
    expect(() => parseEvalJobEnv({ GRADUS_EVAL_PREFIX: 'evals/ev-abcdef/' })).toThrow(/GRADUS_STORAGE_URL/);
    expect(() => parseEvalJobEnv({ GRADUS_STORAGE_URL: 's3://b' })).toThrow(/GRADUS_EVAL_PREFIX/);
    expect(() =>
      parseEvalJobEnv({ GRADUS_STORAGE_URL: 's3://b', GRADUS_EVAL_PREFIX: 'runs/r/stages/0/evals/1/' }),
    ).toThrow(/GRADUS_EVAL_PREFIX: "runs\/r\/stages\/0\/evals\/1\/" is neither/);
    expect(() =>
      parseEvalJobEnv({
        GRADUS_STORAGE_URL: 's3://b',
        GRADUS_EVAL_PREFIX: 'evals/ev-abcdef/',
        GRADUS_EVAL_PORT: 'x',
      }),
    ).toThrow(/GRADUS_EVAL_PORT/);
  });

  it("reads a checkpoint job's names from before the eval job was one (run, stage, step) for one release", () => {
    const old = { GRADUS_STORAGE_URL: 's3://b', GRADUS_RUN_ID: 'r1', GRADUS_STAGE: '2', GRADUS_STEP: '40' };
    expect(parseEvalJobEnv(old).GRADUS_EVAL_PREFIX).toBe('runs/r1/stages/2/evals/40/');
    // The prefix, when given, is what counts.
    const both = { ...old, GRADUS_EVAL_PREFIX: 'runs/r1/stages/2/evals/50/' };
    expect(parseEvalJobEnv(both).GRADUS_EVAL_PREFIX).toBe('runs/r1/stages/2/evals/50/');
  });

  it('without a claim or GRADUS_EVAL_BENCHMARKS, a checkpoint job fails saying so, before any download', async () => {
    const dir = join(work, 'unclaimed');
    const storage = new LocalStorage(dir);
    const { scorer } = createNodeScorer({ poolSize: 1 });
    try {
      const bare = parseEvalJobEnv({
        GRADUS_STORAGE_URL: dir,
        GRADUS_EVAL_PREFIX: evalKeys.folder('run-u', 1, 2),
      });
      await expect(runCheckpointEval(bare, scorer, storage)).rejects.toThrow(
        /no claim, and GRADUS_EVAL_BENCHMARKS/,
      );
    } finally {
      await scorer.close();
    }
  });

  it('an incomplete checkpoint fails the evaluation with the reason in status.json', async () => {
    const dir = join(work, 'incomplete');
    const storage = new LocalStorage(dir);
    await storage.put(`${runKeys.checkpoint('run-f', 1, 1)}model.safetensors`, 'half');
    const { scorer } = createNodeScorer({ poolSize: 1 });
    try {
      const status = await runCheckpointEval(env(dir), scorer, storage);
      expect(status).toMatchObject({ state: 'failed', attempts: 1 });
      expect(status.reason).toContain('no complete checkpoint');
      const stored = JSON.parse((await storage.getText(evalKeys.status('run-f', 1, 1))) ?? '{}');
      expect(stored).toMatchObject({ state: 'failed', reason: status.reason });
      expect(await storage.head(evalKeys.results('run-f', 1, 1))).toBeUndefined();
    } finally {
      await scorer.close();
    }
  });

  it('a model server that exits before answering fails the evaluation, naming its exit status', async () => {
    const dir = join(work, 'server-dies');
    const storage = new LocalStorage(dir);
    const local = join(work, 'ckpt');
    await mkdir(local, { recursive: true });
    await writeFile(join(local, 'model.safetensors'), 'weights');
    await sealCheckpoint({ storage, runId: 'run-f', stage: 1, step: 1, localDir: local });
    const { scorer } = createNodeScorer({ poolSize: 1 });
    try {
      const status = await runCheckpointEval(
        env(dir, {
          GRADUS_EVAL_SERVER_COMMAND: 'test -f "$GRADUS_EVAL_MODEL_DIR/model.safetensors" && exit 3',
        }),
        scorer,
        storage,
      );
      // Exit 3 (not 1) shows the downloaded checkpoint was where the server was told to look.
      expect(status).toMatchObject({ state: 'failed' });
      expect(status.reason).toMatch(/the model server exited \(code 3\)/);
    } finally {
      await scorer.close();
    }
  });
});

describe('entrypoint.sh for an eval job', () => {
  it('runs `gradus eval job` without starting Ray', async () => {
    const bin = join(work, 'bin');
    const calls = join(bin, 'calls.log');
    await mkdir(bin, { recursive: true });
    for (const [name, body] of [
      ['node', `echo "node $* kind=$GRADUS_JOB_KIND prefix=$GRADUS_EVAL_PREFIX" >> "${calls}"`],
      ['ray', `echo "ray $*" >> "${calls}"`],
    ]) {
      await writeFile(join(bin, name as string), `#!/bin/sh\n${body}\n`);
      await chmod(join(bin, name as string), 0o755);
    }
    const result = spawnSync('bash', [join(root, 'batch/entrypoint.sh')], {
      encoding: 'utf8',
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        GRADUS_HOME: '/opt/gradus',
        GRADUS_JOB_KIND: 'eval',
        GRADUS_STORAGE_URL: 's3://b',
        GRADUS_EVAL_PREFIX: 'runs/r1/stages/1/evals/40/',
      },
    });
    expect(result.status, result.stderr).toBe(0);
    expect((await readFile(calls, 'utf8')).trim().split('\n')).toEqual([
      'node /opt/gradus/functions/cli/gradus.ts eval job kind=eval prefix=runs/r1/stages/1/evals/40/',
    ]);
  });

  it('runs an API evaluation job too, which has no run or stage', async () => {
    const bin = join(work, 'bin-api');
    const calls = join(bin, 'calls.log');
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, 'node'),
      `#!/bin/sh\necho "node $* prefix=$GRADUS_EVAL_PREFIX" >> "${calls}"\n`,
    );
    await chmod(join(bin, 'node'), 0o755);
    const result = spawnSync('bash', [join(root, 'batch/entrypoint.sh')], {
      encoding: 'utf8',
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        GRADUS_HOME: '/opt/gradus',
        GRADUS_JOB_KIND: 'eval',
        GRADUS_STORAGE_URL: 's3://b',
        GRADUS_EVAL_PREFIX: 'evals/ev-abc123/',
      },
    });
    expect(result.status, result.stderr).toBe(0);
    expect((await readFile(calls, 'utf8')).trim()).toBe(
      'node /opt/gradus/functions/cli/gradus.ts eval job prefix=evals/ev-abc123/',
    );
  });
});
