import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPath, dataRoots, findData, missingDataLine } from '../../scripts/data-dir.ts';

const REPO = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'gradus-data-dir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('where the public data sets are looked for', () => {
  it('GRADUS_DATA_DIR alone when set; else ../shared/data next to the checkout, then the download cache', () => {
    expect(dataRoots({ GRADUS_DATA_DIR: 'rel/data' })).toEqual([resolve('rel/data')]);
    expect(dataRoots({ XDG_CACHE_HOME: '/c' })).toEqual([resolve(REPO, '../shared/data'), '/c/gradus/data']);
    // XDG: a relative XDG_CACHE_HOME is ignored.
    expect(dataRoots({ XDG_CACHE_HOME: 'c' })[1]).toBe(join(homedir(), '.cache', 'gradus', 'data'));
  });

  it('finds a data set under the first root that has it, and names what is missing and how to get it', () => {
    const cache = join(tmp, 'cache');
    mkdirSync(join(cache, 'gradus', 'data', 'code'), { recursive: true });
    const env = { XDG_CACHE_HOME: cache };
    const beside = findData('code', {}) !== undefined; // ../shared/data of this checkout, where there is one
    expect(findData('code', env)).toBe(
      beside ? join(REPO, '../shared/data/code') : join(cache, 'gradus/data/code'),
    );

    const only = join(tmp, 'only');
    mkdirSync(join(only, 'math'), { recursive: true });
    expect(findData('math', { GRADUS_DATA_DIR: only })).toBe(join(only, 'math'));
    expect(findData('code', { GRADUS_DATA_DIR: only })).toBeUndefined();
    expect(() => dataPath('code/mbpp.jsonl', { GRADUS_DATA_DIR: only })).toThrow(
      `no code/mbpp.jsonl in ${only}: fetch benchmarks and code sets with 'npx gradus data fetch', or set GRADUS_DATA_DIR to a copy of the gradus data sets, or place them at ../shared/data (see README 'Data')`,
    );
    expect(missingDataLine(['math', 'code'], env)).toMatch(
      /^no math, code in .+ or .+: fetch benchmarks and code sets with /,
    );
  });
});
