import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
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
import type { OpenStorageOptions } from '../storage/index.ts';
import { StorageError } from '../storage/types.ts';
import { fetchChecked, type HttpOptions } from './http.ts';
import {
  formatOf,
  type ResolvedLocation,
  type RowFormat,
  type RowsLocation,
  resolveLocation,
} from './location.ts';
import {
  checkParquetLimits,
  DEFAULT_PARQUET_LIMITS,
  ParquetLimitError,
  type ParquetLimits,
} from './parquet-limits.ts';
import { RowError } from './row-error.ts';

/**
 * What one read may take: Parquet's footer limits (rows per file also bound JSONL and JSON), the longest
 * JSONL line, and the bytes of a file read whole (a JSON array; any file when `maxBytes` is lowered).
 */
export interface RowLimits extends ParquetLimits {
  /** Bytes in one JSONL line (default 256 MiB). */
  maxLineBytes: number;
  /** Bytes of the file (default: no limit for streamed JSONL and Parquet, 512 MiB for a JSON array). */
  maxBytes: number;
}

export const DEFAULT_ROW_LIMITS: RowLimits = {
  ...DEFAULT_PARQUET_LIMITS,
  maxLineBytes: 256 * 1024 ** 2,
  maxBytes: Number.POSITIVE_INFINITY,
};
const JSON_ARRAY_MAX_BYTES = 512 * 1024 ** 2;

/** The defaults, with the given limits lowered (never raised past the defaults). */
export function rowLimits(lower: Partial<RowLimits> = {}): RowLimits {
  const out = { ...DEFAULT_ROW_LIMITS };
  for (const key of Object.keys(out) as (keyof RowLimits)[]) {
    const asked = lower[key];
    if (asked !== undefined && asked >= 0) out[key] = Math.min(asked, out[key]);
  }
  return out;
}

/**
 * One row with its 1-based place: the line number for JSONL, the row for Parquet and JSON arrays.
 * `invalid` is set (and `value` undefined) only for a JSONL line that is not JSON, when the read asked
 * for such lines (`invalidJson: 'yield'`).
 */
export interface RowRecord {
  value: unknown;
  row: number;
  invalid?: RowError;
}

export interface RowReader {
  /** The file as the caller named it, for messages. */
  file: string;
  format: RowFormat;
  records: AsyncIterable<RowRecord>;
  /** How much of the file has been read (0..1), once known. */
  fraction(): number | undefined;
}

export interface ReadRowsOptions extends OpenStorageOptions, HttpOptions {
  /** Overrides the format the file name implies. */
  format?: RowFormat;
  /** Lower the limits (see RowLimits); never raised. */
  limits?: Partial<RowLimits>;
  /** A JSONL line that is not JSON stops the read (default) or is handed on as an `invalid` record. */
  invalidJson?: 'throw' | 'yield';
}

/**
 * Streams the rows of a JSONL, JSON or Parquet file from a path, a storage key, `s3://`, `file://` or
 * `http(s)://`: JSONL line by line (blank lines skipped), Parquet one row group at a time after its
 * footer showed every group within the limits. Every failure is a RowError naming the file and, where
 * there is one, the row. A `.json` file is a JSON array of rows, or JSONL when it does not start with `[`.
 */
export function readRows(location: RowsLocation, options: ReadRowsOptions = {}): RowReader {
  const resolved = resolveLocation(location, options);
  const format = options.format ?? formatOf(location);
  const limits = rowLimits(options.limits);
  if (format === 'parquet') return parquetRows(resolved, limits, options);
  return textRows(resolved, format, limits, options);
}

/** The same records in arrays of at most `batchSize`. */
export async function* readBatches(reader: RowReader, batchSize: number): AsyncGenerator<RowRecord[]> {
  let batch: RowRecord[] = [];
  for await (const record of reader.records) {
    batch.push(record);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function textRows(
  location: ResolvedLocation,
  format: 'jsonl' | 'json',
  limits: RowLimits,
  options: ReadRowsOptions,
): RowReader {
  const file = location.label;
  let size: number | undefined;
  let bytes = 0;
  let stream: Readable | undefined;
  async function* records(): AsyncGenerator<RowRecord> {
    const opened = await openByteStream(location, options);
    size = opened.size;
    stream = opened.stream;
    if (size !== undefined && size > limits.maxBytes) {
      stream.destroy();
      throw tooLarge(file, limits.maxBytes);
    }
    try {
      const source = lines(stream, file, limits, (n) => {
        bytes += n;
      });
      let row = 0;
      let kept = 0;
      for await (const line of source) {
        row++;
        if (line.trim() === '') continue;
        if (kept === 0 && format === 'json' && line.trimStart().startsWith('[')) {
          yield* arrayRows(line, source, file, limits);
          return;
        }
        if (++kept > limits.maxRows) throw tooManyRows(file, limits.maxRows);
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          // The parser's message quotes the text: a caller of the API must not learn a file's content from it.
          const invalid = new RowError('not valid JSON', { file, row });
          if (options.invalidJson !== 'yield') throw invalid;
          yield { value: undefined, row, invalid };
          continue;
        }
        yield { value, row };
      }
    } finally {
      // Also when the consumer stops early: release the file, socket or S3 connection.
      stream.destroy();
    }
  }
  return {
    file,
    format,
    records: records(),
    fraction: () => (size ? Math.min(1, bytes / size) : undefined),
  };
}

/**
 * The lines of a byte stream (`\n` or `\r\n`), decoded as UTF-8; a line longer than `maxLineBytes`, or a
 * file past `maxBytes`, stops the read before it is held whole.
 */
async function* lines(
  stream: Readable,
  file: string,
  limits: RowLimits,
  counted: (bytes: number) => void,
): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  let line = 0;
  const take = (tail: Buffer): string => {
    const all = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    const end = all.length > 0 && all[all.length - 1] === 0x0d ? all.length - 1 : all.length;
    return all.toString('utf8', 0, end);
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    counted(chunk.length);
    if (total > limits.maxBytes) throw tooLarge(file, limits.maxBytes);
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      line++;
      if (pendingBytes + nl - start > limits.maxLineBytes) throw tooLong(file, line, limits.maxLineBytes);
      yield take(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > limits.maxLineBytes) throw tooLong(file, line + 1, limits.maxLineBytes);
    }
  }
  if (pendingBytes > 0) yield take(Buffer.alloc(0));
}

/** A JSON array file: `first` is its first line, `rest` the lines after it; held whole, within the JSON limit. */
async function* arrayRows(
  first: string,
  rest: AsyncIterable<string>,
  file: string,
  limits: RowLimits,
): AsyncGenerator<RowRecord> {
  const maxBytes = Math.min(limits.maxBytes, JSON_ARRAY_MAX_BYTES);
  const parts = [first];
  let total = Buffer.byteLength(first);
  for await (const line of rest) {
    total += Buffer.byteLength(line) + 1;
    if (total > maxBytes) throw tooLarge(file, maxBytes);
    parts.push(line);
  }
  let value: unknown;
  try {
    value = JSON.parse(parts.join('\n'));
  } catch {
    throw new RowError('not valid JSON', { file });
  }
  if (!Array.isArray(value)) throw new RowError('expected a JSON array of rows', { file });
  if (value.length > limits.maxRows) throw tooManyRows(file, limits.maxRows);
  for (const [i, row] of value.entries()) yield { value: row, row: i + 1 };
}

async function openByteStream(
  location: ResolvedLocation,
  options: ReadRowsOptions,
): Promise<{ stream: Readable; size?: number }> {
  const file = location.label;
  try {
    if (location.kind === 'local') {
      const { size } = await stat(location.path);
      return { stream: createReadStream(location.path), size };
    }
    if (location.kind === 'storage') {
      const info = await location.storage.head(location.key);
      if (info === undefined) throw new RowError('no such object', { file });
      return { stream: await location.storage.readStream(location.key), size: info.size };
    }
    const response = await fetchChecked(location.url, options);
    const length = Number(response.headers.get('content-length'));
    const body = response.body ?? new ReadableStream();
    return { stream: Readable.fromWeb(body as WebReadableStream), size: length > 0 ? length : undefined };
  } catch (err) {
    throw asRowError(err, file);
  }
}

function parquetRows(location: ResolvedLocation, limits: RowLimits, options: ReadRowsOptions): RowReader {
  let total: number | undefined;
  let done = 0;
  async function* records(): AsyncGenerator<RowRecord> {
    const file = await parquetBuffer(location, limits, options);
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(file);
    } catch (err) {
      throw new RowError(`not a readable Parquet file (${(err as Error).message})`, { file: location.label });
    }
    try {
      checkParquetLimits(metadata, location.label, limits);
    } catch (err) {
      if (err instanceof ParquetLimitError) throw new RowError(err.detail, { file: location.label });
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
        throw new RowError(`unreadable row group (${(err as Error).message})`, {
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
  return {
    file: location.label,
    format: 'parquet',
    records: records(),
    fraction: () => (total ? done / total : undefined),
  };
}

/**
 * Random access to the file's bytes: a local file, storage byte ranges, or HTTP range requests. An
 * http(s) source with an allow-list is downloaded whole instead (range requests follow redirects
 * unchecked), within `maxBytes`.
 */
async function parquetBuffer(
  location: ResolvedLocation,
  limits: RowLimits,
  options: ReadRowsOptions,
): Promise<AsyncBuffer> {
  const file = location.label;
  const checkSize = (size: number) => {
    if (size > limits.maxBytes) throw tooLarge(file, limits.maxBytes);
  };
  try {
    if (location.kind === 'local') {
      const buffer = await asyncBufferFromFile(location.path);
      checkSize(buffer.byteLength);
      return buffer;
    }
    if (location.kind === 'http') {
      if (options.allowed === undefined && limits.maxBytes === Number.POSITIVE_INFINITY) {
        return await asyncBufferFromUrl({ url: location.url });
      }
      const bytes = await collect(bodyOf(await fetchChecked(location.url, options)), file, limits.maxBytes);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      return { byteLength: buffer.byteLength, slice: (start, end) => buffer.slice(start, end) };
    }
    const { storage, key } = location;
    const info = await storage.head(key);
    if (info === undefined) throw new RowError('no such object', { file });
    checkSize(info.size);
    const readRange = storage.readRange?.bind(storage);
    if (readRange === undefined) {
      throw new RowError('this storage cannot read byte ranges; download the file first', { file });
    }
    return {
      byteLength: info.size,
      async slice(start: number, end?: number) {
        const bytes = await readRange(key, start, end ?? info.size);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
  } catch (err) {
    throw asRowError(err, file);
  }
}

function bodyOf(response: Response): AsyncIterable<Uint8Array> {
  return (response.body ?? new ReadableStream()) as unknown as AsyncIterable<Uint8Array>;
}

/** A stream read into one buffer, refused (and the stream stopped) once past `maxBytes`. */
async function collect(
  stream: AsyncIterable<Uint8Array> | Readable,
  file: string,
  maxBytes: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    // Leaving the loop early cancels a web stream and destroys a Node one.
    if (total > maxBytes) throw tooLarge(file, maxBytes);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

function tooLarge(file: string, maxBytes: number): RowError {
  return new RowError(`larger than ${maxBytes} bytes, the most read from one file`, { file });
}

function tooLong(file: string, row: number, maxLineBytes: number): RowError {
  return new RowError(`a line longer than ${maxLineBytes} bytes, the most read as one row`, { file, row });
}

function tooManyRows(file: string, maxRows: number): RowError {
  return new RowError(`more than ${maxRows} rows, the most read from one file`, { file });
}

function asRowError(err: unknown, file: string): RowError {
  if (err instanceof RowError) return err;
  if (err instanceof StorageError && err.code === 'NOT_FOUND')
    return new RowError('no such object', { file });
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new RowError('no such file', { file });
  return new RowError(`cannot be read (${err instanceof Error ? err.message : String(err)})`, { file });
}
