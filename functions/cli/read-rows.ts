import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, toJson } from 'hyparquet';
import { checkParquetLimits, parquetLimits } from '../../shared/curriculum/dataset/parquet-limits.ts';

/** One input record: its parsed value, or why it could not be parsed. `label` says where it was ("line 3"). */
export type Row = { label: string; value: unknown } | { label: string; error: string };

export interface RowSource {
  rows: AsyncIterable<Row>;
  /** How much of the input has been read (0..1), when known. */
  fraction(): number | undefined;
}

/** Streams rows from a JSONL file, or from a Parquet file when the name ends in .parquet. */
export function openRows(path: string): RowSource {
  return path.toLowerCase().endsWith('.parquet') ? parquetRows(path) : jsonlRows(path);
}

function jsonlRows(path: string): RowSource {
  const input = createReadStream(path);
  let size: number | undefined;
  async function* rows(): AsyncGenerator<Row> {
    size = (await stat(path)).size;
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
  return { rows: rows(), fraction: () => (size ? input.bytesRead / size : undefined) };
}

/**
 * Reads one row group at a time, so memory is bounded by the largest row group, not the file; the
 * footer must show every row group within the Parquet limits before anything is decoded.
 */
function parquetRows(path: string): RowSource {
  let total: number | undefined;
  let read = 0;
  async function* rows(): AsyncGenerator<Row> {
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    checkParquetLimits(metadata, path, parquetLimits());
    total = Number(metadata.num_rows);
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const objects = await parquetReadObjects({ file, metadata, rowStart, rowEnd });
      for (const [k, object] of objects.entries()) {
        read = rowStart + k + 1;
        yield { label: `row ${read}`, value: toJson(object) };
      }
      rowStart = rowEnd;
    }
  }
  return { rows: rows(), fraction: () => (total ? read / total : undefined) };
}
