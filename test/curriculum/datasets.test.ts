import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseVerlRow,
  toVerlParquetRow,
  type VerlRow,
  verlColumnsFor,
} from '../../shared/formats/verl-row.ts';
import { readBatches, readRows } from '../../shared/io/rows.ts';
import { writeRows } from '../../shared/io/write-rows.ts';
import { LocalStorage } from '../../shared/storage/local.ts';
import type { Storage } from '../../shared/storage/types.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3rver.ts';

let dir: string;
let s3: LocalS3;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-datasets-'));
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

function verlRow(i: number): VerlRow {
  return {
    data_source: i % 3 === 0 ? 'code/taco' : 'math/dapo',
    prompt: [
      ...(i % 2 === 0 ? [{ role: 'system', content: 'Think step by step.' }] : []),
      { role: 'user', content: `Problem ${i}: what is ${i} + ${i}?` },
    ],
    ability: i % 3 === 0 ? 'code' : 'math',
    reward_model: { style: 'rule', ground_truth: String(2 * i) },
    extra_info: { problem_id: `p${i}`, index: i, split: 'train' },
  };
}

async function all(location: Parameters<typeof readRows>[0], options = {}) {
  const out: { value: unknown; row: number }[] = [];
  for await (const record of readRows(location, options).records) out.push(record);
  return out;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('JSONL', () => {
  it('round-trips records and reports rows, bytes and the sha256 of the file', async () => {
    const path = join(dir, 'rows.jsonl');
    const rows = Array.from({ length: 50 }, (_, i) => verlRow(i));
    const written = await writeRows(path, rows);
    const bytes = await readFile(path);
    expect(written).toEqual({ rows: 50, bytes: bytes.length, sha256: sha256(bytes) });
    const back = await all(path);
    expect(back.map((r) => r.value)).toEqual(rows);
    expect(back.map((r) => r.row)).toEqual(rows.map((_, i) => i + 1));
  });

  it('skips blank lines but keeps counting them in row numbers, and names the line of bad JSON', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, '{"a":1}\n\n{"a":2}\n{"a":\n');
    const reader = readRows(path);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const r of reader.records) seen.push(r.row);
      })(),
    ).rejects.toThrow(`${path} row 4: not valid JSON`);
    expect(seen).toEqual([1, 3]);
  });

  it('a missing file is an error naming it', async () => {
    const path = join(dir, 'missing.jsonl');
    await expect(all(path)).rejects.toThrow(`${path}: no such file`);
  });

  it('yields batches of at most the batch size', async () => {
    const path = join(dir, 'batches.jsonl');
    await writeRows(
      path,
      Array.from({ length: 25 }, (_, i) => ({ i })),
    );
    const sizes: number[] = [];
    for await (const batch of readBatches(readRows(path), 10)) sizes.push(batch.length);
    expect(sizes).toEqual([10, 10, 5]);
  });
});

describe('Parquet', () => {
  it('writes verl rows with nested columns (a list of structs, structs) and reads them back', async () => {
    const path = join(dir, 'verl.parquet');
    const rows = Array.from({ length: 40 }, (_, i) => verlRow(i));
    rows[7] = { ...verlRow(7), reward_model: { style: 'rule', ground_truth: 14 } };
    rows[9] = { ...verlRow(9), extra_info: null };
    const written = await writeRows(path, rows.map(toVerlParquetRow), { columns: verlColumnsFor(rows) });
    expect(written.rows).toBe(40);

    const bytes = await readFile(path);
    expect(written.sha256).toBe(sha256(bytes));
    const { schema } = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const byName = (name: string) => schema.find((e) => e.name === name);
    expect(byName('prompt')).toMatchObject({ converted_type: 'LIST', num_children: 1 });
    expect(byName('element')).toMatchObject({ num_children: 2 });
    expect(byName('reward_model')).toMatchObject({ num_children: 2 });
    expect(byName('ground_truth')).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8' });
    expect(byName('extra_info')).toMatchObject({ num_children: 3 });

    const back = (await all(path)).map((r) => r.value as Record<string, unknown>);
    expect(back[0]).toEqual(verlRow(0));
    expect(back[7]?.reward_model).toEqual({ style: 'rule', ground_truth: '14' });
    // Never null: verl calls .get on extra_info.
    expect(back[9]?.extra_info).toEqual({ problem_id: null, index: null, split: null });
    for (const [i, value] of back.entries())
      expect(() => parseVerlRow(value, { file: path, row: i + 1 })).not.toThrow();
  });

  it('closes a row group every rowGroupRows rows, or sooner when the rows are large', async () => {
    const byRows = join(dir, 'groups.parquet');
    await writeRows(
      byRows,
      Array.from({ length: 25_000 }, (_, i) => ({ i, s: `row ${i}` })),
      { rowGroupRows: 10_000 },
    );
    const groups = async (path: string) => {
      const b = await readFile(path);
      return parquetMetadata(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)).row_groups.map((g) =>
        Number(g.num_rows),
      );
    };
    expect(await groups(byRows)).toEqual([10_000, 10_000, 5_000]);

    const bySize = join(dir, 'big-rows.parquet');
    const text = 'x'.repeat(100_000);
    await writeRows(
      bySize,
      Array.from({ length: 30 }, (_, i) => ({ i, text })),
      { rowGroupBytes: 1_000_000 },
    );
    expect(await groups(bySize)).toEqual([10, 10, 10]);
    expect((await all(bySize)).map((r) => (r.value as { i: number }).i)).toEqual(
      Array.from({ length: 30 }, (_, i) => i),
    );
  });

  it('reads one row group at a time: the first record needs only a part of the file', async () => {
    const local = new LocalStorage(join(dir, 'ranged'));
    await writeRows(
      { storage: local, key: 'five.parquet' },
      Array.from({ length: 50_000 }, (_, i) => ({ i, s: sha256(Buffer.from(`row ${i}`)).repeat(2) })),
      {
        rowGroupRows: 10_000,
      },
    );
    let fetched = 0;
    // A storage that is not a LocalStorage, so the reader goes through byte ranges as it does on S3.
    const counting: Storage = {
      url: 'test://counting',
      get: (k) => local.get(k),
      getText: (k) => local.getText(k),
      readStream: (k) => local.readStream(k),
      put: (k, b) => local.put(k, b),
      putIfAbsent: (k, b) => local.putIfAbsent(k, b),
      uploadFile: (k, p) => local.uploadFile(k, p),
      downloadFile: (k, p) => local.downloadFile(k, p),
      head: (k) => local.head(k),
      list: (p) => local.list(p),
      delete: (k) => local.delete(k),
      readRange: async (key, start, end) => {
        fetched += end - start;
        return local.readRange(key, start, end);
      },
    };
    const size = (await local.head('five.parquet'))?.size as number;
    const reader = readRows({ storage: counting, key: 'five.parquet' });
    const iterator = reader.records[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toEqual({ value: { i: 0, s: sha256(Buffer.from('row 0')).repeat(2) }, row: 1 });
    expect(fetched).toBeGreaterThan(0);
    expect(fetched).toBeLessThan(size / 2);
    await iterator.return?.();
  });

  it('names the row and field of a value that does not fit the columns', async () => {
    const path = join(dir, 'mismatch.parquet');
    const rows: unknown[] = [
      { id: 1, info: { a: 'x' } },
      { id: 2, info: { a: 'y' } },
      { id: 3, info: { a: 'z', b: 1 } },
    ];
    await expect(
      writeRows(path, rows, {
        columns: [
          { name: 'id', type: 'int' },
          { name: 'info', type: { struct: { a: 'string' } } },
        ],
      }),
    ).rejects.toThrow(`${path} row 3, field info.b: not a column of this file`);
    await expect(writeRows(path, [{ id: 1.5 }], { columns: [{ name: 'id', type: 'int' }] })).rejects.toThrow(
      `${path} row 1, field id: expected an integer, got number 1.5`,
    );
    // Nothing is left behind by a failed write: no target, no temporary file.
    expect(
      (await readdir(dir)).filter((f) => f.startsWith('mismatch') || f.startsWith('.gradus-tmp')),
    ).toEqual([]);
  });

  it('a file that is not Parquet is an error naming it', async () => {
    const path = join(dir, 'fake.parquet');
    await writeFile(path, 'this is not parquet at all');
    await expect(all(path)).rejects.toThrow(`${path}: not a readable Parquet file`);
  });
});

describe('verl rows', () => {
  it('names the file, row and field of a bad row', () => {
    const bad = { ...verlRow(1), reward_model: { style: 'rule' } };
    expect(() => parseVerlRow(bad, { file: 'train.parquet', row: 3 })).toThrow(
      /^train\.parquet row 3, field reward_model\.ground_truth: /,
    );
    expect(() =>
      parseVerlRow({ ...verlRow(1), prompt: [{ role: 'user' }] }, { file: 'f.jsonl', row: 9 }),
    ).toThrow(/^f\.jsonl row 9, field prompt\.0\.content: /);
  });
});

describe('locations', () => {
  it('reads and writes JSONL and Parquet at s3:// URLs', async () => {
    const connection = { s3: s3.connection };
    const rows = Array.from({ length: 30 }, (_, i) => verlRow(i));
    for (const name of ['data/train.jsonl', 'data/train.parquet']) {
      const url = `s3://${s3.bucket}/datasets/${name}`;
      const written = await writeRows(url, rows.map(toVerlParquetRow), {
        ...connection,
        columns: verlColumnsFor(rows),
      });
      expect(written.rows).toBe(30);
      const object = await s3.storage('datasets').get(name);
      expect(object && sha256(object)).toBe(written.sha256);
      expect((await all(url, connection)).map((r) => r.value)).toEqual(rows);
    }
  });

  it('reads JSONL and Parquet from http(s) URLs (Parquet by range requests)', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ i, name: `n${i}` }));
    await writeRows(join(dir, 'web.jsonl'), rows);
    await writeRows(join(dir, 'web.parquet'), rows);
    const server: Server = createServer(async (req, res) => {
      const body = await readFile(join(dir, (req.url ?? '/').slice(1))).catch(() => undefined);
      if (!body) return void res.writeHead(404).end();
      const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
      if (req.method === 'HEAD') return void res.writeHead(200, { 'content-length': body.length }).end();
      if (!range) return void res.writeHead(200, { 'content-length': body.length }).end(body);
      const start = Number(range[1]);
      const end = range[2] ? Number(range[2]) : body.length - 1;
      res.writeHead(206, {
        'content-range': `bytes ${start}-${end}/${body.length}`,
        'content-length': end - start + 1,
      });
      res.end(body.subarray(start, end + 1));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await all(`${base}/web.jsonl`)).map((r) => r.value)).toEqual(rows);
      expect((await all(`${base}/web.parquet`)).map((r) => r.value)).toEqual(rows);
      await expect(all(`${base}/nope.jsonl`)).rejects.toThrow(`${base}/nope.jsonl: HTTP 404`);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it('writes to a storage key atomically (no temporary files left in the folder)', async () => {
    const storage = new LocalStorage(join(dir, 'store'));
    const written = await writeRows({ storage, key: 'stage-1/train.parquet' }, [{ a: 1 }, { a: 2 }]);
    expect(written.rows).toBe(2);
    expect(await readdir(join(dir, 'store', 'stage-1'))).toEqual(['train.parquet']);
    expect((await stat(join(dir, 'store', 'stage-1', 'train.parquet'))).size).toBe(written.bytes);
  });
});
