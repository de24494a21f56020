import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadError, loadRows } from '../../shared/eval/load.ts';
import { DEFAULT_PARQUET_LIMITS } from '../../shared/io/parquet-limits.ts';
import { RowError } from '../../shared/io/row-error.ts';
import { DEFAULT_ROW_LIMITS, readRows, rowLimits } from '../../shared/io/rows.ts';
import { writeRows } from '../../shared/io/write-rows.ts';
import { hostileParquet } from './hostile-parquet.ts';

// The hostile files here claim just over the limits (decoding one would cost ~16 MB, not crash the test
// worker); the 60M-row file that did abort the process is refused through a child server in
// test/functions/eval-api.test.ts.
let dir: string;
let oneBigGroup: string;
let sixGroups: string;
let small: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-parquet-limits-'));
  oneBigGroup = join(dir, 'big-group.parquet');
  await writeFile(oneBigGroup, hostileParquet(DEFAULT_PARQUET_LIMITS.maxGroupRows + 1));
  sixGroups = join(dir, 'six-groups.parquet');
  await writeFile(sixGroups, hostileParquet(400_000, 6));
  small = join(dir, 'small.parquet');
  const rows = Array.from({ length: 20 }, (_, i) => ({ id: i, text: `row ${i}` }));
  await writeRows(small, rows, { rowGroupRows: 4 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function drain(records: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of records) n++;
  return n;
}

describe('Parquet reads are bounded by the footer, before decoding', () => {
  it('the hand-built file is a valid Parquet file that reads when the limits allow it', async () => {
    const tiny = join(dir, 'tiny.parquet');
    await writeFile(tiny, hostileParquet(3, 2));
    const values = [];
    for await (const r of readRows(tiny).records) values.push(r.value);
    expect(values).toEqual(Array.from({ length: 6 }, () => ({ x: 7 })));
  });

  it('curate and rollouts (readRows) refuse a row group over the row limit, naming file and group', async () => {
    const read = drain(readRows(oneBigGroup).records);
    await expect(read).rejects.toThrow(RowError);
    await expect(drain(readRows(oneBigGroup).records)).rejects.toThrow(
      `${oneBigGroup}: row group 1 of 1 claims 1000001 rows; the limit is 1000000 per row group`,
    );
  });

  it('gradus score (readRows, keeping bad JSON lines) refuses it the same way', async () => {
    await expect(drain(readRows(oneBigGroup, { invalidJson: 'yield' }).records)).rejects.toThrow(
      `${oneBigGroup}: row group 1 of 1 claims 1000001 rows`,
    );
  });

  it('gradus eval and /v1/eval (loadRows) refuse it, and a whole file over 2,000,000 rows', async () => {
    await expect(loadRows(oneBigGroup)).rejects.toThrow(LoadError);
    await expect(loadRows(oneBigGroup)).rejects.toThrow(/row group 1 of 1 claims 1000001 rows/);
    await expect(loadRows(sixGroups)).rejects.toThrow(
      `${sixGroups}: 2400000 rows; the limit is 2000000 rows per file`,
    );
  });

  it('options lower the limits: rows per group, rows per file, decoded bytes per group', async () => {
    expect(await drain(readRows(small).records)).toBe(20);
    await expect(drain(readRows(small, { limits: { maxGroupRows: 3 } }).records)).rejects.toThrow(
      /small\.parquet: row group 1 of 5 claims 4 rows; the limit is 3 per row group/,
    );
    await expect(drain(readRows(small, { limits: { maxRows: 19 } }).records)).rejects.toThrow(
      /small\.parquet: 20 rows; the limit is 19 rows per file/,
    );
    await expect(drain(readRows(small, { limits: { maxGroupBytes: 100 } }).records)).rejects.toThrow(
      /small\.parquet: row group 1 of 5 would decode to about \d+ bytes; the limit is 100 bytes per row group/,
    );
    await expect(loadRows(small, { limits: { maxRows: 10 } })).rejects.toThrow(/20 rows; the limit is 10/);
  });

  it('options never raise the limits past the defaults', () => {
    const huge = { maxGroupRows: 1e12, maxGroupBytes: 1e15, maxRows: 1e12, maxLineBytes: 1e15 };
    expect(rowLimits(huge)).toEqual(DEFAULT_ROW_LIMITS);
    expect(rowLimits({ maxGroupRows: Number.NaN }).maxGroupRows).toBe(DEFAULT_PARQUET_LIMITS.maxGroupRows);
  });
});
