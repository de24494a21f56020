import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ivm from 'isolated-vm';
import { loadAssets } from './assets.ts';
import { bootIsolate } from './boot.ts';

/**
 * A Pyodide memory snapshot taken right after a cold boot that ran isolate/runner.py (our runner and the
 * pre-imported standard library). Booting from it takes ~0.3 s instead of ~2 s.
 */
export interface PythonSnapshot {
  /** Pyodide version and a hash of everything that went into the snapshot. */
  key: string;
  bytes: ivm.ExternalCopy<ArrayBuffer>;
  byteLength: number;
  /** `disk` when read from the cache directory, `made` when booted cold in this process. */
  source: 'disk' | 'made';
  /** The cache file, when there is a cache directory. */
  path: string | undefined;
}

export interface PythonSnapshotOptions {
  /**
   * Directory of cached snapshots, shared by processes (default `os.tmpdir()/gradus-pyodide`); `null`
   * keeps the snapshot in this process only.
   */
  cacheDir?: string | null;
}

export function defaultSnapshotDir(): string {
  return join(tmpdir(), 'gradus-pyodide');
}

const memo = new Map<string, Promise<PythonSnapshot>>();

/** The snapshot for these options: made at most once per process, read from the cache when it exists. */
export function pythonSnapshot(options: PythonSnapshotOptions = {}): Promise<PythonSnapshot> {
  const dir = options.cacheDir === undefined ? defaultSnapshotDir() : options.cacheDir;
  const memoKey = dir ?? '';
  let snapshot = memo.get(memoKey);
  if (!snapshot) {
    snapshot = loadOrMake(dir);
    memo.set(memoKey, snapshot);
    snapshot.catch(() => memo.delete(memoKey));
  }
  return snapshot;
}

/** Drops a snapshot Pyodide refused to boot from (a stale or damaged cache file) so the next call remakes it. */
export async function discardSnapshot(snapshot: PythonSnapshot): Promise<void> {
  for (const [memoKey, cached] of memo) {
    if ((await cached.catch(() => undefined)) === snapshot) memo.delete(memoKey);
  }
  if (snapshot.path) await rm(snapshot.path, { force: true });
}

/** Boots Pyodide cold, runs the Python setup and takes the memory snapshot (~2-3 s). */
export async function makeSnapshot(): Promise<Uint8Array> {
  const { isolate, context } = await bootIsolate({ jsHeapMb: 512, makeSnapshot: true });
  try {
    const bytes: ArrayBuffer = await context.eval('__gradus.snapshot()', { copy: true, timeout: 60_000 });
    return new Uint8Array(bytes);
  } finally {
    isolate.dispose();
  }
}

async function loadOrMake(dir: string | null): Promise<PythonSnapshot> {
  const { key } = loadAssets();
  const path = dir === null ? undefined : join(dir, `pyodide-${key}.snapshot`);
  if (path) {
    const cached = await readFile(path).catch(() => undefined);
    if (cached && cached.byteLength > 0) return wrap(key, cached, 'disk', path);
  }
  const bytes = await makeSnapshot();
  // The cache is an optimisation: a read-only or full disk only costs the next process a cold boot.
  if (path && dir) {
    await writeAtomically(path, bytes).catch(() => undefined);
    await prune(dir).catch(() => undefined);
  }
  return wrap(key, bytes, 'made', path);
}

function wrap(key: string, bytes: Uint8Array, source: 'disk' | 'made', path: string | undefined) {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return {
    key,
    bytes: new ivm.ExternalCopy(buffer, { transferOut: true }),
    byteLength: bytes.byteLength,
    source,
    path,
  };
}

const KEEP_SNAPSHOTS = 3;
const STALE_TEMP_MS = 10 * 60_000;

/** Keeps the newest few snapshots (each ~30 MB; every change to the runner makes a new one). */
async function prune(dir: string): Promise<void> {
  const files = await Promise.all(
    (await readdir(dir)).map(async (name) => ({ name, mtimeMs: (await stat(join(dir, name))).mtimeMs })),
  );
  const snapshots = files
    .filter((f) => /^pyodide-.*\.snapshot$/.test(f.name))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  const stale = files.filter((f) => f.name.endsWith('.tmp') && Date.now() - f.mtimeMs > STALE_TEMP_MS);
  for (const f of [...snapshots.slice(KEEP_SNAPSHOTS), ...stale])
    await rm(join(dir, f.name), { force: true });
}

/** Writes next to the target, then renames: readers never see a partial file. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
