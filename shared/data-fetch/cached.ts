import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findBenchmark } from '../eval/benchmarks.ts';
import { dataCacheDir } from './cache-dir.ts';
import { DATASETS } from './datasets.ts';
import { DataFetchError } from './errors.ts';

/**
 * `gradus eval`'s benchmarks with the fetched file filled in for each named without one; a benchmark
 * the cache lacks is an error naming the command that fetches it. Unknown names pass on unchanged.
 */
export function withCachedFiles<T extends { name: string; source?: string }>(
  choices: T[],
  env: NodeJS.ProcessEnv = process.env,
): T[] {
  return choices.map((choice) => {
    const benchmark = findBenchmark(choice.name);
    const entry = Object.entries(DATASETS).find(([, set]) => set.benchmark === benchmark?.name);
    if (choice.source || !entry) return choice;
    const root = dataCacheDir(env);
    const path = join(root, entry[1].path);
    if (!existsSync(path)) {
      throw new DataFetchError(
        `benchmark "${choice.name}" has no file in ${root}: run \`gradus data fetch ${entry[0]}\`, ` +
          `or give ${choice.name}=<file> or --data-dir <folder>`,
      );
    }
    return { ...choice, source: path };
  });
}
