import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, toJson } from 'hyparquet';
import { checkParquetLimits, parquetLimits } from '../../shared/curriculum/dataset/parquet-limits.ts';

/** One input record: its parsed value, or why it could not be parsed. `label` says where it was ("line 3"). */
export type Row = { label: string; value: unknown } | { label: string; error: string };

export interface RowSource {
  rows: AsyncIterable<Row>;
}

/** Streams rows from a JSONL file, or from a Parquet file when the name ends in .parquet. */
export function openRows(path: string): RowSource {
  return path.toLowerCase().endsWith('.parquet') ? parquetRows(path) : jsonlRows(path);
}

function jsonlRows(path: string): RowSource {
  const input = createReadStream(path);
  async function* rows(): AsyncGenerator<Row> {
    let n = 0;
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      n++;
      if (line.trim() === '') continue;
      try {
        yield { label: `line ${n}`, value: JSON.parse(line) };
      } catch (err) {
        yield { label: `line ${n}`, error: `invalid JSON (${(err as Error).message})` };
      }
    }
  }
  return { rows: rows() };
}

/**
 * Reads one row group at a time, so memory is bounded by the largest row group, not the file; the
 * footer must show every row group within the Parquet limits before anything is decoded.
 */
function parquetRows(path: string): RowSource {
  async function* rows(): AsyncGenerator<Row> {
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    checkParquetLimits(metadata, path, parquetLimits());
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const objects = await parquetReadObjects({ file, metadata, rowStart, rowEnd });
      for (const [k, object] of objects.entries()) {
        yield { label: `row ${rowStart + k + 1}`, value: toJson(object) };
      }
      rowStart = rowEnd;
    }
  }
  return { rows: rows() };
}
