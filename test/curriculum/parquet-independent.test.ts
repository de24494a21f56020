import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBListType,
  DuckDBStructType,
  type DuckDBType,
  DuckDBTypeId,
} from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { curate, LEVELS_KEY } from '../../shared/curriculum/curate.ts';
import { loadSpec } from '../../shared/curriculum/load-spec.ts';
import type { StageManifest } from '../../shared/formats/stage-manifest.ts';
import { openStorage } from '../../shared/storage/index.ts';
import { FAKE_MODELS, K, makeFixture, writeFixture } from './fixture.ts';

/**
 * The files `gradus curate` writes, read by DuckDB: a Parquet reader that shares no code with
 * hyparquet-writer (which wrote them) nor hyparquet (which our own tests read them with). verl reads the
 * stage files with pyarrow (RLHFDataset, through HF `datasets`); DuckDB, like pyarrow, reads an unannotated
 * BYTE_ARRAY as binary (BLOB), so a string column read as VARCHAR here is a `str` there, not `bytes`.
 */

/**
 * What verl 0.5.0 reads of a row (verl/utils/dataset/rl_dataset.py, RLHFDataset, and
 * verl/workers/reward_manager/naive.py): the chat messages under `data.prompt_key` (default `prompt`),
 * `data_source` (the reward manager's `data.reward_fn_key`), `reward_model.ground_truth`, and
 * `extra_info` as a dict (`extra_info.get("index")`); `ability` and `reward_model.style` travel with it.
 */
const VERL_PROMPT_KEY = 'prompt';
const VERL_REWARD_FN_KEY = 'data_source';

/** A column's type as DuckDB reads it: its type names (VARCHAR, BIGINT, DOUBLE), nested as lists and structs. */
type Shape = string | { list: Shape } | { struct: Record<string, Shape> };

function shapeOf(type: DuckDBType): Shape {
  if (type instanceof DuckDBListType) return { list: shapeOf(type.valueType) };
  if (type instanceof DuckDBStructType) {
    return {
      struct: Object.fromEntries(
        type.entryNames.map((n, i) => [n, shapeOf(type.entryTypes[i] as DuckDBType)]),
      ),
    };
  }
  return DuckDBTypeId[type.typeId] as string;
}

const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

async function readWithDuckDB(connection: DuckDBConnection, path: string) {
  const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(path)})`);
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const schema = Object.fromEntries(names.map((n, i) => [n, shapeOf(types[i] as DuckDBType)]));
  return { schema, rows: reader.getRowObjectsJS() as Record<string, unknown>[] };
}

// A small dataset whose rows vary as real ones do: system prompts, extra message fields (dropped),
// text that needs escaping, numeric, list and object golds (stored as text), extra_info fields present
// in only some rows.
const fixture = makeFixture(300, 11);
interface DataRow {
  data_source: string;
  prompt: { role: string; content: string; name?: string }[];
  ability: string;
  reward_model: { style: string; ground_truth: unknown };
  extra_info: { problem_id: string; index: number; split: string; difficulty?: number };
}
const dataRows = fixture.dataRows.map((row, i): DataRow => {
  const base = row as unknown as DataRow;
  const prompt =
    i % 3 === 0
      ? [{ role: 'system', content: 'Reason step by step; put the answer in \\boxed{}.' }, ...base.prompt]
      : i % 5 === 0
        ? base.prompt.map((m) => ({ ...m, name: 'student' }))
        : base.prompt;
  const content =
    i % 7 === 0 ? `${prompt.at(-1)?.content} "quoted", 'single', tab\t, newline\n, ünïcödé ∑ 🙂` : undefined;
  const golds: unknown[] = [
    base.reward_model.ground_truth,
    i + 1,
    [`${i + 1}`, `${i + 1}.0`],
    { inputs: [`${i}`], outputs: [`${i + 1}`] },
  ];
  return {
    ...base,
    prompt: content === undefined ? prompt : [...prompt.slice(0, -1), { role: 'user', content }],
    reward_model: { style: 'rule', ground_truth: golds[i % golds.length] },
    extra_info: { ...base.extra_info, ...(i % 4 === 0 ? { difficulty: i / 10 } : {}) },
  };
});

/** The row as the stage file must hold it, worked out here rather than by the product's converter. */
function expectedStageRow(row: DataRow) {
  const gold = row.reward_model.ground_truth;
  const extra = row.extra_info;
  return {
    data_source: row.data_source,
    prompt: row.prompt.map((m) => ({ role: m.role, content: m.content })),
    ability: row.ability,
    reward_model: { style: 'rule', ground_truth: typeof gold === 'string' ? gold : JSON.stringify(gold) },
    extra_info: {
      problem_id: extra.problem_id,
      // INT64, as pyarrow gives it (an int), not a double.
      index: BigInt(extra.index),
      split: extra.split,
      difficulty: extra.difficulty ?? null,
    },
  };
}

let dir: string;
let manifest: StageManifest;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

/** Curates `rows` with the paper preset into `<dir>/<name>`, problem ids at `idField`. */
async function curateInto(name: string, rows: unknown[], idField?: string): Promise<StageManifest> {
  const inputs = await writeFixture(join(dir, name), {
    ...fixture,
    dataRows: rows as Record<string, unknown>[],
  });
  const loaded = await loadSpec('paper');
  if (idField) loaded.spec.data.id_field = idField;
  const result = await curate({
    spec: loaded.spec,
    specSource: loaded.source,
    data: inputs.data,
    passRates: inputs.passRates,
    out: openStorage(join(dir, name, 'out')),
  });
  return result.manifest;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-parquet-duckdb-'));
  await Promise.all(['main', 'partial', 'none'].map((name) => mkdir(join(dir, name))));
  manifest = await curateInto('main', dataRows);
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

afterAll(async () => {
  connection?.closeSync();
  instance?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

describe('the stage files, read by DuckDB', () => {
  it('have the schema verl RLHFDataset reads', async () => {
    expect(manifest.stages.length).toBeGreaterThan(0);
    for (const stage of manifest.stages) {
      for (const file of stage.data) {
        const { schema } = await readWithDuckDB(connection, join(dir, 'main', 'out', file.path));
        expect(schema, file.path).toEqual({
          data_source: 'VARCHAR',
          prompt: { list: { struct: { role: 'VARCHAR', content: 'VARCHAR' } } },
          ability: 'VARCHAR',
          reward_model: { struct: { style: 'VARCHAR', ground_truth: 'VARCHAR' } },
          extra_info: {
            struct: { problem_id: 'VARCHAR', index: 'BIGINT', split: 'VARCHAR', difficulty: 'DOUBLE' },
          },
        });
        expect(Object.keys(schema)).toContain(VERL_PROMPT_KEY);
        expect(Object.keys(schema)).toContain(VERL_REWARD_FN_KEY);
      }
    }
  });

  it('hold the manifest row counts and the rows as written, each problem once', async () => {
    const byId = new Map(dataRows.map((r) => [r.extra_info.problem_id, r]));
    let checked = 0;
    for (const stage of manifest.stages) {
      for (const file of stage.data) {
        const { rows } = await readWithDuckDB(connection, join(dir, 'main', 'out', file.path));
        expect(rows, file.path).toHaveLength(file.rows);
        const ids = rows.map((r) => (r.extra_info as { problem_id: string }).problem_id);
        expect(new Set(ids).size).toBe(rows.length);
        // In dataset order (the fixture's ids are p0, p1, ...).
        const order = ids.map((id) => Number(id.slice(1)));
        expect(order).toEqual([...order].sort((a, b) => a - b));
        for (const [k, row] of rows.entries()) {
          const written = byId.get(ids[k] as string);
          expect(written, ids[k]).toBeDefined();
          expect(row).toEqual(expectedStageRow(written as DataRow));
          checked++;
        }
      }
    }
    // Every shape of row above reached a stage file.
    expect(checked).toBeGreaterThan(50);
  });
});

describe('a dataset whose rows lack extra_info (problem ids elsewhere)', () => {
  // Ids at the top level, so extra_info is optional: verl's RLHFDataset calls
  // row_dict.get("extra_info", {}).get(...), which fails on a null extra_info but not on a missing column.
  const withIds = dataRows.map((row) => ({ ...row, id: row.extra_info.problem_id }));
  // The ways a row can have no extra_info: no key (JSON drops undefined), null, an empty object.
  const absent = [undefined, null, {}];
  const stageRows = async (name: string) => {
    const curated = await curateInto(
      name,
      withIds.map((row, i) =>
        name === 'none' || i % 3 === 0 ? { ...row, extra_info: absent[i % absent.length] } : row,
      ),
      'id',
    );
    const files = curated.stages.flatMap((s) => s.data.map((d) => join(dir, name, 'out', d.path)));
    expect(files.length).toBeGreaterThan(0);
    return Promise.all(files.map((file) => readWithDuckDB(connection, file)));
  };

  it('gives every row an extra_info struct when some rows have one', async () => {
    let without = 0;
    for (const { schema, rows } of await stageRows('partial')) {
      expect(schema.extra_info).toEqual({
        struct: { problem_id: 'VARCHAR', index: 'BIGINT', split: 'VARCHAR', difficulty: 'DOUBLE' },
      });
      for (const row of rows) {
        expect(row.extra_info, String(row.id)).not.toBeNull();
        const index = Number(String(row.id).slice(1));
        if (index % 3 === 0) {
          without++;
          expect(row.extra_info).toEqual({ problem_id: null, index: null, split: null, difficulty: null });
        }
      }
    }
    expect(without).toBeGreaterThan(10);
  });

  it('has no extra_info column when no row has one', async () => {
    for (const { schema, rows } of await stageRows('none')) {
      expect(Object.keys(schema)).toEqual(['data_source', 'prompt', 'ability', 'reward_model', 'id']);
      expect(rows.length).toBeGreaterThan(0);
    }
  });
});

describe('levels.parquet, read by DuckDB', () => {
  it('has the documented columns and one row per problem with its pass rates', async () => {
    const { schema, rows } = await readWithDuckDB(connection, join(dir, 'main', 'out', LEVELS_KEY));
    expect(schema).toEqual({
      problem_id: 'VARCHAR',
      ability: 'VARCHAR',
      status: 'VARCHAR',
      levels: { list: 'VARCHAR' },
      tags: { list: 'VARCHAR' },
      pass_rates: { list: { struct: { model: 'VARCHAR', pass_rate: 'DOUBLE' } } },
    });
    expect(rows).toHaveLength(fixture.problems.length);
    expect(manifest.info?.levels_file).toMatchObject({ rows: rows.length });
    const statuses = new Set(['leveled', 'no_level', 'filtered', 'missing_pass_rates']);
    for (const [k, row] of rows.entries()) {
      const problem = fixture.problems[k] as (typeof fixture.problems)[number];
      expect(row.problem_id).toBe(problem.id);
      expect(row.ability).toBe(problem.ability);
      expect(statuses.has(row.status as string), String(row.status)).toBe(true);
      const rates = Object.fromEntries(
        (row.pass_rates as { model: string; pass_rate: number }[]).map((r) => [r.model, r.pass_rate]),
      );
      const expected = Object.fromEntries(
        // Named as the spec names the models (the paper preset uses the fixture's names).
        FAKE_MODELS.filter((m) => problem.correct[m] !== undefined).map((m) => [
          m,
          (problem.correct[m] as number) / K,
        ]),
      );
      expect(rates, problem.id).toEqual(expected);
      if (row.status !== 'leveled') expect(row.levels).toEqual([]);
      else expect((row.levels as string[]).length).toBeGreaterThan(0);
    }
  });
});

const VERL_DEFAULTS = join(
  import.meta.dirname,
  '../../../shared/peers/verl-0.5.0/_generated_ppo_trainer.yaml',
);

describe('the verl keys assumed above', () => {
  it.skipIf(!existsSync(VERL_DEFAULTS))(
    "are verl 0.5.0's defaults (skipped without ../shared/peers/verl-0.5.0, verl's config at tag v0.5.0)",
    async () => {
      const config = parseYaml(await readFile(VERL_DEFAULTS, 'utf8')) as {
        data: { prompt_key: string; reward_fn_key: string };
      };
      expect(config.data.prompt_key).toBe(VERL_PROMPT_KEY);
      expect(config.data.reward_fn_key).toBe(VERL_REWARD_FN_KEY);
    },
  );
});
