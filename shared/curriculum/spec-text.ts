import { isNode, LineCounter, parseDocument } from 'yaml';
import { CurriculumSpec } from './spec.ts';
import { crossCheckSpec } from './spec-checks.ts';

/** One mistake in a spec: where (field path, and line:column when known) and what was expected. */
export interface SpecIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export type SpecParse = { ok: true; spec: CurriculumSpec } | { ok: false; issues: SpecIssue[] };

/** `levels.L3.when.any[1].model` from zod's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(top level)' : out;
}

/**
 * Parses a spec written as YAML or JSON (JSON is YAML) and validates it, reporting every mistake at
 * once, each with its field path and, where the field exists in the text, its line and column.
 */
export function parseSpecText(text: string): SpecParse {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return {
          path: '(syntax)',
          message: e.message.split('\n')[0] ?? e.message,
          line: pos?.line,
          column: pos?.col,
        };
      }),
    };
  }
  const raw: unknown = doc.toJS();
  const parsed = CurriculumSpec.safeParse(raw);
  if (parsed.success) return { ok: true, spec: parsed.data };
  // A shape mistake stops zod before the cross checks: run them on the raw text so every mistake shows.
  const all = [...parsed.error.issues, ...crossCheckSpec(raw)];
  const seen = new Set<string>();
  const issues: SpecIssue[] = [];
  for (const issue of all) {
    const path = issue.path as PropertyKey[];
    const key = `${formatPath(path)}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path: formatPath(path), message: issue.message, ...locate(doc, path, lineCounter) });
  }
  return { ok: false, issues };
}

/** Line and column of the deepest node along `path` that exists in the document. */
function locate(
  doc: ReturnType<typeof parseDocument>,
  path: PropertyKey[],
  lineCounter: LineCounter,
): { line?: number; column?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

/** `spec.yaml:12:7: levels.L1.when.op: Invalid option ...`, one line per issue. */
export function formatSpecIssues(source: string, issues: SpecIssue[]): string {
  return issues
    .map(
      (i) => `${source}${i.line !== undefined ? `:${i.line}:${i.column ?? 1}` : ''}: ${i.path}: ${i.message}`,
    )
    .join('\n');
}
