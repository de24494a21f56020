import { createHash } from 'node:crypto';
import { StageManifest } from '../formats/stage-manifest.ts';
import { parseVerlRow, toVerlParquetRow } from '../formats/verl-row.ts';
import type { ColumnSpec } from '../io/columns.ts';
import type { RowsLocation } from '../io/location.ts';
import { readRows } from '../io/rows.ts';
import { writeRows } from '../io/write-rows.ts';
import type { OpenStorageOptions } from '../storage/index.ts';
import type { Storage } from '../storage/types.ts';
import { InputError } from './errors.ts';
import { LEVEL_COLUMNS, levelPass } from './level-pass.ts';
import { modelsUsed } from './levels.ts';
import { checkEveryModelSeen, passRateIndexBuilder } from './pass-rate-index.ts';
import { renderReport } from './report-html.ts';
import { type CurriculumSpec, stageSettings, stageSources } from './spec.ts';
import { type StageSelection, selectStages } from './stages.ts';
import type { CurationSummary } from './summary.ts';

export interface CurateProgress {
  /**
   * A step of `size.total` items, or of the records of `size.input` (the caller may count them); `fraction`
   * is how much of the input has been read, which runs ahead of the items done.
   */
  step(
    name: string,
    size?: { total?: number; input?: RowsLocation },
  ): { update(done: number, fraction?: number): void; finish(done: number): void };
}

export interface CurateOptions {
  spec: CurriculumSpec;
  /** The spec's file or preset name, and its text (hashed into the manifest). */
  specSource: { name: string; text: string };
  data: RowsLocation;
  passRates: RowsLocation;
  out: Storage;
  /** S3 connection settings for inputs given as s3:// URLs. */
  storageOptions?: OpenStorageOptions;
  /** Replace an existing manifest.json under `out` (default: refuse). */
  overwrite?: boolean;
  /** The manifest's created_at (default: now); fixed in tests comparing runs. */
  now?: Date;
  progress?: CurateProgress;
}

export interface CurateResult {
  manifest: StageManifest;
  summary: CurationSummary;
  /** Keys written under `out`, manifest last. */
  keys: string[];
}

export const MANIFEST_KEY = 'manifest.json';
export const REPORT_KEY = 'report.html';
export const LEVELS_KEY = 'levels.parquet';
export const stageDataKey = (index: number, name: string) => `stages/${index}/data/${name}.parquet`;

const noProgress: CurateProgress = { step: () => ({ update() {}, finish() {} }) };

/**
 * Curates a dataset into per-stage Parquet files and a stage manifest under `out`: pass rates are
 * indexed, the dataset is read once to assign levels and once more to write each stage's rows, and
 * `manifest.json` is written last, so a reader that sees it sees every file it names.
 */
export async function curate(options: CurateOptions): Promise<CurateResult> {
  const { spec, out } = options;
  const progress = options.progress ?? noProgress;
  if (!options.overwrite && (await out.head(MANIFEST_KEY))) {
    throw new InputError(
      `${out.url}/${MANIFEST_KEY} already exists; choose another --out, or --force to replace it`,
    );
  }

  const { index, file: passRatesFile } = await indexPassRates(options, progress);
  checkEveryModelSeen(spec, index, passRatesFile, modelsUsed(spec));

  // Pass 1: the levels of every problem, streamed into levels.parquet.
  const pass = levelPass({
    spec,
    index,
    passRatesFile,
    data: options.data,
    storageOptions: options.storageOptions,
    progress: progress.step('levels', { input: options.data }),
  });
  const levelsFile = await writeRows({ storage: out, key: LEVELS_KEY }, pass.records, {
    ...options.storageOptions,
    format: 'parquet',
    columns: LEVEL_COLUMNS,
  });
  const { leveled, file: dataFile } = pass.state;
  const orphanRates = [...index.rates.keys()].filter((id) => !pass.state.ids.has(id)).length;
  pass.state.ids.clear();

  const selections = selectStages(spec, leveled);
  for (const sel of selections) {
    if (sel.rows.length === 0) {
      const levels = stageSources(sel.stage).map((s) => s.level);
      throw new InputError(`stage "${sel.stage.name}" would have no problems (levels ${levels.join(', ')})`);
    }
  }
  const finalSummary = pass.state.summary.finish(selections, orphanRates);

  // Pass 2: each stage's rows into its own file on storage.
  const stages = await writeStages(options, selections, pass.state.sampler.columns(), progress);
  const manifest = StageManifest.parse({
    version: 1,
    curriculum: spec.name,
    created_at: (options.now ?? new Date()).toISOString(),
    seed: spec.seed,
    ...(spec.base_model ? { base_model: spec.base_model } : {}),
    stages,
    ...(spec.eval ? { eval: spec.eval } : {}),
    info: {
      spec: options.specSource.name,
      spec_sha256: createHash('sha256').update(options.specSource.text).digest('hex'),
      data: dataFile,
      pass_rates: passRatesFile,
      levels_file: { path: LEVELS_KEY, ...levelsFile },
      problems: finalSummary.problems,
      dropped: finalSummary.dropped,
      levels: Object.fromEntries(Object.entries(finalSummary.levels).map(([k, v]) => [k, v.total])),
      stage_abilities: Object.fromEntries(finalSummary.stages.map((s) => [s.name, s.perAbility])),
    },
  });
  const report = renderReport(finalSummary, {
    manifest,
    inputs: { spec: options.specSource.name, data: dataFile, passrates: passRatesFile },
  });
  await out.put(REPORT_KEY, report);
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  if (options.overwrite) await out.put(MANIFEST_KEY, manifestText);
  else if (!(await out.putIfAbsent(MANIFEST_KEY, manifestText))) {
    throw new InputError(`${out.url}/${MANIFEST_KEY} appeared while curating; it was left as it is`);
  }
  const keys = [
    LEVELS_KEY,
    ...manifest.stages.flatMap((s) => s.data.map((d) => d.path)),
    REPORT_KEY,
    MANIFEST_KEY,
  ];
  return { manifest, summary: finalSummary, keys };
}

async function indexPassRates(options: CurateOptions, progress: CurateProgress) {
  const reader = readRows(options.passRates, options.storageOptions);
  const builder = passRateIndexBuilder(options.spec, reader.file);
  const bar = progress.step('pass rates', { input: options.passRates });
  let n = 0;
  for await (const { value, row } of reader.records) {
    builder.add(value, row);
    n++;
    bar.update(n, reader.fraction());
  }
  bar.finish(n);
  return { index: builder.finish(), file: reader.file };
}

/** The dataset's records at the positions in `wanted` (0-based, ascending), read in one pass. */
async function* pickRows(options: CurateOptions, wanted: number[]): AsyncGenerator<Record<string, unknown>> {
  let next = 0;
  let position = 0;
  const reader = readRows(options.data, options.storageOptions);
  for await (const { value, row } of reader.records) {
    if (next >= wanted.length) return;
    if (wanted[next] === position) {
      next++;
      yield toVerlParquetRow(parseVerlRow(value, { file: reader.file, row }));
    }
    position++;
  }
}

async function writeStages(
  options: CurateOptions,
  selections: StageSelection[],
  columns: ColumnSpec[],
  progress: CurateProgress,
): Promise<StageManifest['stages']> {
  const stages: StageManifest['stages'] = [];
  for (const [i, sel] of selections.entries()) {
    const index = i + 1;
    const key = stageDataKey(index, sel.stage.name);
    const bar = progress.step(`stage ${index} (${sel.stage.name})`, { total: sel.rows.length });
    let picked = 0;
    const rows = (async function* () {
      for await (const row of pickRows(options, sel.rows)) {
        picked++;
        bar.update(picked, picked / sel.rows.length);
        yield row;
      }
    })();
    const written = await writeRows({ storage: options.out, key }, rows, {
      ...options.storageOptions,
      format: 'parquet',
      columns,
    });
    bar.finish(written.rows);
    if (written.rows !== sel.rows.length) {
      throw new Error(
        `stage ${sel.stage.name}: wrote ${written.rows} rows, expected ${sel.rows.length} (did the dataset change?)`,
      );
    }
    stages.push({
      index,
      name: sel.stage.name,
      levels: [...new Set(stageSources(sel.stage).map((s) => s.level))],
      data: [{ path: key, rows: written.rows, bytes: written.bytes, sha256: written.sha256 }],
      settings: stageSettings(options.spec, sel.stage),
      ...(sel.stage.resources ? { resources: sel.stage.resources } : {}),
    });
  }
  return stages;
}
