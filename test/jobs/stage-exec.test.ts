import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStageStatus, runKeys } from '../../shared/jobs/contract.ts';
import { executeStage } from '../../shared/jobs/stage-exec.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { writeManifest, writeRunData } from './run-fixture.ts';

let dir: string;
let storage: LocalStorage;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-exec-'));
  storage = new LocalStorage(join(dir, 'store'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(runId: string, stage: number, trainerCommand: string) {
  return executeStage({
    storage,
    runId,
    stage,
    workDir: join(dir, 'work', runId, String(stage)),
    trainerCommand,
    runner: 'local',
    pollMs: 20,
    log: () => {},
  });
}

describe('one stage, in process', () => {
  it('fails before the trainer starts when a data file does not match its sha256', async () => {
    await writeManifest(storage, 'tampered', await writeRunData(storage, 'tampered'));
    const key = runKeys.data('tampered', 'stages/1/data/train.jsonl');
    const text = (await storage.getText(key)) as string;
    await storage.put(key, text.replace('p0', 'q0')); // same size, other bytes
    const marker = join(dir, 'tampered-ran');
    const result = await run('tampered', 1, `touch "${marker}"`);
    expect(result).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/^stage 1 could not run: .*sha256 does not match/),
    });
    expect(existsSync(marker)).toBe(false);
    expect(await readStageStatus(storage, 'tampered', 1)).toMatchObject({ state: 'failed', attempts: 1 });
  });

  it('fails stage 2 when stage 1 left no complete checkpoint', async () => {
    await writeManifest(storage, 'early', await writeRunData(storage, 'early'));
    const result = await run('early', 2, 'true');
    expect(result).toMatchObject({
      state: 'failed',
      reason: 'stage 1 has no complete checkpoint to start from',
    });
  });

  it('does not call a trainer that saved nothing a success', async () => {
    await writeManifest(storage, 'empty', await writeRunData(storage, 'empty'));
    const result = await run('empty', 1, 'true');
    expect(result).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/^trainer exited with code 0 but saved no complete checkpoint \(/),
    });
  });

  it('seals the newest step a trainer finished and passes the rendered config', async () => {
    await writeManifest(storage, 'one', await writeRunData(storage, 'one'));
    const trainer = [
      'grep -q "max_response_length: 16384" "$GRADUS_TRAINER_CONFIG"',
      'mkdir -p "$GRADUS_CHECKPOINT_DIR/global_step_3"',
      'echo w > "$GRADUS_CHECKPOINT_DIR/global_step_3/model.bin"',
      'echo 3 > "$GRADUS_CHECKPOINT_DIR/latest_checkpointed_iteration.txt"',
    ].join(' && ');
    const result = await run('one', 1, trainer);
    expect(result).toEqual({
      state: 'succeeded',
      sealedSteps: [3],
      resumedFrom: undefined,
      reason: undefined,
    });
    expect(await storage.getText(`${runKeys.checkpoint('one', 1, 3)}model.bin`)).toBe('w\n');
  });
});
