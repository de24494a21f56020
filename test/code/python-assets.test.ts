/**
 * The Python that shared/ ships as files read at run time (the harness's parts, the LeetCode prelude, the
 * Python isolate's runner) compiles with python3's own py_compile, file by file, and so does each mode's
 * harness as the host assembles it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type HarnessMode, harnessProgram } from '../../shared/code/harness/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const HAS_PYTHON = spawnSync('python3', ['--version']).status === 0;
if (!HAS_PYTHON) console.log('python-assets: python3 is not on PATH; the py_compile checks are skipped');

/** py_compile of each file (the bytecode goes to a temporary folder, never beside the source): path -> error or ''. */
const CHECK = `
import json, os, py_compile, sys
out, tmp = {}, sys.argv[1]
for i, path in enumerate(sys.argv[2:]):
    try:
        py_compile.compile(path, cfile=os.path.join(tmp, str(i) + '.pyc'), doraise=True)
        out[path] = ''
    except py_compile.PyCompileError as e:
        out[path] = e.msg
print(json.dumps(out))
`;

const tmp = mkdtempSync(join(tmpdir(), 'gradus-py-assets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function pyCompile(paths: string[]): Record<string, string> {
  const run = spawnSync('python3', ['-c', CHECK, tmp, ...paths], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, string>;
}

const assets = readdirSync(join(root, 'shared'), { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.py'))
  .map((name) => join(root, 'shared', name));

describe.skipIf(!HAS_PYTHON)('the Python files compile with py_compile', () => {
  it('every .py file under shared/', () => {
    const names = assets.map((path) => relative(root, path)).sort();
    expect(names).toContain('shared/code/harness/python/main.py');
    expect(names).toContain('shared/code/harness/python/leetcode_prelude.py');
    expect(names).toContain('shared/code/python/isolate/runner.py');
    const errors = Object.entries(pyCompile(assets)).filter(([, error]) => error !== '');
    expect(errors).toEqual([]);
  });

  it.each(['call', 'record', 'replay'] satisfies HarnessMode[])('the %s harness as assembled', (mode) => {
    const path = join(tmp, `${mode}.py`);
    writeFileSync(path, harnessProgram(mode));
    expect(pyCompile([path])).toEqual({ [path]: '' });
  });

  it('reports a file that does not compile', () => {
    const path = join(tmp, 'broken.py');
    writeFileSync(path, 'def f(:\n    pass\n');
    expect(pyCompile([path])[path]).toMatch(/SyntaxError/);
  });
});
