import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../shared/storage/types.ts';

async function collect(storage: Storage, prefix: string) {
  const out: { key: string; size: number }[] = [];
  for await (const { key, size } of storage.list(prefix)) out.push({ key, size });
  return out;
}

async function streamText(storage: Storage, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.readStream(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface ContractOptions {
  /**
   * Why concurrent overwrites cannot be checked on this backend, if they cannot. s3rver writes an object
   * in place (truncate, then stream), so its readers can see half an object; real S3 cannot.
   */
  overwriteNotAtomicBecause?: string;
}

/**
 * What every Storage backend must do. `make` returns a fresh, empty storage for each test.
 */
export function storageContract(
  name: string,
  make: () => Storage | Promise<Storage>,
  options: ContractOptions = {},
): void {
  describe(`${name}: Storage contract`, () => {
    let scratch: string;
    beforeAll(async () => {
      scratch = await mkdtemp(join(tmpdir(), 'gradus-storage-contract-'));
    });
    afterAll(async () => {
      await rm(scratch, { recursive: true, force: true });
    });

    it('answers undefined for a missing key from get, getText and head', async () => {
      const storage = await make();
      expect(await storage.get('nope.json')).toBeUndefined();
      expect(await storage.getText('a/b/nope.json')).toBeUndefined();
      expect(await storage.head('nope.json')).toBeUndefined();
    });

    it('round-trips bytes and UTF-8 text, and a second put replaces the first', async () => {
      const storage = await make();
      const bytes = new Uint8Array([0, 1, 2, 255, 254, 10]);
      await storage.put('bin/data.bin', bytes);
      expect(await storage.get('bin/data.bin')).toEqual(bytes);
      await storage.put('notes/ü.txt', 'größe ∑ 🚀');
      expect(await storage.getText('notes/ü.txt')).toBe('größe ∑ 🚀');
      await storage.put('notes/ü.txt', 'v2');
      expect(await storage.getText('notes/ü.txt')).toBe('v2');
      expect((await storage.head('bin/data.bin'))?.size).toBe(6);
    });

    it('streams an object, and rejects a stream of a missing key with NOT_FOUND', async () => {
      const storage = await make();
      await storage.put('s/one.jsonl', '{"a":1}\n{"a":2}\n');
      expect(await streamText(storage, 's/one.jsonl')).toBe('{"a":1}\n{"a":2}\n');
      await expect(storage.readStream('s/missing.jsonl')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('reads byte ranges, short at the end, and NOT_FOUND for a missing key', async () => {
      const storage = await make();
      await storage.put('r/bytes.bin', new Uint8Array(Array.from({ length: 100 }, (_, i) => i)));
      expect(storage.readRange).toBeTypeOf('function');
      const readRange = storage.readRange?.bind(storage) as NonNullable<Storage['readRange']>;
      expect([...(await readRange('r/bytes.bin', 10, 15))]).toEqual([10, 11, 12, 13, 14]);
      expect([...(await readRange('r/bytes.bin', 98, 110))]).toEqual([98, 99]);
      expect((await readRange('r/bytes.bin', 0, 0)).length).toBe(0);
      await expect(readRange('r/none.bin', 0, 4)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('putIfAbsent creates a missing object and reports it', async () => {
      const storage = await make();
      expect(await storage.putIfAbsent('claims/stage-1', 'worker-a')).toBe(true);
      expect(await storage.getText('claims/stage-1')).toBe('worker-a');
    });

    it('lists in key order, filtered by prefix, with sizes', async () => {
      const storage = await make();
      for (const key of ['b/2.txt', 'a/1.txt', 'a/sub/3.txt', 'ab.txt', 'c.txt']) await storage.put(key, key);
      expect(await collect(storage, '')).toEqual([
        { key: 'a/1.txt', size: 7 },
        { key: 'a/sub/3.txt', size: 11 },
        { key: 'ab.txt', size: 6 },
        { key: 'b/2.txt', size: 7 },
        { key: 'c.txt', size: 5 },
      ]);
      expect((await collect(storage, 'a/')).map((o) => o.key)).toEqual(['a/1.txt', 'a/sub/3.txt']);
      expect((await collect(storage, 'a')).map((o) => o.key)).toEqual(['a/1.txt', 'a/sub/3.txt', 'ab.txt']);
      expect(await collect(storage, 'zzz/')).toEqual([]);
    });

    it('deletes an object; deleting a missing key is not an error', async () => {
      const storage = await make();
      await storage.put('d/x', 'x');
      await storage.delete('d/x');
      expect(await storage.get('d/x')).toBeUndefined();
      await expect(storage.delete('d/x')).resolves.toBeUndefined();
      expect(await collect(storage, 'd/')).toEqual([]);
    });

    it('uploads a local file and downloads it again byte for byte', async () => {
      const storage = await make();
      const source = join(scratch, `up-${randomBytes(4).toString('hex')}.bin`);
      const content = randomBytes(300_000);
      await writeFile(source, content);
      await storage.uploadFile('files/blob.bin', source);
      expect((await storage.head('files/blob.bin'))?.size).toBe(content.length);
      const target = join(scratch, 'down', 'blob.bin');
      await storage.downloadFile('files/blob.bin', target);
      expect(
        createHash('sha256')
          .update(await readFile(target))
          .digest('hex'),
      ).toBe(createHash('sha256').update(content).digest('hex'));
    });

    it('a download of a missing key fails with NOT_FOUND and leaves no file behind', async () => {
      const storage = await make();
      const target = join(scratch, 'missing-download.bin');
      await expect(storage.downloadFile('files/none.bin', target)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it.each([
      ['../escape.txt'],
      ['a/../../escape.txt'],
      ['/etc/passwd'],
      ['a//b'],
      ['a/./b'],
      [''],
      ['trailing/'],
      ['back\\slash'],
    ])('rejects the key %j with INVALID_KEY before touching the backend', async (key) => {
      const storage = await make();
      await expect(storage.put(key, 'x')).rejects.toMatchObject({ code: 'INVALID_KEY' });
      await expect(storage.get(key)).rejects.toMatchObject({ code: 'INVALID_KEY' });
      await expect(storage.putIfAbsent(key, 'x')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    });

    it.skipIf(options.overwriteNotAtomicBecause !== undefined)(
      'a reader never sees a half-written manifest while it is republished',
      async () => {
        const storage = await make();
        // Large enough that a write takes several chunks; each version is valid JSON only when complete.
        const version = (v: number) =>
          JSON.stringify({
            version: v,
            files: Array.from({ length: 20_000 }, (_, i) => `stage-${v}/part-${i}.parquet`),
          });
        await storage.put('run/manifest.json', version(0));
        let writing = true;
        const seen = new Set<number>();
        const reader = (async () => {
          let reads = 0;
          while (writing || reads < 5) {
            const text = await storage.getText('run/manifest.json');
            expect(text).toBeDefined();
            const parsed = JSON.parse(text as string) as { version: number; files: string[] };
            expect(parsed.files).toHaveLength(20_000);
            seen.add(parsed.version);
            reads++;
          }
        })();
        for (let v = 1; v <= 8; v++) await storage.put('run/manifest.json', version(v));
        writing = false;
        await reader;
        expect([...seen].every((v) => v >= 0 && v <= 8)).toBe(true);
        expect(JSON.parse((await storage.getText('run/manifest.json')) as string).version).toBe(8);
      },
    );
  });
}
