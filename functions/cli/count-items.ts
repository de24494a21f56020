import { createReadStream } from 'node:fs';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';

/**
 * How many items a local input holds, for progress totals: a Parquet file's row count (from its footer),
 * or a JSONL file's non-blank lines (one pass, linear in the file). Undefined for URLs (s3://, http://),
 * whose size would cost a second download, and for anything that cannot be read (the command itself
 * reports that).
 */
export async function countItems(path: string): Promise<number | undefined> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return undefined;
  try {
    if (path.toLowerCase().endsWith('.parquet')) {
      const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
      return Number(metadata.num_rows);
    }
    return await countJsonlLines(path);
  } catch {
    return undefined;
  }
}

const NEWLINE = 0x0a;

/** Whitespace as `String.prototype.trim` sees it in ASCII: blank lines hold only these. */
function isBlankByte(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0b || b === 0x0c;
}

/** Lines with anything but ASCII whitespace; a final line without a newline counts too. */
export async function countJsonlLines(path: string): Promise<number> {
  let lines = 0;
  let lineHasContent = false;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(NEWLINE, start);
      const stop = end < 0 ? chunk.length : end;
      // Stops at the first non-blank byte: on JSONL that is almost always the line's first.
      for (let i = start; i < stop && !lineHasContent; i++) {
        if (!isBlankByte(chunk[i] as number)) lineHasContent = true;
      }
      if (end < 0) break;
      if (lineHasContent) lines++;
      lineHasContent = false;
      start = end + 1;
    }
  }
  return lineHasContent ? lines + 1 : lines;
}
