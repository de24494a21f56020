import { existsSync } from 'node:fs';
import { mkdir, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { findBenchmark } from '../eval/benchmarks.ts';
import { mirrored } from './cache-dir.ts';
import { convert } from './convert.ts';
import { DATASETS, type DataSet } from './datasets.ts';
import { type DownloadOptions, download, sha256File } from './download.ts';
import { DataFetchError } from './errors.ts';
import { type ManifestEntry, readManifest, recordInManifest } from './manifest.ts';

export interface FetchOptions {
  /** The data folder (see cache-dir.ts). */
  root: string;
  /** Base URL serving every source at `<mirror>/<host>/<path>` (GRADUS_DATA_MIRROR). */
  mirror?: string;
  /** Fetch again even when the cached file matches the manifest. */
  force?: boolean;
  datasets?: Record<string, DataSet>;
  download?: Pick<DownloadOptions, 'idleTimeoutMs' | 'transferTimeoutMs' | 'retries' | 'retryDelayMs'>;
  onBytes?: (dataset: string, url: string, received: number, total: number | undefined) => void;
}

export interface FetchResult {
  name: string;
  path: string;
  status: 'fetched' | 'cached';
  rows: number;
  bytes: number;
  sha256: string;
  /** Bytes of the published files, and whether any transfer was resumed. */
  downloaded: number;
  files: number;
  resumed: boolean;
  /** Whether the published files' sha256 was checked (registry's or server's), per file. */
  checkedSha256: number;
  note?: string;
}

/** Data set names for the command line's names (benchmark aliases too); none: all but the `onlyByName`. */
export function resolveNames(names: string[], datasets: Record<string, DataSet> = DATASETS): string[] {
  if (names.length === 0) return Object.keys(datasets).filter((name) => !datasets[name]?.onlyByName);
  return names.map((name) => {
    const key = name in datasets ? name : findBenchmark(name)?.name;
    if (key === undefined || !(key in datasets))
      throw new DataFetchError(`unknown data set "${name}"; known: ${Object.keys(datasets).join(', ')}`);
    return key;
  });
}

/**
 * Makes `<root>/<path>` of one data set: kept when it still matches what the manifest recorded, else
 * downloaded (resuming partial files), checked, converted and recorded. Downloads lie under
 * `<root>/.downloads/<name>/` until the data set is done.
 */
export async function fetchDataSet(name: string, options: FetchOptions): Promise<FetchResult> {
  const set = (options.datasets ?? DATASETS)[name];
  const benchmark = set && findBenchmark(set.benchmark);
  if (!set || !benchmark) throw new DataFetchError(`unknown data set "${name}"`);
  const dest = join(options.root, set.path);
  let note: string | undefined;
  const recorded = (await readManifest(options.root))[name];
  const sameSources =
    recorded?.path === set.path &&
    recorded.sources.map((s) => s.url).join('\n') === set.files.map((f) => f.url).join('\n');
  if (!options.force && recorded && sameSources && existsSync(dest)) {
    const sha256 = await sha256File(dest);
    if (sha256 === recorded.sha256 && (set.sha256 === undefined || set.sha256 === sha256)) {
      return { ...cachedResult(name, dest, recorded), sha256 };
    }
    note = 'the cached file no longer matched the manifest';
  }

  const folder = join(options.root, '.downloads', name);
  await mkdir(folder, { recursive: true });
  let got: Awaited<ReturnType<typeof downloadAll>>;
  try {
    got = await downloadAll(name, set, folder, options);
  } catch (err) {
    // Only a folder holding nothing to resume goes.
    await rmdir(folder).catch(() => {});
    await rmdir(dirname(folder)).catch(() => {});
    throw err;
  }
  const { inputs, sources, ...download } = got;
  await mkdir(dirname(dest), { recursive: true });

  let converted: Awaited<ReturnType<typeof convert>>;
  try {
    converted = await convert(benchmark, set, inputs, dest);
  } catch (err) {
    // An unusable download is not kept: the next run fetches it anew.
    await rm(folder, { recursive: true, force: true });
    if (err instanceof DataFetchError)
      throw new DataFetchError(`${err.message}; refused, the downloaded files were deleted`);
    throw err;
  }
  await rm(folder, { recursive: true, force: true });
  const entry: ManifestEntry = {
    path: set.path,
    ...converted,
    fetchedAt: new Date().toISOString(),
    sources,
  };
  await recordInManifest(options.root, name, entry);
  return {
    name,
    path: dest,
    status: 'fetched',
    ...converted,
    ...download,
    files: set.files.length,
    note,
  };
}

/** Downloads a data set's files into `folder`, keeping any finished by an earlier run. */
async function downloadAll(name: string, set: DataSet, folder: string, options: FetchOptions) {
  const inputs: string[] = [];
  const sources: ManifestEntry['sources'] = [];
  let downloaded = 0;
  let resumed = false;
  let checkedSha256 = 0;
  for (const [i, file] of set.files.entries()) {
    const url = mirrored(file.url, options.mirror);
    const local = join(folder, `${i}-${basename(new URL(file.url).pathname)}`);
    // A file finished (and checked) by an earlier run that stopped at a later file.
    const got = existsSync(local)
      ? {
          bytes: (await stat(local)).size,
          sha256: await sha256File(local),
          resumed: true,
          sha256From: undefined,
        }
      : await download(url, local, {
          maxBytes: set.maxBytes,
          expected: { sha256: file.sha256, bytes: file.bytes },
          ...options.download,
          onBytes: (received, total) => options.onBytes?.(name, url, received, total),
        });
    if (file.sha256 !== undefined && got.sha256 !== file.sha256) {
      await rm(local, { force: true });
      throw new DataFetchError(`${url}: sha256 ${got.sha256} differs from the registry's ${file.sha256}`);
    }
    inputs.push(local);
    sources.push({ url: file.url, bytes: got.bytes, sha256: got.sha256 });
    downloaded += got.bytes;
    resumed ||= got.resumed;
    if (got.sha256From !== undefined || file.sha256 !== undefined) checkedSha256++;
  }
  return { inputs, sources, downloaded, resumed, checkedSha256 };
}

function cachedResult(name: string, path: string, entry: ManifestEntry): FetchResult {
  return {
    name,
    path,
    status: 'cached',
    rows: entry.rows,
    bytes: entry.bytes,
    sha256: entry.sha256,
    downloaded: 0,
    files: entry.sources.length,
    resumed: false,
    checkedSha256: 0,
  };
}
