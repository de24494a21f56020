import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findJson, getJson, StoredJsonError } from '../../shared/io/get-json.ts';
import { runStatus } from '../../shared/jobs/status.ts';
import { LocalStorage } from '../../shared/storage/local.ts';

const Status = z.object({ state: z.enum(['queued', 'done']), steps: z.array(z.number().int()) });

let dir: string;
let storage: LocalStorage;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-get-json-'));
  storage = new LocalStorage(dir);
  await storage.put('ok.json', '{"state":"done","steps":[1,2]}');
  await storage.put('garbled.json', '{"state":');
  await storage.put('wrong.json', '{"state":"done","steps":[1,"two"]}');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(read: Promise<unknown>): Promise<StoredJsonError> {
  const err = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoredJsonError);
  return err as StoredJsonError;
}

describe('getJson', () => {
  it('returns the parsed, validated object', async () => {
    expect(await getJson(storage, 'ok.json', Status)).toEqual({ state: 'done', steps: [1, 2] });
    expect(await findJson(storage, 'ok.json', Status)).toEqual({ state: 'done', steps: [1, 2] });
  });

  it('a missing key is NOT_FOUND (findJson: undefined)', async () => {
    const err = await failure(getJson(storage, 'runs/none.json', Status));
    expect(err).toMatchObject({
      code: 'NOT_FOUND',
      key: 'runs/none.json',
      message: 'runs/none.json not found',
    });
    expect(await findJson(storage, 'runs/none.json', Status)).toBeUndefined();
  });

  it('text that is not JSON is INVALID_JSON, naming the key', async () => {
    for (const read of [getJson, findJson]) {
      const err = await failure(read(storage, 'garbled.json', Status));
      expect(err.code).toBe('INVALID_JSON');
      expect(err.message).toMatch(/^garbled\.json is not JSON/);
    }
  });

  it('a wrong shape is INVALID_SHAPE, naming the key and the first field', async () => {
    const err = await failure(getJson(storage, 'wrong.json', Status));
    expect(err).toMatchObject({ code: 'INVALID_SHAPE', key: 'wrong.json', path: 'steps.1' });
    expect(err.message).toMatch(/^wrong\.json: steps\.1: .*number/);
    expect(err.issues).toHaveLength(1);
  });
});

describe('readers of run files go through getJson', () => {
  it("gradus stage status: a run's error.json that is not an error record names the key", async () => {
    await storage.put('runs/garbled/error.json', '{"message": ');
    const err = await failure(runStatus(storage, 'garbled'));
    expect(err).toMatchObject({ code: 'INVALID_JSON', key: 'runs/garbled/error.json' });
    await storage.put('runs/shapeless/error.json', '{"message": 3}');
    expect(await failure(runStatus(storage, 'shapeless'))).toMatchObject({ code: 'INVALID_SHAPE' });
  });
});
