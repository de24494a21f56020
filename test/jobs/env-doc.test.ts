import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

type Kind = 'shell' | 'docker' | 'python' | 'ts';

/** The container's and the stage runner's sources, as [path, kind]. */
async function sources(): Promise<Array<readonly [string, Kind]>> {
  const inDir = async (dir: string, ext: string) =>
    (await readdir(join(root, dir))).filter((f) => f.endsWith(ext)).map((f) => `${dir}/${f}`);
  return [
    ['batch/entrypoint.sh', 'shell'] as const,
    ['batch/Dockerfile', 'docker'] as const,
    ...(await inDir('batch/gradus_reward', '.py')).map((p) => [p, 'python'] as const),
    ...(await inDir('batch/gradus_verl', '.py')).map((p) => [p, 'python'] as const),
    ...(await inDir('shared/jobs', '.ts')).map((p) => [p, 'ts'] as const),
    ['functions/cli/stage.ts', 'ts'] as const,
  ];
}

const all = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((m) => m[1] as string);
/** gradus', Batch's and Ray's variables, wherever named (a read, a default, a message that asks for one). */
const NAMED = /\b((?:GRADUS|AWS|RAY)_[A-Z0-9_]*[A-Z0-9])\b/g;

/** The environment variables a source reads or sets for the processes it starts. */
function variables(text: string, kind: Kind): string[] {
  return [...new Set(found(text, kind))].sort();
}

function found(text: string, kind: Kind): string[] {
  const named = all(text, NAMED);
  if (kind === 'ts') return [...named, ...all(text, /process\.env\.([A-Z][A-Z0-9_]*)/g)];
  if (kind === 'python') return [...named, ...all(text, /environ(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]*)/g)];
  if (kind === 'docker') return [...named, ...all(text, /^(?:ENV\s+|\s+)([A-Z][A-Z0-9_]*)=/gm)];
  // Shell: a variable the script does not assign itself, or one it reads with a default or a check.
  const assigned = new Set(all(text, /^\s*(?:export\s+|local\s+)?([A-Z][A-Z0-9_]*)=/gm));
  const referenced = all(text, /\$\{?([A-Z][A-Z0-9_]*)/g).filter((name) => !assigned.has(name));
  return [...named, ...referenced, ...all(text, /\$\{([A-Z][A-Z0-9_]*):[-?+]/g)];
}

describe('docs/staged-training.md lists every environment variable', () => {
  it('that the container and the stage runner read', async () => {
    const doc = await readFile(join(root, 'docs/staged-training.md'), 'utf8');
    const start = doc.indexOf('\n## Environment variables');
    expect(start).toBeGreaterThan(0);
    const end = doc.indexOf('\n## ', start + 1);
    const section = doc.slice(start, end < 0 ? undefined : end);
    const documented = new Set(all(section, /`([A-Z][A-Z0-9_]*)`/g));
    const missing = new Map<string, string>();
    const seen = new Set<string>();
    for (const [path, kind] of await sources()) {
      for (const name of variables(await readFile(join(root, path), 'utf8'), kind)) {
        seen.add(name);
        if (!documented.has(name) && !missing.has(name)) missing.set(name, path);
      }
    }
    expect(Object.fromEntries(missing)).toEqual({});
    expect(seen.size).toBeGreaterThan(40);
  });

  it('finds variables in each kind of source', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a JavaScript template
    expect(variables('A=1\nexport B=${B:-2}\necho "$A $C ${D:?x}"', 'shell')).toEqual(['B', 'C', 'D']);
    expect(variables('ENV X=1 \\\n    Y=2\nARG Z=3', 'docker')).toEqual(['X', 'Y']);
    expect(variables('os.environ.get("PYTHONPATH")', 'python')).toEqual(['PYTHONPATH']);
    expect(variables('process.env.HOME ?? env.GRADUS_X', 'ts')).toEqual(['GRADUS_X', 'HOME']);
  });
});
