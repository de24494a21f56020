/**
 * The npm package as a stranger gets it: `npm pack` (which builds dist/package), the tarball installed into
 * an empty folder, and `gradus score` run there on math items (a batch large enough for the math threads)
 * and a Python code item (a sandbox child process and Pyodide), so every bundled entry is exercised.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = new URL('../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'gradus-npm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Node 24 first on PATH: npm runs dependencies' install scripts (isolated-vm picks its prebuild by ABI)
// and the package's bin with the `node` it finds there.
// npm's own settings of this checkout (npm_config_*, e.g. strict-allow-scripts from .npmrc) are left out:
// a stranger's empty folder has none of them.
const env = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
  ),
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
};
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });

describe('the npm package', () => {
  it('packs, installs into an empty folder, and scores there', () => {
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], REPO)) as {
      filename: string;
      files: { path: string }[];
    }[];
    const tarball = join(work, packed[0]?.filename ?? '');
    const files = packed[0]?.files.map((f) => f.path) ?? [];
    expect(files).toContain('dist/package/gradus.mjs');
    expect(files.some((f) => f.startsWith('shared/') || f.startsWith('test/'))).toBe(false);

    const app = join(work, 'app');
    run('mkdir', ['-p', app], work);
    writeFileSync(join(app, 'package.json'), '{"name": "app", "private": true}\n');
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);

    const math = Array.from({ length: 12 }, (_, i) => ({
      id: i,
      response: `so the answer is $\\boxed{${i}}$`,
      ground_truth: String(i % 2 === 0 ? i : i + 1),
    }));
    const code = {
      id: 'py',
      task: 'code',
      response: '```python\nprint(sum(map(int, input().split())))\n```',
      ground_truth: { inputs: ['1 2\n'], outputs: ['3\n'] },
    };
    const lines = [...math, code].map((item) => JSON.stringify(item)).join('\n');
    writeFileSync(join(app, 'items.jsonl'), `${lines}\n`);
    run(
      join(app, 'node_modules', '.bin', 'gradus'),
      ['score', '--in', 'items.jsonl', '--out', 'out.jsonl'],
      app,
    );
    const results = readFileSync(join(app, 'out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: unknown; correct: boolean; status: string });
    expect(results.map((r) => r.id)).toEqual([...math.map((m) => m.id), 'py']);
    expect(results.slice(0, 12).map((r) => r.correct)).toEqual(math.map((_, i) => i % 2 === 0));
    expect(results[12]).toMatchObject({ correct: true, status: 'ok' });
  }, 600_000);
});
