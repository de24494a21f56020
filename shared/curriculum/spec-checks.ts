import { StageSettings } from '../formats/stage-manifest.ts';
import { mergeSettings } from './settings.ts';
import { stageEndIssues } from './stage-end.ts';

/**
 * Checks of a spec's names against each other (rules name known models, stages name known levels,
 * merged stage settings are complete, a plateau rule has the evaluations it reads). Works on the raw parsed text too, so these mistakes are reported
 * together with shape mistakes instead of one round later.
 */

type Path = (string | number)[];
export interface CrossIssue {
  path: Path;
  message: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every (path, model name) a condition refers to, tolerating malformed parts. */
function modelRefs(cond: unknown, path: Path): { path: Path; model: string }[] {
  if (!isRecord(cond)) return [];
  const refs: { path: Path; model: string }[] = [];
  for (const key of ['all', 'any'] as const) {
    const list = cond[key];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      refs.push(...modelRefs(c, [...path, key, i]));
    });
  }
  if ('not' in cond) refs.push(...modelRefs(cond.not, [...path, 'not']));
  if (typeof cond.model === 'string') refs.push({ path: [...path, 'model'], model: cond.model });
  return refs;
}

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');

export function crossCheckSpec(raw: unknown): CrossIssue[] {
  if (!isRecord(raw)) return [];
  const issues: CrossIssue[] = [];
  const models = isRecord(raw.models) ? raw.models : {};
  const levels = isRecord(raw.levels) ? raw.levels : {};

  const checkRefs = (cond: unknown, path: Path) => {
    for (const ref of modelRefs(cond, path)) {
      if (!Object.hasOwn(models, ref.model)) {
        issues.push({
          path: ref.path,
          message: `unknown model "${ref.model}"; models are ${quoted(Object.keys(models))}`,
        });
      }
    }
  };
  if (raw.filter !== undefined) checkRefs(raw.filter, ['filter']);
  for (const [name, level] of Object.entries(levels)) {
    if (isRecord(level)) checkRefs(level.when, ['levels', name, 'when']);
  }

  const stages = Array.isArray(raw.stages) ? raw.stages : [];
  const defaults = isRecord(raw.defaults) ? raw.defaults : {};
  const seen = new Set<string>();
  stages.forEach((stage: unknown, i) => {
    if (!isRecord(stage)) return;
    if (typeof stage.name === 'string') {
      if (seen.has(stage.name)) {
        issues.push({ path: ['stages', i, 'name'], message: `duplicate stage name "${stage.name}"` });
      }
      seen.add(stage.name);
    }
    if ((stage.levels === undefined) === (stage.sources === undefined)) {
      issues.push({ path: ['stages', i], message: 'give either `levels` or `sources` (not both)' });
    }
    const checkLevel = (level: unknown, path: Path) => {
      if (typeof level === 'string' && !Object.hasOwn(levels, level)) {
        issues.push({ path, message: `unknown level "${level}"; levels are ${quoted(Object.keys(levels))}` });
      }
    };
    if (Array.isArray(stage.levels)) {
      stage.levels.forEach((l, j) => {
        checkLevel(l, ['stages', i, 'levels', j]);
      });
    }
    if (Array.isArray(stage.sources)) {
      stage.sources.forEach((s, j) => {
        if (isRecord(s)) checkLevel(s.level, ['stages', i, 'sources', j, 'level']);
      });
    }
    const own = isRecord(stage.settings) ? stage.settings : {};
    const merged = StageSettings.safeParse(mergeSettings(defaults, own));
    if (merged.success) {
      const evalBlock = isRecord(raw.eval) ? raw.eval : undefined;
      for (const issue of stageEndIssues(merged.data, evalBlock)) {
        issues.push({ path: ['stages', i, 'settings', ...issue.path], message: issue.message });
      }
    } else {
      for (const issue of merged.error.issues) {
        // Shape mistakes inside `settings` or `defaults` are reported by the shape check itself.
        const field = issue.path[0];
        if (typeof field === 'string' && (field in own || field in defaults)) continue;
        issues.push({
          path: ['stages', i, 'settings', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
          message:
            issue.code === 'invalid_type' && issue.input === undefined
              ? 'missing: set it here or in `defaults`'
              : `${issue.message} (after merging \`defaults\`)`,
        });
      }
    }
  });
  return issues;
}
