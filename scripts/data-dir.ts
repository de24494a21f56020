/**
 * Where the public data sets (benchmarks/, math/, code/: see README "Data") lie. Tests, benches and scripts
 * read them in place; the product itself never looks here. Looked up, in order: GRADUS_DATA_DIR alone when
 * it is set, else ../shared/data next to the checkout, else the download cache (`$XDG_CACHE_HOME/gradus/data`
 * or `~/.cache/gradus/data`, which `gradus data fetch` is to fill).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dataCacheDir } from '../shared/data-fetch/cache-dir.ts';

const REPO = resolve(import.meta.dirname, '..');

export const GET_DATA =
  "fetch benchmarks and code sets with 'npx gradus data fetch', or set GRADUS_DATA_DIR to a copy of the gradus data sets, or place them at ../shared/data (see README 'Data')";

export function dataRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.GRADUS_DATA_DIR) return [resolve(env.GRADUS_DATA_DIR)];
  return [resolve(REPO, '../shared/data'), dataCacheDir(env)];
}

/** The path of `rel` (e.g. `benchmarks`, `code/mbpp.jsonl`) under the first root that has it. */
export function findData(rel: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const root of dataRoots(env)) {
    const path = join(root, rel);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** The one line saying which data sets are missing, where they were looked for, and how to get them. */
export function missingDataLine(rels: string[], env: NodeJS.ProcessEnv = process.env): string {
  return `no ${rels.join(', ')} in ${dataRoots(env).join(' or ')}: ${GET_DATA}`;
}

/** Like findData, but a missing data set is an error that says how to get it. */
export function dataPath(rel: string, env: NodeJS.ProcessEnv = process.env): string {
  const path = findData(rel, env);
  if (path === undefined) throw new Error(missingDataLine([rel], env));
  return path;
}
