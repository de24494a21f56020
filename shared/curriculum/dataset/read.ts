import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  type AsyncBuffer,
  asyncBufferFromFile,
  asyncBufferFromUrl,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  toJson,
} from 'hyparquet';
import type { OpenStorageOptions } from '../../storage/index.ts';
import { StorageError } from '../../storage/types.ts';
import { DatasetError } from './errors.ts';
import {
  type DatasetFormat,
  type DatasetLocation,
  formatOf,
  type ResolvedLocation,
  resolveLocation,
} from './location.ts';
import {
  checkParquetLimits,
  ParquetLimitError,
  type ParquetLimits,
  parquetLimits,
} from './parquet-limits.ts';

/** One record of a dataset file with its 1-based row (JSONL: the line number). */
export interface DatasetRecord {
  value: unknown;
  row: number;
}

export interface RecordReader {
  /** The file as the user named it, for messages. */
  file: string;
  records: AsyncIterable<DatasetRecord>;
  /** How much of the file has been read (0..1), once known. */
  fraction(): number | undefined;
}

export interface ReadOptions extends OpenStorageOptions {
  /** Overrides the format the file name implies. */
  format?: DatasetFormat;
  /** Lower the Parquet limits (rows and decoded bytes per row group, rows per file); never raised. */
  parquetLimits?: Partial<ParquetLimits>;
}

/**
 * Streams the records of a JSONL or Parquet file, one at a time: JSONL line by line, Parquet one row group
 * at a time, so memory holds at most one row group (whose size the footer must show within the limits
 * before anything is decoded). Blank JSONL lines are skipped; a line that is not JSON
 * stops the read with a DatasetError naming the file and line.
 */
export function readRecords(location: DatasetLocation, options: ReadOptions = {}): RecordReader {
  const resolved = resolveLocation(location, options);
  const format = options.format ?? formatOf(location);
  return format === 'parquet'
    ? parquetRecords(resolved, parquetLimits(options.parquetLimits))
    : jsonlRecords(resolved);
}

/** The same records in arrays of at most `batchSize`. */
export async function* readBatches(reader: RecordReader, batchSize: number): AsyncGenerator<DatasetRecord[]> {
  let batch: DatasetRecord[] = [];
  for await (const record of reader.records) {
    batch.push(record);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function jsonlRecords(location: ResolvedLocation): RecordReader {
  let size: number | undefined;
  let stream: Readable | undefined;
  let bytes = 0;
  async function* records(): AsyncGenerator<DatasetRecord> {
    const opened = await openByteStream(location);
    size = opened.size;
    stream = opened.stream;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    let row = 0;
    try {
      for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
        row++;
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (err) {
          throw new DatasetError(`not valid JSON (${(err as Error).message})`, { file: location.label, row });
        }
        yield { value, row };
      }
    } finally {
      // Also when the consumer stops early: release the file, socket or S3 connection.
      stream.destroy();
    }
  }
  return {
    file: location.label,
    records: records(),
    fraction: () => (size ? Math.min(1, bytes / size) : undefined),
  };
}

async function openByteStream(location: ResolvedLocation): Promise<{ stream: Readable; size?: number }> {
  const file = location.label;
  try {
    if (location.kind === 'local') {
      const { size } = await stat(location.path);
      return { stream: createReadStream(location.path), size };
    }
    if (location.kind === 'storage') {
      const info = await location.storage.head(location.key);
      if (info === undefined) throw new DatasetError('no such object', { file });
      return { stream: await location.storage.readStream(location.key), size: info.size };
    }
    const response = await fetch(location.url);
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      throw new DatasetError(`HTTP ${response.status} ${response.statusText}`, { file });
    }
    const length = Number(response.headers.get('content-length'));
    return {
      stream: Readable.fromWeb(response.body as WebReadableStream),
      size: length > 0 ? length : undefined,
    };
  } catch (err) {
    throw asDatasetError(err, file);
  }
}

function parquetRecords(location: ResolvedLocation, limits: ParquetLimits): RecordReader {
  let total: number | undefined;
  let done = 0;
  async function* records(): AsyncGenerator<DatasetRecord> {
    const file = await parquetBuffer(location);
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(file);
    } catch (err) {
      throw new DatasetError(`not a readable Parquet file (${(err as Error).message})`, {
        file: location.label,
      });
    }
    try {
      checkParquetLimits(metadata, location.label, limits);
    } catch (err) {
      if (err instanceof ParquetLimitError) throw new DatasetError(err.detail, { file: location.label });
      throw err;
    }
    total = Number(metadata.num_rows);
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      let objects: Record<string, unknown>[];
      try {
        objects = await parquetReadObjects({ file, metadata, rowStart, rowEnd });
      } catch (err) {
        throw new DatasetError(`unreadable row group (${(err as Error).message})`, {
          file: location.label,
          row: rowStart + 1,
        });
      }
      for (let k = 0; k < objects.length; k++) {
        done = rowStart + k + 1;
        yield { value: toJson(objects[k]), row: done };
      }
      rowStart = rowEnd;
    }
  }
  return { file: location.label, records: records(), fraction: () => (total ? done / total : undefined) };
}

/** Random access to the file's bytes: a local file, HTTP range requests, or storage byte ranges. */
async function parquetBuffer(location: ResolvedLocation): Promise<AsyncBuffer> {
  const file = location.label;
  try {
    if (location.kind === 'local') return await asyncBufferFromFile(location.path);
    if (location.kind === 'http') return await asyncBufferFromUrl({ url: location.url });
    const { storage, key } = location;
    const info = await storage.head(key);
    if (info === undefined) throw new DatasetError('no such object', { file });
    const readRange = storage.readRange?.bind(storage);
    if (readRange === undefined) {
      throw new DatasetError('this storage cannot read byte ranges; download the file first', { file });
    }
    return {
      byteLength: info.size,
      async slice(start: number, end?: number) {
        const bytes = await readRange(key, start, end ?? info.size);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
  } catch (err) {
    throw asDatasetError(err, file);
  }
}

function asDatasetError(err: unknown, file: string): DatasetError {
  if (err instanceof DatasetError) return err;
  if (err instanceof StorageError && err.code === 'NOT_FOUND')
    return new DatasetError('no such object', { file });
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new DatasetError('no such file', { file });
  return new DatasetError(`cannot be read (${err instanceof Error ? err.message : String(err)})`, { file });
}
