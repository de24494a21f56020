import type { Command } from 'commander';
import { dataCacheDir } from '../../shared/data-fetch/cache-dir.ts';
import { DATASETS } from '../../shared/data-fetch/datasets.ts';
import { type FetchResult, fetchDataSet, resolveNames } from '../../shared/data-fetch/fetch-data.ts';

const REDRAW_EVERY_MS = 100;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Bytes received so far, redrawn in place on a terminal; nothing elsewhere. */
export function byteProgress(stream: Pick<NodeJS.WriteStream, 'isTTY' | 'write'>) {
  let last = 0;
  let drawn = false;
  return {
    update(name: string, url: string, received: number, total: number | undefined) {
      if (!stream.isTTY) return;
      const now = performance.now();
      if (now - last < REDRAW_EVERY_MS && received !== total) return;
      last = now;
      drawn = true;
      const file = url.slice(url.lastIndexOf('/') + 1);
      const of = total === undefined ? '' : ` / ${size(total)} (${Math.floor((received / total) * 100)}%)`;
      stream.write(`\r${name} ${file}: ${size(received)}${of}\x1b[K`);
    },
    clear() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

function summary(r: FetchResult): string {
  const what = `${r.name}: ${r.rows.toLocaleString('en')} rows, ${size(r.bytes)}, sha256 ${r.sha256.slice(0, 12)}`;
  if (r.status === 'cached') return `${what}: cached, matches the manifest -> ${r.path}`;
  const from =
    `${r.files} file${r.files === 1 ? '' : 's'}, ${size(r.downloaded)}` +
    `${r.resumed ? ', resumed' : ''}, ${r.checkedSha256}/${r.files} checked against a published sha256`;
  return `${what}: fetched (${from}) -> ${r.path}${r.note ? ` (${r.note})` : ''}`;
}

/** Adds `gradus data fetch`. */
export function registerData(program: Command): void {
  const byName = Object.keys(DATASETS).filter((name) => DATASETS[name]?.onlyByName);
  const data = program.command('data').description('the public benchmarks and test sets');
  data
    .command('fetch')
    .description(
      'download data sets from their public sources into the data cache, check and convert them ' +
        `(${Object.keys(DATASETS).join(', ')}; default: all but ${byName.join(', ')} (fetched only when named))`,
    )
    .argument('[names...]', 'data sets (benchmark names)')
    .option('--dir <dir>', 'data folder (default: GRADUS_DATA_DIR, else ~/.cache/gradus/data)')
    .option('--mirror <url>', 'serves each source at <url>/<host>/<path> (default: GRADUS_DATA_MIRROR)')
    .option('--force', 'fetch again even when the cached file matches the manifest')
    .action(async (names: string[], opts: { dir?: string; mirror?: string; force?: boolean }) => {
      const root = opts.dir ?? dataCacheDir();
      const mirror = opts.mirror ?? (process.env.GRADUS_DATA_MIRROR || undefined);
      const progress = byteProgress(process.stderr);
      let failed = 0;
      for (const name of resolveNames(names)) {
        try {
          const result = await fetchDataSet(name, {
            root,
            mirror,
            force: opts.force,
            onBytes: progress.update,
          });
          progress.clear();
          process.stdout.write(`${summary(result)}\n`);
        } catch (err) {
          progress.clear();
          failed++;
          process.stderr.write(`${name}: failed: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      }
      if (failed > 0) {
        process.stderr.write(`${failed} data set${failed === 1 ? '' : 's'} not fetched\n`);
        process.exitCode = 1;
      }
    });
}
