import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EVAL_ACCESS } from '../../shared/eval/access.ts';
import { findBenchmark, loadProblems } from '../../shared/eval/benchmarks.ts';
import { createEvalService } from '../../shared/eval/service.ts';
import type { EvalStatus } from '../../shared/eval/status.ts';
import { createScorer } from '../../shared/reward/compose.ts';
import { needData } from '../helpers/data.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3rver.ts';
import { answerFor, BENCHMARK_DIR, kindOf, readRawProblems } from './fixture.ts';
import { average } from './independent.ts';

const BENCHMARKS = needData('evaluation of AIME24 on S3', 'benchmarks');
const aime = BENCHMARKS.has() ? readRawProblems('aime24') : [];
let s3: LocalS3;

beforeAll(async () => {
  s3 = await startLocalS3();
  // s3:// sources are opened from the environment, as a user's would be.
  process.env.GRADUS_S3_ENDPOINT = s3.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  const data = s3.storage('data');
  await data.put('aime24.jsonl', await readFile(join(BENCHMARK_DIR, 'aime24.jsonl')));
  const rows = aime.flatMap((p) =>
    [0, 1].map((j) => JSON.stringify({ problem_id: p.id, sample: j, response: answerFor(p, j).text })),
  );
  await data.put('responses.jsonl', rows.join('\n'));
});
afterAll(async () => {
  await s3?.stop();
});

describe.skipIf(!BENCHMARKS.has())('evaluation on S3', () => {
  it('loads a benchmark from s3://', async () => {
    const benchmark = findBenchmark('aime24');
    if (!benchmark) throw new Error('no aime24');
    const fromS3 = await loadProblems(benchmark, `s3://${s3.bucket}/data/aime24.jsonl`);
    expect(fromS3).toEqual(await loadProblems(benchmark, join(BENCHMARK_DIR, 'aime24.jsonl')));
  });

  it('the eval service reads benchmark and responses from S3 and stores status, results and reports there', async () => {
    const storage = s3.storage('runs');
    const service = createEvalService({
      storage,
      scorer: createScorer(),
      access: { ...DEFAULT_EVAL_ACCESS, sources: [`s3://${s3.bucket}/data/`] },
    });
    const started = await service.start({
      benchmarks: [{ name: 'aime24', source: `s3://${s3.bucket}/data/aime24.jsonl` }],
      responses: `s3://${s3.bucket}/data/responses.jsonl`,
    });
    await service.idle();
    const status = (await service.get(started.id)) as EvalStatus;
    expect(status.error).toBeUndefined();
    expect(status.state).toBe('succeeded');
    const expected = average(
      aime.map((p) => [0, 1].filter((j) => kindOf(p.index, j) === 'correct').length / 2),
    );
    expect(status.summary?.[0]?.metrics.avg).toBeCloseTo(expected, 12);
    expect(status.files?.results).toBe(`s3://${s3.bucket}/runs/evals/${started.id}/results.json`);
    const stored = JSON.parse((await storage.getText(`evals/${started.id}/results.json`)) as string);
    expect(stored.benchmarks[0].samples).toHaveLength(aime.length * 2);
    expect(await storage.getText(`evals/${started.id}/report.html`)).toContain('<svg');
    const persisted = JSON.parse((await storage.getText(`evals/${started.id}/status.json`)) as string);
    expect(persisted.state).toBe('succeeded');
  });
});
