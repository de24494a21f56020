import type { EvalResults } from '../results.ts';
import { breakdowns } from './breakdowns.ts';

export const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}`;

function passColumns(results: readonly EvalResults[]): string[] {
  const ks = new Set<string>();
  for (const r of results)
    for (const b of r.benchmarks) for (const k of Object.keys(b.metrics.passAt)) ks.add(k);
  return [...ks].sort((a, b) => Number(a) - Number(b)).filter((k) => k !== '1');
}

/** One row per benchmark (and per result when several are compared), accuracies in percent. */
export function markdownTable(results: readonly EvalResults[]): string {
  const passKs = passColumns(results);
  const header = [
    ...(results.length > 1 ? ['run'] : []),
    'benchmark',
    'problems',
    'k',
    'avg@k %',
    '95% CI',
    ...passKs.map((k) => `pass@${k} %`),
    'maj@k %',
    'truncated %',
    'mean length (chars)',
  ];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const r of results) {
    for (const b of r.benchmarks) {
      const m = b.metrics;
      const cells = [
        ...(results.length > 1 ? [cell(r.label)] : []),
        cell(b.title),
        String(m.problems),
        String(b.k),
        pct(m.avg),
        `${pct(m.ci95.low)} – ${pct(m.ci95.high)}`,
        ...passKs.map((k) => (m.passAt[k] === undefined ? '' : pct(m.passAt[k] as number))),
        m.majAtK === undefined ? '–' : pct(m.majAtK),
        pct(m.truncationRate),
        String(Math.round(m.lengthChars.mean)),
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The table, then per-subject and per-level breakdowns where a benchmark has them (MATH-500). */
export function markdownReport(results: readonly EvalResults[]): string {
  const parts = [`# Evaluation: ${results.map((r) => cell(r.label)).join(' vs ')}\n`, markdownTable(results)];
  for (const b of breakdowns(results)) {
    parts.push(`\n## ${cell(b.title)} by ${b.by}${b.label === undefined ? '' : ` (${cell(b.label)})`}\n`);
    parts.push(`| ${b.by} | problems | avg@k % |\n| --- | --- | --- |`);
    for (const row of b.rows) parts.push(`| ${cell(row.key)} | ${row.problems} | ${pct(row.avg)} |`);
  }
  return `${parts.join('\n')}\n`;
}

function cell(s: string): string {
  return s.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
