import { randomBytes } from 'node:crypto';
import { createWriteStream, type Dirent } from 'node:fs';
import {
  copyFile,
  type FileHandle,
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
} from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { checkKey, checkPrefix, TEMP_PREFIX } from './keys.ts';
import { type Body, type ObjectInfo, type Storage, StorageError } from './types.ts';

/** Where local storage lives when nothing else is configured. */
export const DEFAULT_LOCAL_ROOT = './.gradus';

/**
 * Storage in a local directory: key `a/b.json` is the file `<root>/a/b.json`. Writes go to a temporary file
 * in the target's folder and are renamed into place, so readers never see half an object.
 */
export class LocalStorage implements Storage {
  readonly url: string;
  readonly root: string;

  constructor(root: string = DEFAULT_LOCAL_ROOT) {
    this.root = resolve(root);
    this.url = pathToFileURL(this.root).href;
  }

  /** The file that holds `key`. */
  pathOf(key: string): string {
    return join(this.root, ...checkKey(key).split('/'));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const path = this.pathOf(key);
    try {
      return new Uint8Array(await readFile(path));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw backendError(`read ${key}`, err);
    }
  }

  async getText(key: string): Promise<string | undefined> {
    const bytes = await this.get(key);
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  async readStream(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      const handle = await open(path, 'r');
      return handle.createReadStream();
    } catch (err) {
      if (isMissing(err)) throw notFound(this.url, key);
      throw backendError(`read ${key}`, err);
    }
  }

  async readRange(key: string, start: number, end: number): Promise<Uint8Array> {
    const path = this.pathOf(key);
    checkRange(start, end);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (isMissing(err)) throw notFound(this.url, key);
      throw backendError(`read ${key}`, err);
    }
    try {
      const out = new Uint8Array(end - start);
      let filled = 0;
      while (filled < out.length) {
        const { bytesRead } = await handle.read(out, filled, out.length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === out.length ? out : out.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  async put(key: string, body: Body): Promise<void> {
    const path = this.pathOf(key);
    const temp = await this.writeTemp(path, key, body);
    try {
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw backendError(`write ${key}`, err);
    }
  }

  /**
   * Exclusive and atomic at once: the whole body goes to a temporary file, which is then hard-linked to the
   * key's name. link(2) fails with EEXIST when the name exists, like an O_EXCL open, but the object appears
   * complete. Filesystems without hard links fall back to `open(path, 'wx')` (exclusive, not atomic).
   */
  async putIfAbsent(key: string, body: Body): Promise<boolean> {
    const path = this.pathOf(key);
    const temp = await this.writeTemp(path, key, body);
    try {
      await link(temp, path);
      return true;
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return false;
      if (errorCode(err) === 'EPERM' || errorCode(err) === 'ENOTSUP')
        return this.createExclusive(path, key, body);
      throw backendError(`write ${key}`, err);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async uploadFile(key: string, localPath: string): Promise<void> {
    const path = this.pathOf(key);
    await this.ensureFolder(path, key);
    const temp = tempNameFor(path);
    try {
      await copyFile(localPath, temp);
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw backendError(`upload ${localPath} to ${key}`, err);
    }
  }

  async downloadFile(key: string, localPath: string): Promise<void> {
    const source = await this.readStream(key);
    await downloadTo(source, localPath);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      if (!info.isFile()) return undefined;
      return { key, size: info.size, modified: info.mtime };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw backendError(`stat ${key}`, err);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix);
    // Walk only the deepest folder the prefix names; filter the rest by string prefix.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const keys: ObjectInfo[] = [];
    for await (const info of this.walk(folder)) {
      if (info.key.startsWith(prefix)) keys.push(info);
    }
    keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    yield* keys;
  }

  async delete(key: string): Promise<void> {
    try {
      await rm(this.pathOf(key), { force: true });
    } catch (err) {
      throw backendError(`delete ${key}`, err);
    }
  }

  private async *walk(folder: string): AsyncGenerator<ObjectInfo> {
    const dir = folder === '' ? this.root : join(this.root, ...folder.split('/'));
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err) || errorCode(err) === 'ENOTDIR') return;
      throw backendError(`list ${folder || '/'}`, err);
    }
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_PREFIX)) continue;
      const key = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        yield* this.walk(key);
      } else if (entry.isFile()) {
        const info = await stat(join(dir, entry.name)).catch(() => undefined);
        if (info) yield { key, size: info.size, modified: info.mtime };
      }
    }
  }

  private async writeTemp(path: string, key: string, body: Body): Promise<string> {
    await this.ensureFolder(path, key);
    const temp = tempNameFor(path);
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return temp;
    } catch (err) {
      await rm(temp, { force: true });
      throw backendError(`write ${key}`, err);
    }
  }

  private async createExclusive(path: string, key: string, body: Body): Promise<boolean> {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(body);
      } finally {
        await handle.close();
      }
      return true;
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return false;
      throw backendError(`write ${key}`, err);
    }
  }

  private async ensureFolder(path: string, key: string): Promise<void> {
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (err) {
      throw backendError(`create the folder of ${key}`, err);
    }
  }
}

/** Streams `source` to `localPath` through a temporary file in the same folder, then renames it. */
export async function downloadTo(source: Readable, localPath: string): Promise<void> {
  const target = resolve(localPath);
  await mkdir(dirname(target), { recursive: true });
  const temp = tempNameFor(target);
  try {
    await pipeline(source, createWriteStream(temp, { flags: 'wx' }));
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err instanceof StorageError ? err : backendError(`download to ${localPath}`, err);
  }
}

export function checkRange(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new StorageError('BACKEND', `invalid byte range ${start}..${end}`);
  }
}

function tempNameFor(path: string): string {
  return join(dirname(path), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function isMissing(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

export function notFound(url: string, key: string): StorageError {
  return new StorageError('NOT_FOUND', `no object ${JSON.stringify(key)} in ${url}`);
}

function backendError(what: string, err: unknown): StorageError {
  const message = err instanceof Error ? err.message : String(err);
  return new StorageError('BACKEND', `could not ${what}: ${message}`, { cause: err });
}
