import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStorage } from '../../shared/storage/local.ts';
import { storageContract } from './contract.ts';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradus-local-storage-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

storageContract('local disk', () => new LocalStorage(join(root, `s${++n}`)));

describe('local disk', () => {
  it("putIfAbsent lets exactly one of many concurrent claimers win, and keeps the winner's body", async () => {
    const storage = new LocalStorage(join(root, 'claims'));
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) => storage.putIfAbsent('stage-2/claim', `worker-${i}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await storage.getText('stage-2/claim')).toBe(`worker-${winner}`);
    expect(await storage.putIfAbsent('stage-2/claim', 'late')).toBe(false);
    expect(await storage.getText('stage-2/claim')).toBe(`worker-${winner}`);
  });

  it('putIfAbsent lets exactly one of several processes claim a key', async () => {
    const storage = new LocalStorage(join(root, 'process-claims'));
    const module = pathToFileURL(join(import.meta.dirname, '../../shared/storage/local.ts')).href;
    const claim = (worker: number) =>
      new Promise<string>((resolve, reject) => {
        const script =
          `const { LocalStorage } = await import(${JSON.stringify(module)});` +
          `const won = await new LocalStorage(${JSON.stringify(storage.root)}).putIfAbsent('stage-3/claim', 'process-${worker}');` +
          'process.stdout.write(String(won));';
        execFile(process.execPath, ['--input-type=module', '-e', script], (err, stdout) =>
          err ? reject(err) : resolve(stdout),
        );
      });
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map(claim));
    expect(results.filter((r) => r === 'true')).toHaveLength(1);
    expect(results.filter((r) => r === 'false')).toHaveLength(5);
    expect(await storage.getText('stage-3/claim')).toBe(`process-${results.indexOf('true')}`);
  });

  it('leaves no temporary files behind and never lists them', async () => {
    const storage = new LocalStorage(join(root, 'tidy'));
    await storage.put('a/x.json', '{}');
    await storage.putIfAbsent('a/y.json', '{}');
    await storage.putIfAbsent('a/y.json', '{}');
    expect((await readdir(join(storage.root, 'a'))).sort()).toEqual(['x.json', 'y.json']);
  });

  it('keeps every key inside its root folder', () => {
    const storage = new LocalStorage(join(root, 'inside'));
    expect(storage.pathOf('a/b.txt')).toBe(join(root, 'inside', 'a', 'b.txt'));
    expect(() => storage.pathOf('a/../../b.txt')).toThrow(/"\.\." segments are not allowed/);
  });

  it('its url is the file:// URL of the root', () => {
    expect(new LocalStorage(join(root, 'u')).url).toBe(`file://${join(root, 'u')}`);
  });
});
