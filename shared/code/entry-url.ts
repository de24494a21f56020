/**
 * The module `name` beside the calling module (`from`: its import.meta.url), for code started as a thread
 * or a process: `name.ts` in the sources, `name.mjs` in the npm package, whose bundle
 * (scripts/build-package.ts) puts every entry and chunk in one folder under those names.
 */
export function siblingEntry(name: string, from: string): URL {
  return new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.mjs'}`, from);
}
