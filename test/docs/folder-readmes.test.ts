import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SHARED = fileURLToPath(new URL('../../shared/', import.meta.url));

/** The `## Files` section of a README: from its heading to the next `## ` heading. */
function filesSection(readme: string): string | undefined {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => /^## Files\s*$/.test(line));
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/**
 * What the README of `dir` has to name: each .ts file in the folder, and for each subfolder without a
 * README of its own, either the subfolder (`runtime/`) or each .ts file in it (`threads/pool.ts`).
 */
function requiredNames(dir: string, named: Set<string>, prefix = ''): string[] {
  const required: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = `${prefix}${entry.name}`;
    if (entry.isFile() && entry.name.endsWith('.ts')) required.push(path);
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    if (existsSync(join(dir, path, 'README.md')) || named.has(`${path}/`)) continue;
    required.push(...requiredNames(dir, named, `${path}/`));
  }
  return required;
}

/** Why the README of `dir` does not describe the folder, or nothing when it does. */
function readmeProblems(dir: string): string[] {
  const readmePath = join(dir, 'README.md');
  if (!existsSync(readmePath)) return ['no README.md'];
  const section = filesSection(readFileSync(readmePath, 'utf8'));
  if (section === undefined) return ['README.md has no "## Files" section'];
  const named = new Set([...section.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string));
  const problems = requiredNames(dir, named)
    .filter((name) => !named.has(name))
    .map((name) => `Files does not name \`${name}\``);
  // The entry a row or list item starts with must still exist (a removed or renamed file leaves one behind).
  for (const line of section.split('\n')) {
    const entry = /^\s*(?:[-*]|\|)\s*`([^`]+)`/.exec(line)?.[1];
    if (entry !== undefined && /[./]/.test(entry) && !existsSync(join(dir, entry)))
      problems.push(`Files names \`${entry}\`, which is not in the folder`);
  }
  return problems;
}

/** Every folder directly under shared/, and every deeper folder that has a README of its own. */
function foldersToCheck(): string[] {
  const folders: string[] = [];
  const walk = (dir: string, top: boolean) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (top || existsSync(join(path, 'README.md'))) folders.push(path);
      walk(path, false);
    }
  };
  walk(SHARED, true);
  return folders.sort();
}

describe('every shared/ folder has a README whose Files section names its files', () => {
  for (const dir of foldersToCheck()) {
    const name = relative(SHARED, dir).split('\\').join('/');
    it(`shared/${name}`, () => {
      expect(readmeProblems(dir)).toEqual([]);
    });
  }
});

describe('readmeProblems', () => {
  const root = mkdtempSync(join(tmpdir(), 'gradus-readmes-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const folder = (name: string, files: Record<string, string>) => {
    const dir = join(root, name);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };

  it('names a folder without a README, and one without a Files section', () => {
    expect(readmeProblems(folder('bare', { 'a.ts': '' }))).toEqual(['no README.md']);
    expect(readmeProblems(folder('no-files', { 'a.ts': '', 'README.md': '# X\n\n`a.ts`\n' }))).toEqual([
      'README.md has no "## Files" section',
    ]);
  });

  it('names each .ts file, here or in a subfolder without a README, that the Files section leaves out', () => {
    const readme =
      '# X\n\n`b.ts` outside Files does not count.\n\n## Files\n\n- `a.ts`: one job.\n\n## Flow\n\n`b.ts`\n';
    const dir = folder('missing', {
      'README.md': readme,
      'a.ts': '',
      'b.ts': '',
      'notes.md': '',
      'sub/c.ts': '',
      'own/README.md': '',
      'own/d.ts': '',
    });
    expect(readmeProblems(dir)).toEqual(['Files does not name `b.ts`', 'Files does not name `sub/c.ts`']);
  });

  it('takes a subfolder named as a whole for its files', () => {
    const dir = folder('whole', {
      'README.md': '## Files\n\n| File | Job |\n| - | - |\n| `a.ts` | one |\n| `sub/` | many |\n',
      'a.ts': '',
      'sub/c.ts': '',
      'sub/deeper/e.ts': '',
    });
    expect(readmeProblems(dir)).toEqual([]);
  });

  it('names an entry of the Files section that is no longer in the folder', () => {
    const dir = folder('stale', {
      'README.md': '## Files\n\n- `a.ts`: one.\n- `gone.ts`: removed.\n',
      'a.ts': '',
    });
    expect(readmeProblems(dir)).toEqual(['Files names `gone.ts`, which is not in the folder']);
  });
});
