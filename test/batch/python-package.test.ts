import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = new URL('../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'gradus-pip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the Python client as a package', () => {
  it('installs with pip into a fresh venv, standard library only, at the npm package version', () => {
    // A copy, so that setuptools' build files never land in the checkout.
    const source = join(work, 'batch');
    cpSync(join(REPO, 'batch'), source, { recursive: true });
    const venv = join(work, 'venv');
    execFileSync('python3', ['-m', 'venv', venv]);
    const python = join(venv, 'bin', 'python');
    // --no-index: the build backend is in the folder (standard library only), so nothing is fetched.
    const pip = (...args: string[]) => execFileSync(python, ['-m', 'pip', '-q', ...args], { stdio: 'pipe' });
    pip('install', '--no-index', source);
    const probe = [
      'import importlib.metadata as m, gradus_reward',
      'print(m.version("gradus-reward"))',
      'print(m.requires("gradus-reward"))',
      'print(gradus_reward.__file__)',
      'print(callable(gradus_reward.compute_score_batch))',
    ].join('; ');
    const [version, requires, file, callable] = execFileSync(python, ['-c', probe], {
      cwd: work,
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(version).toBe(pkg.version);
    expect(requires).toBe('None'); // no dependencies
    expect(file).toContain(join(venv, 'lib')); // imported from the install, not from the checkout
    expect(callable).toBe('True');
    // The wheel's RECORD lists what it installed: uninstalling removes the package.
    pip('uninstall', '-y', 'gradus-reward');
    expect(() =>
      execFileSync(python, ['-c', 'import gradus_reward'], { cwd: work, stdio: 'pipe' }),
    ).toThrow();
  }, 120_000);
});
