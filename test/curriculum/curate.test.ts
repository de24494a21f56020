import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curate } from '../../shared/curriculum/curate.ts';
import { loadSpec } from '../../shared/curriculum/load-spec.ts';
import { StageManifest } from '../../shared/formats/stage-manifest.ts';
import { openStorage } from '../../shared/storage/index.ts';
import type { Storage } from '../../shared/storage/types.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3rver.ts';
import { type FakeProblem, K, makeFixture, writeFixture } from './fixture.ts';
import { l3Draw, paperLevels, paperTags } from './paper-rules.ts';
import { readParquetBytes } from './read-parquet.ts';

/**
 * The acceptance test: 10,000 synthetic problems with known pass rates from four fake models,
 * curated with the paper's preset, land in exactly the levels the paper's rules give (recomputed here by
 * paper-rules.ts, which shares no code with shared/curriculum), on local disk and on s3rver.
 */

const NOW = new Date('2026-01-02T03:04:05.000Z');
const fixture = makeFixture(10_000);
const byId = new Map(fixture.problems.map((p) => [p.id, p]));
let dir: string;
let files: { data: string; passRates: string };
let s3: LocalS3;

type Expected = { status: string; levels: string[]; tags: string[] };

function expectedFor(p: FakeProblem, seed: number): Expected {
  const rate = (m: keyof FakeProblem['correct']) =>
    p.correct[m] === undefined ? undefined : (p.correct[m] as number) / K;
  const [p15, p7, p32, pR1] = [rate('1.5b'), rate('7b'), rate('32b'), rate('r1')];
  if (p15 === undefined || p7 === undefined || p32 === undefined || pR1 === undefined) {
    return { status: 'missing_pass_rates', levels: [], tags: [] };
  }
  const levels = paperLevels({ p15, p7, p32, pR1 }, p.ability, p.id, seed);
  if (levels === 'filtered') return { status: 'filtered', levels: [], tags: [] };
  const tags = paperTags({ p15, p7, p32, pR1 }, p.ability, p.id, seed);
  return { status: levels.length ? 'leveled' : 'no_level', levels, tags };
}

async function run(out: Storage, seed = 0) {
  const loaded = await loadSpec('paper');
  loaded.spec.seed = seed;
  return curate({
    spec: loaded.spec,
    specSource: loaded.source,
    data: files.data,
    passRates: files.passRates,
    out,
    now: NOW,
  });
}

async function readObject(storage: Storage, key: string): Promise<Uint8Array> {
  const bytes = await storage.get(key);
  if (!bytes) throw new Error(`${storage.url}/${key} is missing`);
  return bytes;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let local: Storage;
let localResult: Awaited<ReturnType<typeof run>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-curate-'));
  files = await writeFixture(dir, fixture);
  s3 = await startLocalS3();
  local = openStorage(join(dir, 'local'));
  localResult = await run(local);
}, 120_000);

afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('gradus curate with the paper preset on 10,000 synthetic problems', () => {
  it('puts every problem in the levels the paper gives, and says why the others are out', async () => {
    const rows = await readParquetBytes(await readObject(local, 'levels.parquet'));
    expect(rows).toHaveLength(fixture.problems.length);
    const tally = new Map<string, number>();
    for (const row of rows) {
      const problem = byId.get(row.problem_id as string) as FakeProblem;
      const expected = expectedFor(problem, 0);
      expect({ id: problem.id, status: row.status, levels: row.levels, tags: row.tags }).toEqual({
        id: problem.id,
        ...expected,
      });
      const key = `${expected.status}:${expected.levels.join('+')}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    // The fixture reaches every outcome, overlaps included, many times over.
    for (const outcome of [
      'missing_pass_rates:',
      'filtered:',
      'no_level:',
      'leveled:L1',
      'leveled:L3',
      'leveled:L1+L2+L3',
      'leveled:L2+L3',
    ]) {
      expect(tally.get(outcome) ?? 0, outcome).toBeGreaterThan(50);
    }
  });

  it('exercises each branch of L2 and of L3', () => {
    const count = (pred: (r: Record<string, number>, p: FakeProblem) => boolean) =>
      fixture.problems.filter((p) => {
        const r = Object.fromEntries(Object.entries(p.correct).map(([m, c]) => [m, (c as number) / K]));
        return r.r1 !== undefined && (r.r1 as number) > 0 && pred(r, p);
      }).length;
    const open = (x: number | undefined) => x !== undefined && x > 0 && x < 1;
    expect(count((r) => r['1.5b'] === 0 && r['7b'] === 1)).toBeGreaterThan(200); // L2 group a
    expect(count((r) => r['1.5b'] === 0 && open(r['7b']))).toBeGreaterThan(200); // group b
    expect(count((r) => open(r['1.5b']) && open(r['7b']))).toBeGreaterThan(200); // group c
    expect(count((r) => r['32b'] === 0)).toBeGreaterThan(200); // L3: the 32B fails
    expect(
      count((r, p) => (r['32b'] as number) > 0 && l3Draw(p.id, 0) >= (p.ability === 'math' ? 0.5 : 0.1)),
    ).toBeGreaterThan(200); // solved, not kept
  });

  it('writes each stage the problems of its level, once each, in verl schema and dataset order', async () => {
    const manifest = localResult.manifest;
    expect(manifest.stages.map((s) => [s.name, s.levels])).toEqual([
      ['stage1-l2-16k', ['L2']],
      ['stage2-l3-24k', ['L3']],
    ]);
    for (const [stage, level] of [
      [manifest.stages[0], 'L2'],
      [manifest.stages[1], 'L3'],
    ] as const) {
      const file = stage?.data[0];
      if (!file) throw new Error('no data file');
      const bytes = await readObject(local, file.path);
      expect({ bytes: bytes.length, sha256: sha256(bytes) }).toEqual({
        bytes: file.bytes,
        sha256: file.sha256,
      });
      const rows = await readParquetBytes(bytes);
      const ids = rows.map((r) => (r.extra_info as { problem_id: string }).problem_id);
      const expected = fixture.problems
        .filter((p) => expectedFor(p, 0).levels.includes(level))
        .map((p) => p.id);
      expect(ids).toEqual(expected);
      expect(file.rows).toBe(expected.length);
      const first = rows[0] as Record<string, unknown>;
      const original = fixture.dataRows[Number((first.extra_info as { index: number }).index)];
      expect(first).toEqual(original);
    }
  });

  it('writes a manifest that validates, with the paper settings and the level counts', async () => {
    const text = new TextDecoder().decode(await readObject(local, 'manifest.json'));
    const manifest = StageManifest.parse(JSON.parse(text));
    expect(manifest.created_at).toBe(NOW.toISOString());
    expect(manifest.stages[0]?.settings).toMatchObject({
      max_response_length: 16384,
      entropy_coef: 0.001,
      learning_rate: 1e-6,
    });
    expect(manifest.stages[1]?.settings).toMatchObject({
      max_response_length: 24576,
      entropy_coef: 0,
      mask_truncated: true,
    });
    const expectedCounts = { L1: 0, L2: 0, L3: 0 } as Record<string, number>;
    for (const p of fixture.problems)
      for (const l of expectedFor(p, 0).levels) expectedCounts[l] = (expectedCounts[l] ?? 0) + 1;
    expect(manifest.info?.levels).toEqual(expectedCounts);
  });

  it('writes a self-contained HTML report with inline SVG charts', async () => {
    const html = await readFile(join(dir, 'local', 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(2 + 4); // levels, stages, one histogram per model
    expect(html).not.toMatch(/<script|<link|\ssrc=|\shref=|@import|url\(/i);
    expect(html).toContain('stage2-l3-24k');
  });

  it('writes the same manifest and files to s3rver, the manifest last', async () => {
    const created: string[] = [];
    const onEvent = (e: { Records: { eventName: string; s3: { object: { key: string } } }[] }) => {
      for (const r of e.Records) if (r.eventName.startsWith('ObjectCreated')) created.push(r.s3.object.key);
    };
    s3.server.on('event', onEvent);
    const remote = s3.storage('runs/paper');
    const result = await run(remote);
    s3.server.off('event', onEvent);

    expect(result.manifest).toEqual(localResult.manifest);
    const remoteManifest = JSON.parse(new TextDecoder().decode(await readObject(remote, 'manifest.json')));
    expect(remoteManifest).toEqual(JSON.parse(await readFile(join(dir, 'local', 'manifest.json'), 'utf8')));
    for (const stage of result.manifest.stages) {
      for (const file of stage.data) expect(sha256(await readObject(remote, file.path))).toBe(file.sha256);
    }
    expect(created.at(-1)).toBe('runs/paper/manifest.json');
    expect(created.filter((k) => k.endsWith('manifest.json'))).toHaveLength(1);
    expect(created).toContain('runs/paper/stages/2/data/stage2-l3-24k.parquet');
  }, 60_000);

  it('is deterministic for a seed and draws another L3 subsample for another seed', async () => {
    const again = await run(openStorage(join(dir, 'again')));
    expect(again.manifest).toEqual(localResult.manifest);
    expect(await readFile(join(dir, 'again', 'manifest.json'), 'utf8')).toBe(
      await readFile(join(dir, 'local', 'manifest.json'), 'utf8'),
    );

    const other = await run(openStorage(join(dir, 'seed1')), 1);
    const [l2a, l3a] = localResult.manifest.stages;
    const [l2b, l3b] = other.manifest.stages;
    expect(l2b?.data[0]?.sha256).toBe(l2a?.data[0]?.sha256); // L2 samples nothing
    expect(l3b?.data[0]?.sha256).not.toBe(l3a?.data[0]?.sha256);

    const l3 = await readParquetBytes(
      await readObject(openStorage(join(dir, 'seed1')), l3b?.data[0]?.path as string),
    );
    const ids = new Set(l3.map((r) => (r.extra_info as { problem_id: string }).problem_id));
    const expected = fixture.problems.filter((p) => expectedFor(p, 1).levels.includes('L3')).map((p) => p.id);
    expect([...ids].sort()).toEqual(expected.sort());
    // The kept share of what the 32B solves is near 50% for math and 10% for code.
    for (const [ability, share] of [
      ['math', 0.5],
      ['code', 0.1],
    ] as const) {
      const solved = fixture.problems.filter((p) => {
        const { status } = expectedFor(p, 1);
        const inPlay = status === 'leveled' || status === 'no_level';
        return p.ability === ability && inPlay && (p.correct['32b'] as number) > 0;
      });
      const kept = solved.filter((p) => ids.has(p.id)).length / solved.length;
      expect(Math.abs(kept - share), ability).toBeLessThan(0.05);
    }
  }, 60_000);
});
