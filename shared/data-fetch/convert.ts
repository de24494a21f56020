import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Benchmark } from '../eval/benchmarks.ts';
import { isRecord, LoadError, loadRows } from '../eval/load.ts';
import { DataFetchError } from './errors.ts';

export interface Converted {
  rows: number;
  bytes: number;
  sha256: string;
}

export interface ConvertSpec {
  format: 'jsonl' | 'parquet';
  sortBy?: string;
  /** Checked before the file takes its place. */
  rows?: number;
  sha256?: string;
}

/**
 * Writes the downloaded files as one JSONL file of the benchmark's rows, checking each row as the
 * benchmark reads it (and ids unique) first, so that a file `gradus eval` cannot use is refused here.
 * JSONL lines are kept as published; Parquet rows become JSON objects.
 */
export async function convert(
  benchmark: Benchmark,
  spec: ConvertSpec,
  inputs: string[],
  dest: string,
): Promise<Converted> {
  const tmp = `${dest}.tmp`;
  const out = await open(tmp, 'w');
  const writer = hashingWriter(out);
  const check = rowChecker(benchmark);
  try {
    if (spec.format === 'jsonl') {
      for (const input of inputs) {
        for await (const { line, number } of jsonlLines(input)) {
          check(parseLine(line, input, number), `${input} line ${number}`);
          await writer.write(`${line}\n`);
        }
      }
    } else {
      const rows: Record<string, unknown>[] = [];
      for (const input of inputs) {
        try {
          for (const row of await loadRows(input)) rows.push(row);
        } catch (err) {
          if (err instanceof LoadError) throw new DataFetchError(err.message);
          throw err;
        }
      }
      if (spec.sortBy) sortByField(rows, spec.sortBy);
      for (const [i, row] of rows.entries()) {
        check(row, `row ${i + 1}`);
        await writer.write(`${JSON.stringify(row)}\n`);
      }
    }
    await writer.flush();
    const converted = { rows: check.count(), bytes: writer.bytes(), sha256: writer.sha256() };
    if (converted.rows === 0) throw new DataFetchError('no rows');
    if (spec.rows !== undefined && converted.rows !== spec.rows)
      throw new DataFetchError(`${converted.rows} rows where the published set has ${spec.rows}`);
    if (spec.sha256 !== undefined && converted.sha256 !== spec.sha256)
      throw new DataFetchError(`sha256 ${converted.sha256} differs from the registry's ${spec.sha256}`);
    await out.close();
    await rename(tmp, dest);
    return converted;
  } catch (err) {
    await out.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
}

function rowChecker(benchmark: Benchmark) {
  const ids = new Set<string>();
  let count = 0;
  const check = (row: Record<string, unknown>, where: string) => {
    let id: string;
    try {
      id = benchmark.toProblem(row, count).id;
    } catch (err) {
      throw new DataFetchError(`${where}: not a ${benchmark.name} row (${(err as Error).message})`);
    }
    if (ids.has(id)) throw new DataFetchError(`${where}: duplicate problem id "${id}"`);
    ids.add(id);
    count++;
  };
  check.count = () => count;
  return check;
}

function parseLine(line: string, input: string, number: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new DataFetchError(`${input} line ${number}: invalid JSON`);
  }
  if (!isRecord(value)) throw new DataFetchError(`${input} line ${number}: expected a JSON object`);
  return value;
}

async function* jsonlLines(path: string): AsyncGenerator<{ line: string; number: number }> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() !== '') yield { line, number };
  }
}

function sortByField(rows: Record<string, unknown>[], field: string): void {
  for (const [i, row] of rows.entries()) {
    if (typeof row[field] !== 'number')
      throw new DataFetchError(`row ${i + 1}: field "${field}" is not a number`);
  }
  rows.sort((a, b) => (a[field] as number) - (b[field] as number));
}

/** Buffers writes to a file, counting and hashing what it writes. */
function hashingWriter(file: FileHandle) {
  const hash = createHash('sha256');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const chunk = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    await file.write(chunk);
  };
  return {
    async write(text: string) {
      const chunk = Buffer.from(text, 'utf8');
      hash.update(chunk);
      total += chunk.byteLength;
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= 1024 ** 2) await flush();
    },
    flush,
    bytes: () => total,
    sha256: () => hash.digest('hex'),
  };
}
