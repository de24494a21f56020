import { hashUnit } from './sample.ts';
import { type CurriculumSpec, type StageSpec, stageSources } from './spec.ts';

/** A problem that made it into at least one level, with its position in the dataset. */
export interface LeveledProblem {
  /** 0-based row index in the dataset. */
  row: number;
  id: string;
  ability: string;
  levels: string[];
}

export interface StageSelection {
  stage: StageSpec;
  /** Dataset row indices of the stage's problems, ascending (dataset order), each problem once. */
  rows: number[];
  /** Problems per ability in the stage. */
  perAbility: Record<string, number>;
  /** Problems per level in the stage (a problem in two of the stage's levels counts in both). */
  perLevel: Record<string, number>;
  /** Problems that matched the stage's sources before the mix subsampled them. */
  matched: number;
}

function matchesStage(problem: LeveledProblem, stage: StageSpec): boolean {
  return stageSources(stage).some(
    (s) => problem.levels.includes(s.level) && (s.ability === undefined || s.ability === problem.ability),
  );
}

/**
 * How many of each ability to keep so the counts follow the mix weights as closely as possible while
 * keeping as many problems as the scarcest ability allows.
 */
export function mixTargets(
  available: Record<string, number>,
  mix: Record<string, number>,
): Record<string, number> {
  const abilities = Object.keys(mix);
  const scale = Math.min(...abilities.map((a) => (available[a] ?? 0) / (mix[a] as number)));
  return Object.fromEntries(
    abilities.map((a) => [a, Math.min(available[a] ?? 0, Math.round(scale * (mix[a] as number)))]),
  );
}

/** Keeps `target` problems per ability: those with the lowest seeded hash, so the choice is stable. */
function applyMix(
  problems: LeveledProblem[],
  mix: Record<string, number>,
  seed: number,
  salt: string,
): LeveledProblem[] {
  const byAbility = new Map<string, LeveledProblem[]>();
  for (const p of problems) {
    if (!(p.ability in mix)) continue;
    const list = byAbility.get(p.ability) ?? [];
    list.push(p);
    byAbility.set(p.ability, list);
  }
  const available = Object.fromEntries([...byAbility].map(([a, list]) => [a, list.length]));
  const targets = mixTargets(available, mix);
  const kept: LeveledProblem[] = [];
  for (const [ability, list] of byAbility) {
    const ranked = list.map((p) => ({ p, h: hashUnit(p.id, seed, salt) })).sort((x, y) => x.h - y.h);
    kept.push(...ranked.slice(0, targets[ability] ?? 0).map((x) => x.p));
  }
  return kept;
}

/** Each stage's problems: every problem in one of its sources, once, then the ability mix applied. */
export function selectStages(spec: CurriculumSpec, problems: readonly LeveledProblem[]): StageSelection[] {
  return spec.stages.map((stage) => {
    const matched = problems.filter((p) => matchesStage(p, stage));
    const chosen = stage.mix ? applyMix(matched, stage.mix, spec.seed, `mix:${stage.name}`) : matched;
    chosen.sort((x, y) => x.row - y.row);
    const perAbility: Record<string, number> = {};
    const perLevel: Record<string, number> = {};
    const stageLevels = new Set(stageSources(stage).map((s) => s.level));
    for (const p of chosen) {
      perAbility[p.ability] = (perAbility[p.ability] ?? 0) + 1;
      for (const level of p.levels) if (stageLevels.has(level)) perLevel[level] = (perLevel[level] ?? 0) + 1;
    }
    return { stage, rows: chosen.map((p) => p.row), perAbility, perLevel, matched: matched.length };
  });
}
