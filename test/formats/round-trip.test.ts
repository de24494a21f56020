import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ChatMessage } from '../../shared/formats/chat-message.ts';
import { PASS_RATE_COLUMNS, PassRateRow } from '../../shared/formats/pass-rate-row.ts';
import { RolloutRow } from '../../shared/formats/rollout-row.ts';
import { CheckpointManifest, RunError, StageStatus } from '../../shared/formats/run-contract.ts';
import { StageManifest } from '../../shared/formats/stage-manifest.ts';
import { toVerlParquetRow, VerlRow, verlColumnsFor } from '../../shared/formats/verl-row.ts';
import type { ColumnSpec } from '../../shared/io/columns.ts';
import { getJson } from '../../shared/io/get-json.ts';
import { parseRow } from '../../shared/io/parse-row.ts';
import { readRows } from '../../shared/io/rows.ts';
import { writeRows } from '../../shared/io/write-rows.ts';
import { LocalStorage } from '../../shared/storage/local.ts';

// Each pipeline record, written the way its writer writes it and read back through the one reader and
// its one schema: the same value comes back (JSONL always, Parquet for the records written as Parquet).

let dir: string;
let storage: LocalStorage;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-formats-'));
  storage = new LocalStorage(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function roundTrip<S extends z.ZodType>(
  name: string,
  schema: S,
  rows: unknown[],
  columns?: ColumnSpec[],
): Promise<z.output<S>[]> {
  await writeRows(join(dir, name), rows, columns ? { columns } : {});
  const reader = readRows(join(dir, name));
  const out: z.output<S>[] = [];
  for await (const { value, row } of reader.records)
    out.push(parseRow(schema, value, { file: reader.file, row }));
  return out;
}

const messages: ChatMessage[] = [
  { role: 'system', content: 'Answer in a box.' },
  { role: 'user', content: 'What is 6 × 7? Ünïcødé, "quotes", a\nnewline.' },
];

const verlRows: VerlRow[] = [
  {
    data_source: 'HuggingFaceH4/MATH-500',
    prompt: messages,
    ability: 'math',
    reward_model: { style: 'rule', ground_truth: '42' },
    extra_info: { problem_id: 'p1', index: 0, split: 'test' },
  },
  {
    data_source: 'taco',
    prompt: [{ role: 'user', content: 'Read n, print 2n.' }],
    ability: 'code',
    reward_model: { style: 'rule', ground_truth: '{"inputs":["2\\n"],"outputs":["4\\n"]}' },
    extra_info: { problem_id: 'p2', index: 1, split: 'train' },
  },
];

const rollouts: RolloutRow[] = [
  {
    problem_id: 'p1',
    model: 'qwen-1.5b',
    sample: 0,
    response: '\\boxed{42}',
    finish_reason: 'stop',
    usage: { prompt_tokens: 12, completion_tokens: 4 },
  },
  { problem_id: '7', model: 'qwen-1.5b', sample: 3, response: '', finish_reason: null, usage: null },
];

const passRates: PassRateRow[] = [
  { problem_id: 'p1', model: 'qwen-1.5b', n: 8, correct: 3, pass_rate: 0.375 },
  { problem_id: 'p2', model: 'qwen-7b', n: 8, correct: 0, pass_rate: 0 },
];

describe('row formats: write, read back, equal', () => {
  it('chat message (JSONL)', async () => {
    expect(await roundTrip('messages.jsonl', ChatMessage, messages)).toEqual(messages);
  });

  it('verl row (JSONL and Parquet, as curate writes it)', async () => {
    expect(await roundTrip('verl.jsonl', VerlRow, verlRows)).toEqual(verlRows);
    const stored = verlRows.map(toVerlParquetRow);
    expect(await roundTrip('verl.parquet', VerlRow, stored, verlColumnsFor(verlRows))).toEqual(stored);
  });

  it('rollout row (JSONL, the only way it is written)', async () => {
    expect(await roundTrip('rollouts.jsonl', RolloutRow, rollouts)).toEqual(rollouts);
  });

  it('pass-rate row (JSONL and Parquet)', async () => {
    expect(await roundTrip('pass-rates.jsonl', PassRateRow, passRates)).toEqual(passRates);
    expect(await roundTrip('pass-rates.parquet', PassRateRow, passRates, PASS_RATE_COLUMNS)).toEqual(
      passRates,
    );
  });
});

describe('JSON formats on storage: write, getJson, equal', () => {
  const at = '2026-01-02T03:04:05.000Z';
  const sha = 'a'.repeat(64);
  const cases: [string, z.ZodType, unknown][] = [
    [
      'stage manifest',
      StageManifest,
      {
        version: 1,
        curriculum: 'paper',
        created_at: at,
        seed: 1,
        stages: [
          {
            index: 1,
            name: 'easy',
            levels: ['L1'],
            data: [{ path: 'stages/1/data/train.parquet', rows: 10, bytes: 1000, sha256: sha }],
            settings: { max_response_length: 8192 },
          },
        ],
      },
    ],
    [
      'checkpoint manifest',
      CheckpointManifest,
      {
        version: 1,
        run_id: 'r1',
        stage: 1,
        step: 5,
        created_at: at,
        files: [{ path: 'a.pt', bytes: 3, sha256: sha }],
      },
    ],
    [
      'stage status',
      StageStatus,
      {
        version: 1,
        run_id: 'r1',
        stage: 1,
        state: 'running',
        runner: 'local',
        job_name: 'gradus-r1-1',
        job_ids: ['j1'],
        attempts: 1,
        claimed_at: at,
        updated_at: at,
      },
    ],
    [
      'run error',
      RunError,
      {
        version: 1,
        run_id: 'r1',
        code: 'MISSING_DATA',
        message: 'm',
        issues: [{ path: 'stages.0', message: 'x' }],
        source_key: 'runs/r1/manifest.json',
        at,
      },
    ],
  ];
  for (const [name, schema, value] of cases) {
    it(name, async () => {
      const key = `${name.replaceAll(' ', '-')}.json`;
      await storage.put(key, `${JSON.stringify(schema.parse(value), null, 2)}\n`);
      expect(await getJson(storage, key, schema)).toEqual(value);
    });
  }
});
