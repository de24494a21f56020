import type { LevelAssignment } from './levels.ts';
import { stageSources } from './spec.ts';
import type { StageSelection } from './stages.ts';

/** Pass-rate histogram bins: exactly 0 and exactly 1 get their own bins, since the level rules test them. */
export const HISTOGRAM_BINS = [
  '0',
  '(0,.1]',
  '(.1,.2]',
  '(.2,.3]',
  '(.3,.4]',
  '(.4,.5]',
  '(.5,.6]',
  '(.6,.7]',
  '(.7,.8]',
  '(.8,.9]',
  '(.9,1)',
  '1',
] as const;

export function histogramBin(p: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return HISTOGRAM_BINS.length - 1;
  return Math.min(10, Math.ceil(p * 10));
}

export interface CurationSummary {
  /** Dataset rows read. */
  problems: number;
  perAbility: Record<string, number>;
  /** Why problems are in no stage's pool. */
  dropped: { filtered: number; missing_pass_rates: number; in_no_level: number };
  /** Problems per level, and per level and ability. */
  levels: Record<string, { total: number; perAbility: Record<string, number> }>;
  /** Problems per rule tag (the branches of the level rules), by tag name. */
  tags: Record<string, number>;
  stages: {
    name: string;
    levels: string[];
    rows: number;
    matched: number;
    perAbility: Record<string, number>;
  }[];
  /** Spec model name -> counts per HISTOGRAM_BINS, over the dataset's problems that have that model's rate. */
  histograms: Record<string, number[]>;
  /** Pass-rate problem ids with no row in the dataset. */
  pass_rates_without_problem: number;
}

export interface SummaryBuilder {
  add(ability: string, passRates: ReadonlyMap<string, number>, assignment: LevelAssignment): void;
  finish(stages: StageSelection[], passRatesWithoutProblem: number): CurationSummary;
}

export function summaryBuilder(models: string[], levels: string[]): SummaryBuilder {
  const s: CurationSummary = {
    problems: 0,
    perAbility: {},
    dropped: { filtered: 0, missing_pass_rates: 0, in_no_level: 0 },
    levels: Object.fromEntries(levels.map((l) => [l, { total: 0, perAbility: {} }])),
    tags: {},
    stages: [],
    histograms: Object.fromEntries(models.map((m) => [m, HISTOGRAM_BINS.map(() => 0)])),
    pass_rates_without_problem: 0,
  };
  const bump = (counts: Record<string, number>, key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  return {
    add(ability, passRates, assignment) {
      s.problems++;
      bump(s.perAbility, ability);
      for (const [model, p] of passRates) {
        const hist = s.histograms[model];
        if (hist) hist[histogramBin(p)] = (hist[histogramBin(p)] ?? 0) + 1;
      }
      if (assignment.kind === 'filtered') s.dropped.filtered++;
      else if (assignment.kind === 'missing') s.dropped.missing_pass_rates++;
      else if (assignment.levels.length === 0) s.dropped.in_no_level++;
      else {
        for (const tag of assignment.tags) bump(s.tags, tag);
        for (const name of assignment.levels) {
          const level = s.levels[name];
          if (!level) continue;
          level.total++;
          bump(level.perAbility, ability);
        }
      }
    },
    finish(stages, passRatesWithoutProblem) {
      s.stages = stages.map((sel) => ({
        name: sel.stage.name,
        levels: stageSources(sel.stage).map((src) =>
          src.ability ? `${src.level} (${src.ability})` : src.level,
        ),
        rows: sel.rows.length,
        matched: sel.matched,
        perAbility: sel.perAbility,
      }));
      s.pass_rates_without_problem = passRatesWithoutProblem;
      s.tags = Object.fromEntries(Object.entries(s.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      return s;
    },
  };
}

/** Left-aligned first column, right-aligned numbers. */
export function textTable(header: string[], rows: (string | number)[][]): string {
  const cells = [
    header,
    ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en') : c))),
  ];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) =>
    r
      .map((c, i) => (i === 0 ? String(c).padEnd(widths[i] ?? 0) : String(c).padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** The summary `curate` prints. */
export function formatSummary(s: CurationSummary): string {
  const abilities = Object.keys(s.perAbility).sort();
  const levelRows = Object.entries(s.levels).map(([name, l]) => [
    name,
    l.total,
    ...abilities.map((a) => l.perAbility[a] ?? 0),
  ]);
  const stageRows = s.stages.map((st) => [
    st.name,
    st.levels.join(' + '),
    st.rows,
    st.matched,
    ...abilities.map((a) => st.perAbility[a] ?? 0),
  ]);
  const histRows = Object.entries(s.histograms).map(([model, counts]) => [model, ...counts]);
  return [
    `${s.problems.toLocaleString('en')} problems (${abilities.map((a) => `${a} ${(s.perAbility[a] ?? 0).toLocaleString('en')}`).join(', ')})`,
    `left out: ${s.dropped.filtered.toLocaleString('en')} by the filter, ${s.dropped.missing_pass_rates.toLocaleString('en')} missing pass rates, ${s.dropped.in_no_level.toLocaleString('en')} in no level` +
      (s.pass_rates_without_problem
        ? `; ${s.pass_rates_without_problem.toLocaleString('en')} pass-rate problem ids not in the dataset`
        : ''),
    '',
    textTable(['level', 'problems', ...abilities], levelRows),
    ...(Object.keys(s.tags).length
      ? [
          `rule branches: ${Object.entries(s.tags)
            .map(([t, n]) => `${t} ${n.toLocaleString('en')}`)
            .join(', ')}`,
        ]
      : []),
    '',
    textTable(['stage', 'levels', 'problems', 'matched', ...abilities], stageRows),
    '',
    'pass-rate histogram (problems per bin)',
    textTable(['model', ...HISTOGRAM_BINS], histRows),
  ].join('\n');
}
