import { type Message, transform } from 'esbuild';
import type ivm from 'isolated-vm';
import { needsAsync, SCRIPT_PATH, WRAPPER_HEAD, wrapProgram } from './runtime/protocol.ts';

/**
 * From the program text to the CommonJS function body the isolate compiles. TypeScript is stripped by
 * esbuild on the host (no type checking, like Node's own type stripping). ES module syntax (import,
 * export), which Node 24 runs after detecting it, is turned into require() calls the same way; top-level
 * await, which CommonJS lacks, runs inside an async wrapper (isAsync; the runtime also switches to it
 * when V8 rejects a top-level await).
 */

export type Prepared = { ok: true; code: string; isAsync: boolean } | { ok: false; stderr: string };

/** An import or export statement at the start of a line (not `import(`, a dynamic import). */
const ESM_SYNTAX = /^\s*(?:import\s*(?:[\w$*{]|["'])|export\s)/m;
const TLA_UNSUPPORTED = /Top-level await is currently not supported/;

/** Transforms of recent programs: a program is usually run once per test case, with the same text. */
const recent = new Map<string, Prepared>();
const RECENT_MAX = 64;

export async function prepareSource(program: string, typescript: boolean): Promise<Prepared> {
  // A hashbang is only valid at the very start of a script, not inside the wrapper function.
  const text = program.startsWith('#!') ? `//${program.slice(2)}` : program;
  if (!typescript && !ESM_SYNTAX.test(text)) return { ok: true, code: text, isAsync: false };
  const key = `${typescript ? 'ts' : 'js'}\n${text}`;
  const known = recent.get(key);
  if (known !== undefined) {
    recent.delete(key);
    recent.set(key, known);
    return known;
  }
  const prepared = await transformSource(text, typescript);
  recent.set(key, prepared);
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value as string);
  return prepared;
}

async function transformSource(text: string, typescript: boolean): Promise<Prepared> {
  const options = {
    loader: typescript ? 'ts' : 'js',
    sourcefile: typescript ? 'main.ts' : 'main.js',
    target: 'esnext',
    logLevel: 'silent',
  } as const;
  try {
    return { ok: true, code: (await transform(text, { ...options, format: 'cjs' })).code, isAsync: false };
  } catch (err) {
    const errors = esbuildErrors(err);
    if (!errors.some((e) => TLA_UNSUPPORTED.test(e.text)))
      return { ok: false, stderr: formatErrors(errors, err) };
  }
  try {
    const out = await transform(text, { ...options, format: 'esm' });
    return { ok: true, code: esmToCommonJs(out.code), isAsync: true };
  } catch (err) {
    return { ok: false, stderr: formatErrors(esbuildErrors(err), err) };
  }
}

/**
 * Imports and exports of esbuild's ESM output as CommonJS, for programs with top-level await, which
 * esbuild's own CommonJS output refuses. esbuild prints every import in one of a few canonical forms,
 * one per line at column 0, and gathers the exports into one final `export { ... };`.
 */
function esmToCommonJs(code: string): string {
  return code
    .replace(/^export \{[^}]*\};$/m, '')
    .replace(/^import "([^"]+)";$/gm, 'require("$1");')
    .replace(/^import (.+) from "([^"]+)";$/gm, (_line, clause: string, from: string) => {
      const source = `require(${JSON.stringify(from)})`;
      const named = /\{([^}]*)\}/.exec(clause)?.[1];
      const pattern = named === undefined ? '' : `{ ${named.replace(/\s+as\s+/g, ': ').trim()} }`;
      // What is left: `name`, `* as name`, or `name, * as other`.
      const names = clause
        .replace(/,?\s*\{[^}]*\}/, '')
        .split(',')
        .map((n) => n.replace(/^\s*\*\s+as\s+/, '').trim())
        .filter((n) => n !== '');
      const [first, ...aliases] = names;
      if (first === undefined) return `const ${pattern} = ${source};`;
      const decl = `const ${[`${first} = ${source}`, ...aliases.map((a) => `${a} = ${first}`)].join(', ')};`;
      return pattern === '' ? decl : `${decl} const ${pattern} = ${first};`;
    });
}

function esbuildErrors(err: unknown): Message[] {
  const errors = (err as { errors?: Message[] }).errors;
  return Array.isArray(errors) ? errors : [];
}

function formatErrors(errors: Message[], err: unknown): string {
  if (errors.length === 0) return `${err instanceof Error ? err.message : String(err)}\n`;
  return errors
    .map((e) => {
      if (!e.location) return `SyntaxError: ${e.text}\n`;
      const { file, line, column, lineText } = e.location;
      return `${file}:${line}\n${lineText}\n${' '.repeat(column)}^\n\nSyntaxError: ${e.text}\n`;
    })
    .join('\n');
}

/**
 * Node's report of a syntax error, from isolated-vm's "message [file:line:column]" for the wrapped
 * program: the file and line, the source line, a caret, then the error.
 */
function formatSyntaxError(message: string, code: string, headLength = 0): string {
  const at = /^(.*) \[(.*):(\d+):(\d+)\]$/s.exec(message);
  if (!at) return `SyntaxError: ${message}\n`;
  const [, text, file, line, column] = at as unknown as [string, string, string, string, string];
  const sourceLine = code.split('\n')[Number(line) - 1] ?? '';
  // Line 1 starts after the wrapper's head.
  const col = Number(column) - 1 - (line === '1' ? headLength : 0);
  return `${file}:${line}\n${sourceLine}\n${' '.repeat(Math.max(0, col))}^\n\nSyntaxError: ${text}\n`;
}

/** The SyntaxError report of a program the runtime failed to compile, with its location. */
export async function describeCompileError(
  isolate: ivm.Isolate,
  code: string,
  isAsync: boolean,
): Promise<string> {
  for (const wrapper of isAsync ? [true] : [false, true]) {
    try {
      (await isolate.compileScript(wrapProgram(code, wrapper), { filename: SCRIPT_PATH })).release();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!wrapper && needsAsync(message.replace(/ \[.*\]$/s, ''), code)) continue;
      const head = wrapProgram('', wrapper).indexOf(WRAPPER_HEAD) + WRAPPER_HEAD.length;
      return formatSyntaxError(message, code, head);
    }
  }
  return 'SyntaxError: the program does not compile\n';
}
