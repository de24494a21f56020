import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { byteProgress } from '../../functions/cli/data.ts';
import { dataCacheDir, mirrored } from '../../shared/data-fetch/cache-dir.ts';
import { withCachedFiles } from '../../shared/data-fetch/cached.ts';
import { DATASETS, type DataSet } from '../../shared/data-fetch/datasets.ts';
import { DataFetchError } from '../../shared/data-fetch/errors.ts';
import { fetchDataSet, resolveNames } from '../../shared/data-fetch/fetch-data.ts';
import { BENCHMARKS, loadProblems } from '../../shared/eval/benchmarks.ts';
import { EvalResults } from '../../shared/eval/results.ts';
import { runCli } from './cli.ts';

/**
 * `gradus data fetch` against a local server standing in for the public sources: synthetic rows in the
 * sources' own formats (JSONL on raw.githubusercontent.com, Parquet behind Hugging Face's redirect that
 * declares size and sha256), served at <mirror>/<host>/<path>, with Range support, a connection that
 * drops midway, and corrupt files.
 */

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

interface Served {
  body: Buffer;
  /** Served as Hugging Face does an LFS file: a redirect declaring size and sha256, then the bytes. */
  hf?: boolean;
  /** The sha256 the redirect declares, when not the body's (a corrupt download). */
  declaredSha256?: string;
  /** The first full request sends this many bytes of a declared-complete body, then drops the connection. */
  dropAfter?: number;
  /** Headers are sent, then nothing. */
  stall?: boolean;
  /** A redirect to this location instead. */
  redirect?: string;
  /** Sent as ETag; a Range request whose If-Range names another gets the whole file. */
  etag?: string;
}

const served = new Map<string, Served>();
const requests: { path: string; range?: string; ifRange?: string }[] = [];
let mirror: string;
let closeServer: () => Promise<void>;

function serveBytes(entry: Served, req: IncomingMessage, res: ServerResponse) {
  const { body } = entry;
  if (entry.stall) return void res.writeHead(200, { 'content-length': body.length }).flushHeaders();
  const etag = entry.etag === undefined ? {} : { etag: entry.etag };
  const stale = req.headers['if-range'] !== undefined && req.headers['if-range'] !== entry.etag;
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range && !stale) {
    const start = Number(range[1]);
    if (start >= body.length)
      return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
    res.writeHead(206, { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    return void res.end(body.subarray(start));
  }
  if (entry.dropAfter !== undefined) {
    const cut = entry.dropAfter;
    entry.dropAfter = undefined;
    res.writeHead(200, { 'content-length': body.length, ...etag });
    return void res.write(body.subarray(0, cut), () => setTimeout(() => res.destroy(), 100));
  }
  res.writeHead(200, { 'content-length': body.length, ...etag }).end(body);
}

beforeAll(async () => {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined });
    const cdn = path.startsWith('/cdn/');
    const entry = served.get(cdn ? path.slice(4) : path);
    if (!entry) return void res.writeHead(404).end();
    if (entry.redirect) return void res.writeHead(302, { location: entry.redirect }).end();
    if (entry.hf && !cdn) {
      res.writeHead(302, {
        location: `/cdn${path}`,
        'x-linked-size': String(entry.body.length),
        'x-linked-etag': `"${entry.declaredSha256 ?? sha256(entry.body)}"`,
      });
      return void res.end();
    }
    serveBytes(entry, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror`;
  closeServer = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
});
afterAll(async () => closeServer());

let root: string;
beforeEach(async () => {
  served.clear();
  requests.length = 0;
  root = await mkdtemp(join(tmpdir(), 'gradus-data-'));
  return () => rm(root, { recursive: true, force: true });
});

/** The path the mirror serves a registered source at. */
function mirrorPath(url: string): string {
  return new URL(mirrored(url, mirror)).pathname;
}

function serve(set: DataSet, bodies: Buffer[], extra: Omit<Served, 'body'> = {}) {
  set.files.forEach((file, i) => {
    served.set(mirrorPath(file.url), { body: bodies[i] as Buffer, ...extra });
  });
}

const jsonl = (rows: object[]) => Buffer.from(`${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);

const aimeRows = Array.from({ length: 30 }, (_, i) => ({
  id: 60 + i,
  problem: `Synthetic problem ${i}: what is ${i} + ${i}?`,
  answer: String(2 * i),
}));

const humanevalRows = Array.from({ length: 164 }, (_, i) => ({
  task_id: `HumanEval/${i}`,
  prompt: `def f${i}(x):\n    """Return x plus ${i}."""\n`,
  canonical_solution: `    return x + ${i}\n`,
  test: `def check(candidate):\n    assert candidate(1) == ${1 + i}\n`,
  entry_point: `f${i}`,
}));

function humanevalParquet(): Buffer {
  const column = (name: keyof (typeof humanevalRows)[number]) => ({
    name,
    data: humanevalRows.map((r) => r[name]),
    type: 'STRING' as const,
  });
  return Buffer.from(
    parquetWriteBuffer({
      columnData: (['task_id', 'prompt', 'canonical_solution', 'test', 'entry_point'] as const).map(column),
    }),
  );
}

/** MBPP's splits in the registry's order (train, test, validation, prompt), task ids as published. */
const mbppSplits: [number, number][] = [
  [601, 974],
  [11, 510],
  [511, 600],
  [1, 10],
];

function mbppParquet([from, to]: [number, number]): Buffer {
  const ids = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'task_id', data: ids, type: 'INT32' },
        { name: 'text', data: ids.map((id) => `Write a function g${id} returning ${id}.`), type: 'STRING' },
        { name: 'code', data: ids.map((id) => `def g${id}():\n    return ${id}`), type: 'STRING' },
        { name: 'test_list', data: ids.map((id) => [`assert g${id}() == ${id}`, `assert g${id}() > 0`]) },
        { name: 'test_setup_code', data: ids.map(() => ''), type: 'STRING' },
      ],
    }),
  );
}

const readJsonl = async (path: string) =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Every file left under a folder (a `.part` or a download that should have been deleted shows here). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Where a Range request starts. A drop can lose bytes the client had received but not yet read (a stream
 * that errors discards what it queued), so a resume starts at most at the cut, and never at 0.
 */
function resumedAt(range: string | undefined, cut: number): number {
  const start = Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1]);
  expect(start, `a Range request resuming at 1..${cut}, not ${range}`).toBeGreaterThan(0);
  expect(start).toBeLessThanOrEqual(cut);
  return start;
}

const env = () => ({ GRADUS_DATA_DIR: root, GRADUS_DATA_MIRROR: mirror, GRADUS_BENCHMARKS: '' });

describe('gradus data fetch', () => {
  it('fetches JSONL and Parquet sources into the data layout, checked, converted and recorded', async () => {
    const aime = jsonl(aimeRows);
    const humaneval = humanevalParquet();
    const mbpp = mbppSplits.map(mbppParquet);
    serve(DATASETS.aime24 as DataSet, [aime]);
    serve(DATASETS.humaneval as DataSet, [humaneval], { hf: true });
    serve(DATASETS.mbpp as DataSet, mbpp, { hf: true });

    const run = await runCli(['data', 'fetch', 'aime2024', 'humaneval', 'mbpp'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^aime24: 30 rows, .* fetched \(1 file, .*0\/1 checked against a published sha256\)/,
    );
    expect(lines[1]).toMatch(/^humaneval: 164 rows, .* fetched \(1 file, .*1\/1 checked/);
    expect(lines[2]).toMatch(/^mbpp: 974 rows, .* fetched \(4 files, .*4\/4 checked/);

    // JSONL lines are kept as published; Parquet rows become JSON objects, MBPP's in task order.
    const aimePath = join(root, 'benchmarks', 'aime24.jsonl');
    expect(await readFile(aimePath)).toEqual(aime);
    expect(await readJsonl(join(root, 'code', 'humaneval.jsonl'))).toEqual(humanevalRows);
    const mbppRows = await readJsonl(join(root, 'code', 'mbpp.jsonl'));
    expect(mbppRows.map((r) => r.task_id)).toEqual(Array.from({ length: 974 }, (_, i) => i + 1));
    expect(mbppRows[926]).toEqual({
      task_id: 927,
      text: 'Write a function g927 returning 927.',
      code: 'def g927():\n    return 927',
      test_list: ['assert g927() == 927', 'assert g927() > 0'],
      test_setup_code: '',
    });
    expect(await loadProblems(BENCHMARKS.mbpp as never, join(root, 'code', 'mbpp.jsonl'))).toHaveLength(974);
    expect((await loadProblems(BENCHMARKS.aime24 as never, aimePath))[3]?.groundTruth).toBe('6');

    const manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8'));
    expect(manifest.datasets.aime24).toMatchObject({
      path: 'benchmarks/aime24.jsonl',
      rows: 30,
      bytes: aime.length,
      sha256: sha256(aime),
      sources: [{ url: DATASETS.aime24?.files[0]?.url, bytes: aime.length, sha256: sha256(aime) }],
    });
    expect(manifest.datasets.mbpp.sources.map((s: { sha256: string }) => s.sha256)).toEqual(mbpp.map(sha256));
    expect(manifest.datasets.humaneval.sha256).toBe(
      sha256(await readFile(join(root, 'code', 'humaneval.jsonl'))),
    );
    expect(filesUnder(join(root, '.downloads'))).toEqual([]);

    // Again: kept, nothing requested. A cached file changed on disk is fetched anew.
    requests.length = 0;
    const again = await runCli(['data', 'fetch', 'aime24', 'mbpp'], env());
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^aime24: 30 rows, .*: cached, matches the manifest -> /m);
    expect(requests).toEqual([]);
    await writeFile(aimePath, jsonl(aimeRows.slice(1)));
    const refreshed = await runCli(['data', 'fetch', 'aime24'], env());
    expect(refreshed.stdout).toMatch(/aime24: 30 rows, .* fetched .*\(the cached file no longer matched/);
    expect(await readFile(aimePath)).toEqual(aime);
  }, 60_000);

  it('fetches again when the registry names other sources than the manifest recorded', async () => {
    const aime = jsonl(aimeRows);
    serve(DATASETS.aime24 as DataSet, [aime]);
    expect(await fetchDataSet('aime24', { root, mirror })).toMatchObject({ status: 'fetched' });
    expect(await fetchDataSet('aime24', { root, mirror })).toMatchObject({ status: 'cached' });
    const moved: DataSet = {
      ...(DATASETS.aime24 as DataSet),
      files: [{ url: 'https://example.org/aime24/v2/test.jsonl' }],
    };
    serve(moved, [aime]);
    const again = await fetchDataSet('aime24', { root, mirror, datasets: { aime24: moved } });
    expect(again).toMatchObject({ status: 'fetched', rows: 30 });
    expect(requests.at(-1)?.path).toBe('/mirror/example.org/aime24/v2/test.jsonl');
  });

  it('resumes a download whose connection dropped midway with a Range request', async () => {
    const humaneval = humanevalParquet();
    const cut = Math.floor(humaneval.length / 2);
    serve(DATASETS.humaneval as DataSet, [humaneval], { hf: true, dropAfter: cut });
    const seen: number[] = [];
    const result = await fetchDataSet('humaneval', {
      root,
      mirror,
      download: { retries: 1, retryDelayMs: 0 },
      onBytes: (_name, _url, received) => seen.push(received),
    });
    expect(result).toMatchObject({ status: 'fetched', rows: 164, resumed: true, checkedSha256: 1 });
    const cdn = requests.filter((r) => r.path.startsWith('/cdn/'));
    expect(cdn).toHaveLength(2);
    expect(cdn[0]?.range).toBeUndefined();
    resumedAt(cdn[1]?.range, cut);
    expect(seen.at(-1)).toBe(humaneval.length);
    expect(await readJsonl(join(root, 'code', 'humaneval.jsonl'))).toEqual(humanevalRows);
  });

  it('keeps the .part of a broken run and resumes it on the next run', async () => {
    const aime = jsonl(aimeRows);
    const cut = 1000;
    serve(DATASETS.aime24 as DataSet, [aime], { dropAfter: cut });
    const first = await runCli(['data', 'fetch', 'aime24'], { ...env() });
    // The CLI retries within the run: one drop is resumed at once.
    expect(first.code).toBe(0);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.range).toBeUndefined();
    resumedAt(requests[1]?.range, cut);

    await rm(join(root, 'benchmarks'), { recursive: true });
    await rm(join(root, 'manifest.json'));
    requests.length = 0;
    serve(DATASETS.aime24 as DataSet, [aime], { dropAfter: cut });
    const broken = await fetchDataSet('aime24', { root, mirror, download: { retries: 0 } }).catch((e) => e);
    expect(broken).toBeInstanceOf(DataFetchError);
    expect(broken.message).toMatch(
      /connection lost after \d+ bytes .*; gave up after 0 retries \(run again to resume from .*aime24\/0-test\.jsonl\.part\)$/,
    );
    const part = join(root, '.downloads', 'aime24', '0-test.jsonl.part');
    const kept = (await stat(part)).size;
    expect(broken.message).toContain(`connection lost after ${kept} bytes`);
    const second = await fetchDataSet('aime24', { root, mirror, download: { retries: 0 } });
    expect(second).toMatchObject({ status: 'fetched', rows: 30, resumed: true });
    expect(requests).toHaveLength(2);
    expect(resumedAt(requests[1]?.range, cut)).toBe(kept);
    expect(await readFile(join(root, 'benchmarks', 'aime24.jsonl'))).toEqual(aime);
    expect(existsSync(part)).toBe(false);
  });

  it('starts over, rather than splice, when the file changed since its .part began (If-Range)', async () => {
    const v1 = jsonl(aimeRows);
    const v2 = jsonl(aimeRows.map((r) => ({ ...r, problem: `${r.problem} (revised)` })));
    serve(DATASETS.aime24 as DataSet, [v1], { dropAfter: 1000, etag: '"v1"' });
    await expect(fetchDataSet('aime24', { root, mirror, download: { retries: 0 } })).rejects.toThrow(
      /connection lost after \d+ bytes/,
    );
    serve(DATASETS.aime24 as DataSet, [v2], { etag: '"v2"' });
    expect(await fetchDataSet('aime24', { root, mirror })).toMatchObject({
      status: 'fetched',
      resumed: false,
    });
    expect(requests.map((r) => r.ifRange)).toEqual([undefined, '"v1"']);
    resumedAt(requests[1]?.range, 1000);
    expect(await readFile(join(root, 'benchmarks', 'aime24.jsonl'))).toEqual(v2);
    expect(filesUnder(join(root, '.downloads'))).toEqual([]);
  });

  it('refuses a file whose sha256 is not the declared one: deleted, a clear error, exit 1', async () => {
    const humaneval = humanevalParquet();
    const corrupt = Buffer.from(humaneval);
    corrupt[100] = (corrupt[100] as number) ^ 0xff;
    serve(DATASETS.humaneval as DataSet, [corrupt], { hf: true, declaredSha256: sha256(humaneval) });
    const run = await runCli(['data', 'fetch', 'humaneval'], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `humaneval: failed: ${mirror}/huggingface.co/datasets/openai/openai_humaneval/resolve/main/` +
        `openai_humaneval/test-00000-of-00001.parquet: sha256 ${sha256(corrupt)} differs from the ` +
        `server's ${sha256(humaneval)}; the file was deleted`,
    );
    expect(run.stderr).toMatch(/^1 data set not fetched$/m);
    expect(filesUnder(root)).toEqual([]);
  });

  it("refuses a file whose sha256 is not the registry's", async () => {
    const aime = jsonl(aimeRows);
    const set: DataSet = {
      ...(DATASETS.aime24 as DataSet),
      files: [{ url: DATASETS.aime24?.files[0]?.url as string, sha256: sha256('other'), bytes: aime.length }],
    };
    serve(set, [aime]);
    await expect(fetchDataSet('aime24', { root, mirror, datasets: { aime24: set } })).rejects.toThrow(
      `sha256 ${sha256(aime)} differs from the registry's ${sha256('other')}; the file was deleted`,
    );
    expect(filesUnder(root)).toEqual([]);

    // The converted file's pinned sha256 is checked too; the right one passes.
    const pinned = { ...set, files: [{ url: set.files[0]?.url as string }], sha256: sha256(aime) };
    expect(await fetchDataSet('aime24', { root, mirror, datasets: { aime24: pinned } })).toMatchObject({
      status: 'fetched',
      sha256: sha256(aime),
    });
  });

  it('refuses unparsable files and rows the benchmark cannot read, keeping nothing', async () => {
    const lines = aimeRows.map((r) => JSON.stringify(r));
    lines[2] = '{"id": 62, "problem": "cut off';
    serve(DATASETS.aime24 as DataSet, [Buffer.from(lines.join('\n'))]);
    const garbage = Buffer.from('PAR1 this is not a parquet file PAR1');
    serve(DATASETS.humaneval as DataSet, [garbage]);
    const run = await runCli(['data', 'fetch', 'aime24', 'humaneval'], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^aime24: failed: .*0-test\.jsonl line 3: invalid JSON; refused, the downloaded files were deleted$/m,
    );
    expect(run.stderr).toMatch(/^humaneval: failed: .*not a readable Parquet file .*refused/m);
    expect(run.stderr).toMatch(/^2 data sets not fetched$/m);
    expect(filesUnder(root)).toEqual([]);

    served.clear();
    serve(DATASETS.aime24 as DataSet, [jsonl(aimeRows.map((r, i) => (i === 4 ? { ...r, answer: '' } : r)))]);
    await expect(fetchDataSet('aime24', { root, mirror })).rejects.toThrow(
      /line 5: not a aime24 row \(field "answer" is missing\); refused/,
    );
    serve(DATASETS.aime24 as DataSet, [jsonl(aimeRows.slice(0, 29))]);
    await expect(fetchDataSet('aime24', { root, mirror })).rejects.toThrow(
      '29 rows where the published set has 30',
    );
    serve(DATASETS.aime24 as DataSet, [jsonl([...aimeRows.slice(0, 29), aimeRows[0] as object])]);
    await expect(fetchDataSet('aime24', { root, mirror })).rejects.toThrow(
      'line 30: duplicate problem id "60"',
    );
    expect(filesUnder(root)).toEqual([]);
  });

  it('bounds what it reads: size caps, http(s) only, a stalled transfer', async () => {
    const aime = jsonl(aimeRows);
    const small = { aime24: { ...(DATASETS.aime24 as DataSet), maxBytes: 100 } };
    serve(DATASETS.aime24 as DataSet, [aime]);
    await expect(fetchDataSet('aime24', { root, mirror, datasets: small })).rejects.toThrow(
      `${aime.length} bytes, more than the 100 accepted`,
    );
    // Over the cap though no size was declared.
    served.set(mirrorPath(DATASETS.aime24?.files[0]?.url as string), { body: aime, hf: true });
    const hfSmall = { aime24: { ...(DATASETS.aime24 as DataSet), maxBytes: 100 } };
    await expect(fetchDataSet('aime24', { root, mirror, datasets: hfSmall })).rejects.toThrow(/more than/);
    expect(filesUnder(root)).toEqual([]);

    serve(DATASETS.aime24 as DataSet, [aime], { redirect: 'file:///etc/passwd' });
    await expect(fetchDataSet('aime24', { root, mirror })).rejects.toThrow(
      /not an http\(s\) URL \(file:\/\/\/etc\/passwd\)/,
    );
    serve(DATASETS.aime24 as DataSet, [aime], { stall: true });
    await expect(
      fetchDataSet('aime24', { root, mirror, download: { idleTimeoutMs: 200, retries: 1, retryDelayMs: 0 } }),
    ).rejects.toThrow(/connection lost after 0 bytes \(no data for 0.2 s\); gave up after 1 retry/);
    await expect(
      fetchDataSet('aime24', { root, mirror, download: { transferTimeoutMs: 300, retries: 0 } }),
    ).rejects.toThrow(/still running after 0.3 s\)?; gave up after 0 retries/);
    // Nothing received: nothing kept, no hint to resume.
    expect(readdirSync(root)).toEqual([]);
    const closed = 'http://127.0.0.1:1/mirror';
    const refused = fetchDataSet('aime24', {
      root,
      mirror: closed,
      download: { retries: 2, retryDelayMs: 0 },
    });
    await expect(refused).rejects.toThrow(/could not connect \(.*\); gave up after 2 retries$/);
    expect(readdirSync(root)).toEqual([]);
  });

  it('names data sets by benchmark name or alias; an unknown name is an error listing the known', () => {
    expect(resolveNames(['aime2024', 'lcb', 'MATH-500'])).toEqual(['aime24', 'livecodebench', 'math500']);
    expect(resolveNames([])).toEqual(Object.keys(DATASETS).filter((name) => name !== 'livecodebench'));
    expect(() => resolveNames(['gsm8k'])).toThrow(DataFetchError);
    expect(() => resolveNames(['gsm8k'])).toThrow(/unknown data set "gsm8k"; known: aime24, aime25, /);
  });

  it('serves every source at <mirror>/<host>/<path>, and caches under GRADUS_DATA_DIR or XDG', () => {
    expect(mirrored('https://huggingface.co/datasets/a/b/resolve/main/t.jsonl?x=1', 'http://m:1/base/')).toBe(
      'http://m:1/base/huggingface.co/datasets/a/b/resolve/main/t.jsonl?x=1',
    );
    expect(mirrored('https://h/x', undefined)).toBe('https://h/x');
    expect(dataCacheDir({ GRADUS_DATA_DIR: '/d' })).toBe('/d');
    expect(dataCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/gradus/data');
    expect(dataCacheDir({ XDG_CACHE_HOME: 'rel' })).toMatch(/\.cache\/gradus\/data$/);
    for (const set of Object.values(DATASETS)) {
      expect(BENCHMARKS[set.benchmark], set.benchmark).toBeDefined();
      for (const file of set.files) expect(file.url).toMatch(/^https:\/\//);
    }
  });
});

describe('byte progress', () => {
  it('redraws bytes received (of the total, when known) on a terminal, and writes nothing elsewhere', () => {
    const written: string[] = [];
    const tty = { isTTY: true, write: (s: string) => written.push(s) > 0 };
    const bar = byteProgress(tty);
    bar.update('aime24', 'https://h/x/test.jsonl', 1024, 2048);
    bar.update('aime24', 'https://h/x/test.jsonl', 2048, 2048);
    bar.clear();
    byteProgress(tty).update('lcb', 'https://h/test2.jsonl', 3 * 1024 ** 2, undefined);
    expect(written).toEqual([
      '\raime24 test.jsonl: 1.0 KiB / 2.0 KiB (50%)\x1b[K',
      '\raime24 test.jsonl: 2.0 KiB / 2.0 KiB (100%)\x1b[K',
      '\r\x1b[K',
      '\rlcb test2.jsonl: 3.0 MiB\x1b[K',
    ]);
    const pipe = { isTTY: false, write: (s: string) => written.push(s) > 0 };
    written.length = 0;
    byteProgress(pipe).update('aime24', 'https://h/t.jsonl', 1, 2);
    expect(written).toEqual([]);
  });
});

describe('gradus eval with the data cache', () => {
  it('finds a fetched benchmark without --data-dir, and names the fetch command when it is missing', async () => {
    const responses = join(root, 'responses.jsonl');
    await writeFile(
      responses,
      aimeRows.map((r) => JSON.stringify({ problem_id: r.id, response: `\\boxed{${r.answer}}` })).join('\n'),
    );
    const args = ['eval', '--benchmarks', 'aime24', '--responses', responses, '--k', '1'];
    const missing = await runCli([...args, '--out', join(root, 'out0')], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `benchmark "aime24" has no file in ${root}: run \`gradus data fetch aime24\`, or give aime24=<file> or --data-dir <folder>`,
    );

    serve(DATASETS.aime24 as DataSet, [jsonl(aimeRows)]);
    expect((await runCli(['data', 'fetch', 'aime24'], env())).code).toBe(0);
    const out = join(root, 'out');
    const run = await runCli([...args, '--out', out], env());
    expect(run.stderr).not.toMatch(/error|gradus:/i);
    expect(run.code).toBe(0);
    const results = EvalResults.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
    expect(results.benchmarks[0]).toMatchObject({ benchmark: 'aime24', metrics: { problems: 30, avg: 1 } });
  }, 60_000);

  it('leaves benchmarks given a file, and names it does not know, as they are', async () => {
    await mkdir(join(root, 'benchmarks'), { recursive: true });
    await writeFile(join(root, 'benchmarks', 'aime24.jsonl'), jsonl(aimeRows));
    const env = { GRADUS_DATA_DIR: root };
    expect(
      withCachedFiles([{ name: 'AIME2024' }, { name: 'x', source: 's' }, { name: 'nope' }], env),
    ).toEqual([
      { name: 'AIME2024', source: join(root, 'benchmarks', 'aime24.jsonl') },
      { name: 'x', source: 's' },
      { name: 'nope' },
    ]);
    expect(() => withCachedFiles([{ name: 'mbpp' }], env)).toThrow('run `gradus data fetch mbpp`');
  });
});
