import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageStatus } from '../../shared/formats/run-contract.ts';
import { downloadCheckpoint, sealCheckpoint } from '../../shared/jobs/checkpoint.ts';
import {
  claimStage,
  completeCheckpoints,
  initCheckpoint,
  latestCompleteCheckpoint,
  readRunManifest,
  runKeys,
} from '../../shared/jobs/contract.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import { writeManifest, writeRunData } from './run-fixture.ts';

let dir: string;
let storage: LocalStorage;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-contract-'));
  storage = new LocalStorage(join(dir, 'store'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A local checkpoint folder with two files, sealed to storage as `step`. */
async function seal(runId: string, stage: number, step: number) {
  const local = join(dir, `${runId}-${stage}-${step}`);
  await mkdir(join(local, 'actor', 'huggingface'), { recursive: true });
  await writeFile(join(local, 'state.pt'), `weights ${step}`);
  await writeFile(join(local, 'actor', 'huggingface', 'config.json'), '{}');
  return sealCheckpoint({ storage, runId, stage, step, localDir: local, hfModelPath: 'actor/huggingface' });
}

describe('checkpoints', () => {
  it('a sealed checkpoint lists every file with size and sha256, and downloads back verified', async () => {
    const manifest = await seal('r1', 1, 5);
    expect(manifest.files).toEqual([
      {
        path: 'actor/huggingface/config.json',
        bytes: 2,
        sha256: '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      },
      { path: 'state.pt', bytes: 9, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    const [complete] = await completeCheckpoints(storage, 'r1', 1);
    const target = join(dir, 'download');
    await downloadCheckpoint(storage, complete as NonNullable<typeof complete>, target);
    await storage.put(`${runKeys.checkpoint('r1', 1, 5)}state.pt`, 'tampered!');
    await expect(
      downloadCheckpoint(storage, complete as NonNullable<typeof complete>, target),
    ).rejects.toThrow(/state\.pt: sha256 \w+ does not match its manifest/);
  });

  it('orders steps by number and skips every incomplete one', async () => {
    for (const step of [2, 9, 10]) await seal('r2', 1, step);
    // No checkpoint manifest: a crash mid-upload.
    await storage.put(`${runKeys.checkpoint('r2', 1, 11)}state.pt`, 'half');
    // A manifest naming a file that never arrived.
    await seal('r2', 1, 12);
    await storage.delete(`${runKeys.checkpoint('r2', 1, 12)}state.pt`);
    // A file of the wrong size.
    await seal('r2', 1, 13);
    await storage.put(`${runKeys.checkpoint('r2', 1, 13)}state.pt`, 'short');
    // A manifest that does not parse, and one claiming another step.
    await storage.put(runKeys.checkpointManifest('r2', 1, 14), '{"version": 1, "files": [');
    await storage.put(`${runKeys.checkpoint('r2', 1, 15)}state.pt`, 'x');
    const other = await seal('r2', 1, 3);
    await storage.put(runKeys.checkpointManifest('r2', 1, 15), JSON.stringify(other));

    expect((await completeCheckpoints(storage, 'r2', 1)).map((c) => c.step)).toEqual([2, 3, 9, 10]);
    expect((await latestCompleteCheckpoint(storage, 'r2', 1))?.step).toBe(10);
  });

  it("stage 1 starts from the base model, stage k from stage k-1's newest complete checkpoint", async () => {
    const manifest = await writeRunData(storage, 'r3');
    expect(await initCheckpoint(storage, 'r3', manifest, 1)).toEqual({
      kind: 'base',
      model: 'stand-in/base',
    });
    expect(
      await initCheckpoint(storage, 'r3', { ...manifest, base_model: undefined }, 1, 'fallback/model'),
    ).toEqual({
      kind: 'base',
      model: 'fallback/model',
    });
    expect(await initCheckpoint(storage, 'r3', manifest, 2)).toBeUndefined();
    await seal('r3', 1, 7);
    await storage.put(`${runKeys.checkpoint('r3', 1, 8)}state.pt`, 'half');
    const init = await initCheckpoint(storage, 'r3', manifest, 2);
    expect(init).toMatchObject({
      kind: 'checkpoint',
      checkpoint: { stage: 1, step: 7, prefix: 'runs/r3/stages/1/checkpoints/7/' },
    });
  });
});

describe('run manifests and claims', () => {
  it('names the field that is wrong, and a data file whose size differs from the manifest', async () => {
    const manifest = await writeRunData(storage, 'r4');
    await writeManifest(storage, 'r4', { ...manifest, stages: [{ ...manifest.stages[0], index: 2 }] });
    expect(await readRunManifest(storage, 'r4')).toMatchObject({
      ok: false,
      code: 'INVALID_MANIFEST',
      issues: [{ path: 'stages', message: 'stages are numbered 1, 2, ... in order' }],
    });
    await writeManifest(storage, 'r4', manifest);
    await storage.put(runKeys.data('r4', 'stages/1/data/train.jsonl'), 'different');
    expect(await readRunManifest(storage, 'r4')).toMatchObject({
      ok: false,
      code: 'MISSING_DATA',
      issues: [
        {
          path: 'stages.0.data.0.bytes',
          message: expect.stringMatching(/has 9 bytes, the manifest says \d+/),
        },
      ],
    });
  });

  it('rejects a run id that cannot name a job', async () => {
    expect(await readRunManifest(storage, 'bad.id')).toMatchObject({ ok: false, code: 'INVALID_MANIFEST' });
  });

  it('claims a stage once on local disk, however many try at the same time', async () => {
    const now = new Date().toISOString();
    const status: StageStatus = {
      version: 1,
      run_id: 'r5',
      stage: 1,
      state: 'queued',
      runner: 'local',
      job_name: 'gradus-r5-s1',
      job_ids: [],
      attempts: 0,
      claimed_at: now,
      updated_at: now,
    };
    const wins = await Promise.all(Array.from({ length: 8 }, () => claimStage(storage, status)));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });
});
