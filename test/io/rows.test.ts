import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolloutRow } from '../../shared/formats/rollout-row.ts';
import { parseRow } from '../../shared/io/parse-row.ts';
import { RowError } from '../../shared/io/row-error.ts';
import { type ReadRowsOptions, type RowRecord, readRows } from '../../shared/io/rows.ts';
import { LocalStorage } from '../../shared/storage/local.ts';

let dir: string;
let server: Server;
let base: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-rows-'));
  server = createServer((req, res) => {
    if (req.url === '/rows.jsonl') return res.end('{"a":1}\n{"a":2}\n');
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/rows.jsonl' });
      return res.end();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function read(location: string, options: ReadRowsOptions = {}): Promise<RowRecord[]> {
  const out: RowRecord[] = [];
  for await (const record of readRows(location, options).records) out.push(record);
  return out;
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('readRows', () => {
  it('JSONL: blank lines skipped, CRLF accepted, a last line without a newline read, rows are line numbers', async () => {
    const path = await file('a.jsonl', '{"a":1}\r\n\n  \n{"a":"é"}\n{"a":3}');
    expect(await read(path)).toEqual([
      { value: { a: 1 }, row: 1 },
      { value: { a: 'é' }, row: 4 },
      { value: { a: 3 }, row: 5 },
    ]);
  });

  it('lines across chunk boundaries, multi-byte characters cut by a chunk, are read whole', async () => {
    // 64 KiB read chunks: rows of 1 to 3,000 characters of "é€x" cross many of them, mid-character too.
    const rows = Array.from({ length: 400 }, (_, i) => ({ i, s: 'é€x'.repeat((i * 37) % 1000) }));
    const text = rows.map((r, i) => `${JSON.stringify(r)}${i % 3 === 0 ? '\r\n' : '\n'}`).join('');
    expect(Buffer.byteLength(text)).toBeGreaterThan(4 * 64 * 1024);
    const path = await file('chunks.jsonl', text);
    expect((await read(path)).map((r) => r.value)).toEqual(rows);
  });

  it('a line that is not JSON names file and line, without quoting it; or is handed on when asked', async () => {
    const path = await file('bad.jsonl', '{"a":1}\n{"secret": \n{"a":3}\n');
    await expect(read(path)).rejects.toThrow(new RowError('not valid JSON', { file: path, row: 2 }));
    const kept = await read(path, { invalidJson: 'yield' });
    expect(kept.map((r) => [r.row, r.invalid?.message])).toEqual([
      [1, undefined],
      [2, `${path} row 2: not valid JSON`],
      [3, undefined],
    ]);
  });

  it('a line longer than maxLineBytes stops the read at that line, before it is held whole', async () => {
    const path = await file('long.jsonl', `{"a":1}\n{"a":"${'x'.repeat(5000)}"}\n{"a":3}\n`);
    await expect(read(path, { limits: { maxLineBytes: 1000 } })).rejects.toThrow(
      `${path} row 2: a line longer than 1000 bytes`,
    );
    expect(await read(path, { limits: { maxLineBytes: 6000 } })).toHaveLength(3);
  });

  it('maxRows and maxBytes bound a file', async () => {
    const path = await file('many.jsonl', '{"a":1}\n'.repeat(50));
    await expect(read(path, { limits: { maxRows: 49 } })).rejects.toThrow(`${path}: more than 49 rows`);
    await expect(read(path, { limits: { maxBytes: 100 } })).rejects.toThrow(`${path}: larger than 100 bytes`);
    expect(await read(path, { limits: { maxRows: 50 } })).toHaveLength(50);
  });

  it('a .json file is a JSON array of rows, or JSONL when it does not start with [', async () => {
    expect(await read(await file('arr.json', '\n[{"a":1},\n {"a":2}]\n'))).toEqual([
      { value: { a: 1 }, row: 1 },
      { value: { a: 2 }, row: 2 },
    ]);
    expect(await read(await file('lines.json', '{"a":1}\n{"a":2}\n'))).toHaveLength(2);
    await expect(read(await file('cut.json', '[{"a":1},'))).rejects.toThrow(/cut\.json: not valid JSON/);
  });

  it('a storage key, and an http(s) URL through a checked redirect', async () => {
    const storage = new LocalStorage(dir);
    await storage.put('k/rows.jsonl', '{"a":1}\n');
    const reader = readRows({ storage, key: 'k/rows.jsonl' });
    const rows: RowRecord[] = [];
    for await (const r of reader.records) rows.push(r);
    expect(rows).toEqual([{ value: { a: 1 }, row: 1 }]);

    expect(await read(`${base}/moved`)).toHaveLength(2);
    await expect(read(`${base}/moved`, { allowed: (url) => url.endsWith('/moved') })).rejects.toThrow(
      `${base}/moved: redirected to ${base}/rows.jsonl, which is not an allowed source on this server`,
    );
    await expect(read(`${base}/nothing.jsonl`)).rejects.toThrow(`${base}/nothing.jsonl: HTTP 404`);
    await expect(read(join(dir, 'none.jsonl'))).rejects.toThrow(`${join(dir, 'none.jsonl')}: no such file`);
  });

  it('with parseRow, a bad field is named with file and row', async () => {
    const path = await file(
      'rollouts.jsonl',
      '{"problem_id":"p","model":"m","sample":-1,"response":"","finish_reason":null,"usage":null}\n',
    );
    const reader = readRows(path);
    const rows = async () => {
      for await (const { value, row } of reader.records)
        parseRow(RolloutRow, value, { file: reader.file, row });
    };
    await expect(rows()).rejects.toThrow(new RegExp(`^${path.replaceAll('.', '\\.')} row 1, field sample: `));
  });
});
