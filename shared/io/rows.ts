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
  async function* records(): AsyncGenerator<RowRecord> {
    const opened = await openByteStream(location, options);
    const stream = opened.stream;
    size = opened.size;
    try {
      if (size !== undefined && size > limits.maxBytes) throw tooLarge(file, limits.maxBytes);
      const splitter = new LineSplitter(file, limits.maxLineBytes);
      // A `.json` file whose first non-blank line starts with `[` is a JSON array, collected here.
      let array: string[] | undefined;
      let arrayBytes = 0;
      const arrayMax = Math.min(limits.maxBytes, JSON_ARRAY_MAX_BYTES);
      let row = 0;
      let kept = 0;
      // Lines are split per chunk, synchronously: one await per chunk, not per line.
      const handle = (line: string): RowRecord | undefined => {
        row++;
        if (array !== undefined) {
          arrayBytes += Buffer.byteLength(line) + 1;
          if (arrayBytes > arrayMax) throw tooLarge(file, arrayMax);
          array.push(line);
          return undefined;
        }
        if (line.trim() === '') return undefined;
        if (kept === 0 && format === 'json' && line.trimStart().startsWith('[')) {
          array = [line];
          arrayBytes = Buffer.byteLength(line) + 1;
          return undefined;
        }
        if (++kept > limits.maxRows) throw tooManyRows(file, limits.maxRows);
        try {
          return { value: JSON.parse(line), row };
        } catch {
          // The parser's message quotes the text: a caller of the API must not learn a file's content from it.
          const invalid = new RowError('not valid JSON', { file, row });
          if (options.invalidJson !== 'yield') throw invalid;
          return { value: undefined, row, invalid };
        }
      };
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > limits.maxBytes) throw tooLarge(file, limits.maxBytes);
        for (const line of splitter.push(chunk)) {
          const record = handle(line);
          if (record) yield record;
        }
      }
      const last = splitter.end();
      const record = last === undefined ? undefined : handle(last);
      if (record) yield record;
      if (array !== undefined) yield* arrayRows(array.join('\n'), file, limits);
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
 * Splits bytes into lines (`\n` or `\r\n`), decoded as UTF-8 once whole; a line longer than
 * `maxLineBytes` is refused as soon as that many bytes of it are held.
 */
const withoutCr = (line: string) => (line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);

class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private line = 0;
  private readonly file: string;
  private readonly maxLineBytes: number;
  constructor(file: string, maxLineBytes: number) {
    this.file = file;
    this.maxLineBytes = maxLineBytes;
  }

  /** The lines this chunk completes. */
  push(chunk: Buffer): string[] {
    const last = chunk.lastIndexOf(0x0a);
    if (last < 0) {
      this.hold(chunk);
      return [];
    }
    // Every line's length in bytes first (native scans), then one decode and one split for all of them.
    let line = this.line;
    let held = this.pendingBytes;
    for (let start = 0, nl = chunk.indexOf(0x0a); nl >= 0; start = nl + 1, nl = chunk.indexOf(0x0a, start)) {
      line++;
      if (held + nl - start > this.maxLineBytes) {
        this.line = line;
        throw this.tooLong();
      }
      held = 0;
    }
    const head = chunk.subarray(0, last);
    const bytes = this.pending.length === 0 ? head : Buffer.concat([...this.pending, head]);
    this.pending = [];
    this.pendingBytes = 0;
    this.line = line;
    if (last + 1 < chunk.length) this.hold(chunk.subarray(last + 1));
    const lines = bytes.toString('utf8').split('\n');
    for (let i = 0; i < lines.length; i++) lines[i] = withoutCr(lines[i] as string);
    return lines;
  }

  /** The last line, when the bytes do not end with a newline. */
  end(): string | undefined {
    if (this.pendingBytes === 0) return undefined;
    this.line++;
    const text = Buffer.concat(this.pending).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    return withoutCr(text);
  }

  private hold(bytes: Buffer): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes > this.maxLineBytes) {
      this.line++;
      throw this.tooLong();
    }
  }

  private tooLong(): RowError {
    return tooLong(this.file, this.line, this.maxLineBytes);
  }
}

/** A JSON array file's text: its rows, in order. */
function* arrayRows(text: string, file: string, limits: RowLimits): Generator<RowRecord> {
  let value: unknown;
  try {
    value = JSON.parse(text);
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
