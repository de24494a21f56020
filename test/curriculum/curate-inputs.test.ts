import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CurateOptions, curate } from '../../shared/curriculum/curate.ts';
import { loadSpec } from '../../shared/curriculum/load-spec.ts';
import { parseSpecText } from '../../shared/curriculum/spec-text.ts';
import { writeRows } from '../../shared/io/write-rows.ts';
import { openStorage } from '../../shared/storage/index.ts';
import { FAKE_MODELS, type Fixture, K, MODEL_IDS, makeFixture, writeJsonl } from './fixture.ts';
import { readParquetBytes } from './read-parquet.ts';

/** Bad inputs stop curate with a message naming the file, the row and the field; nothing is published. */

let dir: string;
let n = 0;
const fixture = makeFixture(300, 11);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-curate-inputs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(f: Fixture = fixture) {
  const sub = join(dir, `case${++n}`);
  const data = await writeJsonl(`${sub}-data.jsonl`, f.dataRows);
  const passRates = await writeJsonl(`${sub}-passrates.jsonl`, f.passRateRows);
  return { data, passRates, out: openStorage(`${sub}-out`) };
}

async function run(overrides: Partial<CurateOptions> & Pick<CurateOptions, 'data' | 'passRates' | 'out'>) {
  const { spec, source } = await loadSpec('paper');
  return curate({ spec, specSource: source, ...overrides });
}

function edited(change: (f: Fixture) => void): Fixture {
  const copy = structuredClone(fixture);
  change(copy);
  return copy;
}

describe('curate input errors', () => {
  it('names the dataset file, row and field of a missing problem id', async () => {
    const f = await files(
      edited((c) => delete (c.dataRows[2] as { extra_info: Record<string, unknown> }).extra_info.problem_id),
    );
    await expect(run(f)).rejects.toThrow(
      `${f.data} row 3, field extra_info.problem_id: expected the problem id (a non-empty string or a number), got nothing`,
    );
    expect(await f.out.head('manifest.json')).toBeUndefined();
  });

  it('names the field of a row that is not a verl row', async () => {
    const f = await files(edited((c) => Object.assign(c.dataRows[4] as object, { prompt: 'just text' })));
    await expect(run(f)).rejects.toThrow(new RegExp(`${f.data} row 5, field prompt: .*expected array`));
  });

  it('names both rows of a duplicate problem id', async () => {
    const f = await files(
      edited((c) => Object.assign(c.dataRows[9]?.extra_info as object, { problem_id: 'p1' })),
    );
    await expect(run(f)).rejects.toThrow(
      `${f.data} row 10, field extra_info.problem_id: duplicate problem id "p1" (first at row 2)`,
    );
  });

  it('names a line that is not JSON', async () => {
    const f = await files();
    await writeFile(f.data, `${JSON.stringify(fixture.dataRows[0])}\n{"data_source": \n`);
    await expect(run(f)).rejects.toThrow(new RegExp(`${f.data} row 2: not valid JSON`));
  });

  it('names the pass-rate file, row and field of a rate out of range, or of a repeated rate', async () => {
    const bad = await files(edited((c) => Object.assign(c.passRateRows[1] as object, { pass_rate: 1.5 })));
    await expect(run(bad)).rejects.toThrow(new RegExp(`${bad.passRates} row 2, field pass_rate: Too big`));
    const twice = await files(edited((c) => c.passRateRows.splice(3, 0, { ...c.passRateRows[0] })));
    await expect(run(twice)).rejects.toThrow(
      `${twice.passRates} row 4, field model: a second pass rate for problem "p0" and model "1.5b" (first at row 1)`,
    );
  });

  it('says which model id the table lacks and which ids it has', async () => {
    const f = await files(
      edited((c) => (c.passRateRows = c.passRateRows.filter((r) => r.model !== MODEL_IDS['32b']))),
    );
    await expect(run(f)).rejects.toThrow(
      `${f.passRates}: no pass rates for model "${MODEL_IDS['32b']}" (spec model "32b"); the table's other models are "someone/unrelated-0.5B"`,
    );
  });

  it('with missing_pass_rate: error, names the first problem lacking a rate', async () => {
    const f = await files();
    const { spec, source } = await loadSpec('paper');
    spec.missing_pass_rate = 'error';
    const first = fixture.problems.findIndex((p) => FAKE_MODELS.some((m) => p.correct[m] === undefined));
    await expect(curate({ spec, specSource: source, ...f })).rejects.toThrow(
      new RegExp(
        `${f.data} row ${first + 1}, field extra_info.problem_id: problem "p${first}" has no pass rate for "`,
      ),
    );
  });

  it('refuses to replace a published manifest unless asked to', async () => {
    const f = await files();
    await run(f);
    const before = await f.out.getText('manifest.json');
    await expect(run(f)).rejects.toThrow(/manifest.json already exists; choose another --out, or --force/);
    expect(await f.out.getText('manifest.json')).toBe(before);
    const again = await run({ ...f, overwrite: true, now: new Date('2030-01-01T00:00:00Z') });
    expect(again.manifest.created_at).toBe('2030-01-01T00:00:00.000Z');
  });

  it('stops before publishing when a stage would be empty', async () => {
    const f = await files(
      edited((c) => (c.passRateRows = c.passRateRows.map((r) => ({ ...r, correct: K, pass_rate: 1 })))),
    );
    await expect(run(f)).rejects.toThrow(/stage "stage1-l2-16k" would have no problems \(levels L2\)/);
    expect(await f.out.head('manifest.json')).toBeUndefined();
  });

  it('reads Parquet inputs, and a wide pass-rate table with one column per model', async () => {
    const sub = join(dir, 'parquet');
    await writeRows(`${sub}-data.parquet`, fixture.dataRows);
    const wide = fixture.problems.map((p) => ({
      problem_id: p.id,
      ...Object.fromEntries(
        FAKE_MODELS.map((m) => [
          `difficulty_${m.replace('.', '_')}`,
          p.correct[m] === undefined ? null : (p.correct[m] as number) / K,
        ]),
      ),
    }));
    await writeRows(`${sub}-wide.parquet`, wide);
    const { spec, source } = await loadSpec('paper');
    const text = source.text.replace(/"(1\.5b|7b|32b|r1)": \{ model: [^}]+\}|r1: \{ model: [^}]+\}/g, (m) => {
      const name = m.startsWith('r1') ? 'r1' : (m.match(/"([^"]+)"/)?.[1] as string);
      return `"${name}": { column: difficulty_${name.replace('.', '_')} }`;
    });
    const parsed = parseSpecText(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const fromWide = await curate({
      spec: parsed.spec,
      specSource: { name: 'wide', text },
      data: `${sub}-data.parquet`,
      passRates: `${sub}-wide.parquet`,
      out: openStorage(`${sub}-out-wide`),
    });
    const fromLong = await curate({
      spec,
      specSource: source,
      data: `${sub}-data.parquet`,
      passRates: (await files()).passRates,
      out: openStorage(`${sub}-out-long`),
    });
    expect(fromWide.manifest.stages.map((s) => s.data[0]?.sha256)).toEqual(
      fromLong.manifest.stages.map((s) => s.data[0]?.sha256),
    );
    const levels = await readParquetBytes(
      (await openStorage(`${sub}-out-wide`).get('levels.parquet')) as Uint8Array,
    );
    expect(levels.filter((r) => r.status === 'missing_pass_rates').length).toBeGreaterThan(0);
  });
});
