/**
 * The module `name` beside the calling module (`from`: its import.meta.url), for code started as a thread
 * or a process: `name.ts` in the sources, `name.mjs` in the npm package, whose bundle
 * (scripts/build-package.ts) puts every entry and chunk in one folder under those names.
 */
export function siblingEntry(name: string, from: string): URL {
  return new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.mjs'}`, from);
}

/**
 * The text of the file at `path` relative to the calling module (`from`: its import.meta.url), for files
 * read at run time: the bundles copy them beside their modules under the same relative path
 * (RUNTIME_SOURCE_DIRS in scripts/build-lambda.ts). node:fs is looked up, not imported: the Worker bundles
 * some callers (it never reads a file) and has no node:fs.
 */
export function siblingText(path: string, from: string): string {
  const fs = (
    globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
  ).process?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  if (fs === undefined) throw new Error(`cannot read ${path}: this runtime has no file system`);
  return fs.readFileSync(new URL(path, from), 'utf8');
}
