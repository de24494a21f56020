import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StageManifest } from '../../shared/formats/stage-manifest.ts';
import { gradusPiped } from '../helpers/cli-child.ts';
import { type LocalS3, startLocalS3 } from '../helpers/s3rver.ts';
import { makeFixture, writeFixture } from './fixture.ts';

let dir: string;
let inputs: { data: string; passRates: string };
let s3: LocalS3;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-curate-cli-'));
  inputs = await writeFixture(dir, makeFixture(1000, 3));
  s3 = await startLocalS3('curate-cli');
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI with the Node running the tests (Node 24, as `npx gradus` would). */
const gradus = (args: string[], env: NodeJS.ProcessEnv = {}) => gradusPiped(args, { env });

const curateArgs = (spec: string, out: string) => [
  'curate',
  '--spec',
  spec,
  '--data',
  inputs.data,
  '--passrates',
  inputs.passRates,
  '--out',
  out,
];

describe('npx gradus curate', () => {
  it('prints the summary tables and writes stage files, report and manifest', async () => {
    const out = join(dir, 'runs', 'out');
    const { code, stdout, stderr } = await gradus(curateArgs('paper', out));
    expect(stderr).toMatch(/^curated 1,000 problems in .*; run in file:\/\/\S+: gradus stage run \S+\n$/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^1,000 problems \(code \d+, math \d+\)/);
    expect(stdout).toMatch(/^level\s+problems\s+code\s+math$/m);
    expect(stdout).toMatch(/^stage1-l2-16k\s+L2\s+[\d,]+/m);
    expect(stdout).toMatch(/^model\s+0\s+\(0,\.1\].*\s1$/m);
    expect(stdout).toMatch(/^r1\s+\d+/m);
    expect(stdout).toContain(`manifest: file://${out}/manifest.json`);
    const manifest = StageManifest.parse(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')));
    expect(manifest.stages).toHaveLength(2);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('<svg');
  });

  it('writes to s3:// with the --seed given', async () => {
    const { code, stderr } = await gradus(
      [...curateArgs('paper', `s3://${s3.bucket}/runs/cli`), '--seed', '42'],
      {
        GRADUS_S3_ENDPOINT: s3.endpoint,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
      },
    );
    expect(stderr).toMatch(/^curated 1,000 problems in .*; run in s3:\/\/\S+\/runs\/cli: /);
    expect(code).toBe(0);
    const manifest = StageManifest.parse(
      JSON.parse((await s3.storage('runs/cli').getText('manifest.json')) as string),
    );
    expect(manifest.seed).toBe(42);
  });

  it('exits 1 listing each mistake of a spec file with its line', async () => {
    const spec = join(dir, 'bad.yaml');
    await writeFile(
      spec,
      'name: bad\nmodels:\n  m: { model: x }\nlevels:\n  A: { when: { model: n, op: gt, value: 0 } }\nstages:\n  - name: s\n    levels: [B]\n',
    );
    const { code, stderr } = await gradus(curateArgs(spec, join(dir, 'runs', 'never')));
    expect(code).toBe(1);
    expect(stderr).toContain(`gradus: ${spec}: 3 mistakes in the curriculum spec:`);
    expect(stderr).toContain(`${spec}:5:23: levels.A.when.model: unknown model "n"; models are "m"`);
    expect(stderr).toContain(`${spec}:8:14: stages[0].levels[0]: unknown level "B"; levels are "A"`);
    expect(stderr).toContain(
      `${spec}:7:5: stages[0].settings.max_response_length: missing: set it here or in \`defaults\``,
    );
  });

  it('exits 1 naming a missing input file', async () => {
    const { code, stderr } = await gradus([
      'curate',
      '--spec',
      'paper',
      '--data',
      join(dir, 'nope.jsonl'),
      '--passrates',
      inputs.passRates,
      '--out',
      join(dir, 'runs', 'never2'),
    ]);
    expect(code).toBe(1);
    expect(stderr).toBe(`gradus: ${join(dir, 'nope.jsonl')}: no such file\n`);
  });
});
