// A small reader for the deployment zip (stored and deflated entries, no zip64): enough to list and
// extract what osls writes, without an unzip binary on the CI machine.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** Uncompressed size in bytes. */
  size: number;
  compressedSize: number;
  /** Unix permission bits (0 when the zip was not written on Unix). */
  mode: number;
  isDirectory: boolean;
  /** Offset of the entry's local header. */
  localHeaderOffset: number;
  method: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

export function listZip(zip: Buffer): ZipEntry[] {
  const end = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_FILE_HEADER)
      throw new Error(`zip: bad central header for entry ${i}`);
    const madeOnUnix = zip.readUInt8(at + 5) === 3;
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    entries.push({
      name,
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      mode: madeOnUnix ? (zip.readUInt32LE(at + 38) >>> 16) & 0o7777 : 0,
      isDirectory: name.endsWith('/'),
      localHeaderOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export function entryData(zip: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localHeaderOffset;
  if (zip.readUInt32LE(at) !== LOCAL_FILE_HEADER) throw new Error(`zip: bad local header for ${entry.name}`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const raw = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(raw);
  if (entry.method === 8) return inflateRawSync(raw);
  throw new Error(
    `zip: ${entry.name} uses compression method ${entry.method} (only stored and deflate are read)`,
  );
}

/** Extracts every file into `dir`, keeping Unix permission bits; refuses names that leave `dir`. */
export async function extractZip(zipPath: string, dir: string): Promise<ZipEntry[]> {
  const zip = await readFile(zipPath);
  const entries = listZip(zip);
  const root = resolve(dir);
  for (const entry of entries) {
    const target = resolve(join(root, entry.name));
    if (!target.startsWith(root + sep))
      throw new Error(`zip: entry "${entry.name}" points outside the target`);
    if (entry.isDirectory) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, entryData(zip, entry), { mode: entry.mode || 0o644 });
  }
  return entries;
}

function findEndOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  throw new Error('zip: no end-of-central-directory record (not a zip file, or truncated)');
}
