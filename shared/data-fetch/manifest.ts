import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFetchError } from './errors.ts';

/** What `gradus data fetch` wrote for one data set: the file, its check values and where it came from. */
export interface ManifestEntry {
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
  fetchedAt: string;
  sources: { url: string; bytes: number; sha256: string }[];
}

export type Manifest = Record<string, ManifestEntry>;

export const MANIFEST = 'manifest.json';

export async function readManifest(root: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(root, MANIFEST), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    const value = JSON.parse(text) as { datasets?: Manifest };
    return value.datasets ?? {};
  } catch {
    throw new DataFetchError(`${join(root, MANIFEST)}: not valid JSON (delete it to fetch everything again)`);
  }
}

/** Records one data set, keeping the others' entries (written whole, then renamed into place). */
export async function recordInManifest(root: string, name: string, entry: ManifestEntry): Promise<void> {
  const datasets = { ...(await readManifest(root)), [name]: entry };
  const path = join(root, MANIFEST);
  await writeFile(`${path}.tmp`, `${JSON.stringify({ version: 1, datasets }, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}
