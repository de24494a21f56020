import { evaluate, evaluateTagged, modelsIn, type ProblemFacts } from './rules.ts';
import type { CurriculumSpec } from './spec.ts';

/**
 * Where one problem lands: in some levels (possibly none, possibly several: the paper's levels
 * overlap), left out by the global filter, or left out for lack of pass rates.
 */
export type LevelAssignment =
  | { kind: 'levels'; levels: string[]; tags: string[] }
  | { kind: 'filtered' }
  | { kind: 'missing'; models: string[] };

/** The spec's model names that its filter and level rules read, in `models` order. */
export function modelsUsed(spec: CurriculumSpec): string[] {
  const used = new Set<string>();
  if (spec.filter) modelsIn(spec.filter, used);
  for (const level of Object.values(spec.levels)) modelsIn(level.when, used);
  return Object.keys(spec.models).filter((m) => used.has(m));
}

export interface LevelAssigner {
  readonly modelsUsed: string[];
  assign(facts: ProblemFacts): LevelAssignment;
}

/** Applies the spec's filter, then each level's rule (levels in spec order). */
export function levelAssigner(spec: CurriculumSpec): LevelAssigner {
  const used = modelsUsed(spec);
  const levels = Object.entries(spec.levels);
  return {
    modelsUsed: used,
    assign(facts) {
      const missing = used.filter((m) => !facts.passRates.has(m));
      if (missing.length > 0) return { kind: 'missing', models: missing };
      if (spec.filter && !evaluate(spec.filter, facts, { seed: spec.seed, salt: 'filter' })) {
        return { kind: 'filtered' };
      }
      const inLevels: string[] = [];
      const tags: string[] = [];
      for (const [name, level] of levels) {
        const result = evaluateTagged(level.when, facts, { seed: spec.seed, salt: name });
        if (!result.holds) continue;
        inLevels.push(name);
        tags.push(...result.tags);
      }
      return { kind: 'levels', levels: inLevels, tags };
    },
  };
}
