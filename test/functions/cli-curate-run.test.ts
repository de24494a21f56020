import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixture, writeFixture } from '../curriculum/fixture.ts';
import { gradusInPty, gradusPiped, ptyRunner, screens } from '../helpers/cli-child.ts';

/** `gradus curate --out` writes a run that `gradus stage run` takes, or refuses before any work. */

let dir: string;
let inputs: { data: string; passRates: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradus-curate-run-'));
  inputs = await writeFixture(dir, makeFixture(300, 3));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const curate = (out: string) => [
  'curate',
  '--spec',
  'paper',
  '--data',
  inputs.data,
  '--passrates',
  inputs.passRates,
  '--out',
  out,
];

describe('gradus curate --out', { timeout: 90_000 }, () => {
  it('refuses a folder that is not <root>/runs/<run-id>, saying what to pass, and writes nothing', async () => {
    const out = join(dir, 'cur', 'run1');
    const run = await gradusPiped(curate(out));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `gradus: --out ${JSON.stringify(out)} is not a run folder: \`gradus stage run\` takes <root>/runs/<run-id>; ` +
        `pass e.g. --out ${join(dir, 'cur', 'runs', 'run1')}\n`,
    );
    expect(existsSync(join(dir, 'cur'))).toBe(false);
  });

  it('refuses a run id that stage run would refuse', async () => {
    const run = await gradusPiped(curate(join(dir, 'cur', 'runs', 'run.1')));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /is not a run folder \(run id "run\.1": letters, digits, "_" and "-", at most 64, starting with a letter or digit\)/,
    );
    expect(run.stderr).toContain(`pass e.g. --out ${join(dir, 'cur', 'runs', 'run-1')}`);
    expect(existsSync(join(dir, 'cur'))).toBe(false);
  });

  it('writes a run that gradus stage run takes as it is', async () => {
    const out = join(dir, 'cur', 'runs', 'run1');
    const curated = await gradusPiped(curate(out));
    expect(curated.code).toBe(0);
    // Off a terminal: the report on stdout, one summary line on stderr.
    expect(curated.stderr).toMatch(
      new RegExp(
        `^curated 300 problems in [\\d.]+s \\([\\d.,]+/s\\) into 2 stages \\([\\d,]+ rows\\); ` +
          `run in file://${out}: gradus stage run ${out}\\n$`,
      ),
    );
    // The trainer `true` saves nothing: stage 1 gets its data (sha256 checked) and fails for that reason.
    const staged = await gradusPiped([
      'stage',
      'run',
      out,
      '--trainer',
      'true',
      '--work-dir',
      join(dir, 'work'),
    ]);
    expect(staged.stderr).toBe('');
    expect(staged.code).toBe(1);
    expect(staged.stdout).toMatch(/^stage 1: running, \d+ steps; log /);
    expect(staged.stdout).toMatch(
      /^stage 1: failed \(trainer exited with code 0 but saved no complete checkpoint \(.*\)\), log \S+; latest checkpoint: none$/m,
    );
    expect(staged.stdout).toMatch(/^stage 2: failed \(dependency \S+ did not succeed\)/m);
  });

  it.skipIf(!ptyRunner)(
    'on a terminal: a bar per step, in rows out of the rows it reads or writes',
    async () => {
      const run = await gradusInPty(curate(join(dir, 'cur', 'runs', 'pty')));
      expect(run.code).toBe(0);
      const shown = screens(run.output);
      expect(
        shown.some((s) => /^pass rates \[#+\] 100% ([\d,]+)\/\1 rows, [\d.,]+\/s, in [\d.]+s$/.test(s)),
      ).toBe(true);
      expect(shown.some((s) => /^levels \[#+\] 100% 300\/300 rows, /.test(s))).toBe(true);
      expect(shown.some((s) => /^stage 1 \(\S+\) \[#+\] 100% ([\d,]+)\/\1 rows, /.test(s))).toBe(true);
      expect(shown.at(-1)).toMatch(/^curated 300 problems in /);
    },
  );
});
