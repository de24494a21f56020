import type { EvalResults } from '../results.ts';
import { breakdowns } from './breakdowns.ts';
import { pct } from './markdown.ts';
import { type Bar, barChart, esc } from './svg.ts';

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 1100px; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
.note { color: #666; font-size: 0.9em; }
figure { margin: 1.5rem 0; }
`;

/** A self-contained HTML report (no scripts, no external files): tables and inline SVG charts. */
export function htmlReport(results: readonly EvalResults[]): string {
  const title = `Evaluation: ${results.map((r) => r.label).join(' vs ')}`;
  const bars: Bar[] = results.flatMap((r) =>
    r.benchmarks.map((b) => ({
      group: b.title,
      series: r.label,
      value: b.metrics.avg,
      low: b.metrics.ci95.low,
      high: b.metrics.ci95.high,
    })),
  );
  const body = [
    `<h1>${esc(title)}</h1>`,
    `<p class="note">${results.map(describe).join('<br>')}</p>`,
    summaryTable(results),
    `<figure id="accuracy-chart">${barChart(bars, 'avg@k per benchmark (95% bootstrap CI)')}</figure>`,
    ...breakdownTables(results),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}

function describe(r: EvalResults): string {
  const sampling = r.sampling
    ? `T ${r.sampling.temperature}, top_p ${r.sampling.topP}, max ${r.sampling.maxTokens} tokens`
    : 'pre-generated responses';
  return esc(`${r.label}: model ${r.model}, preset ${r.preset}, ${sampling}, ${r.created}`);
}

function summaryTable(results: readonly EvalResults[]): string {
  const many = results.length > 1;
  const head = [
    ...(many ? ['run'] : []),
    'benchmark',
    'problems',
    'k',
    'avg@k %',
    '95% CI',
    'pass@k %',
    'maj@k %',
    'truncated %',
    'median length (chars)',
    'median tokens',
  ];
  const rows = results.flatMap((r) =>
    r.benchmarks.map((b) => {
      const m = b.metrics;
      const passK = m.passAt[String(b.k)];
      return [
        ...(many ? [r.label] : []),
        b.title,
        String(m.problems),
        String(b.k),
        pct(m.avg),
        `${pct(m.ci95.low)}–${pct(m.ci95.high)}`,
        passK === undefined ? '' : pct(passK),
        m.majAtK === undefined ? '–' : pct(m.majAtK),
        pct(m.truncationRate),
        String(m.lengthChars.median),
        m.lengthTokens ? String(m.lengthTokens.median) : '',
      ];
    }),
  );
  return table('summary', head, rows);
}

function breakdownTables(results: readonly EvalResults[]): string[] {
  return breakdowns(results).flatMap((b) => [
    `<h2>${esc(`${b.title} by ${b.by}${b.label === undefined ? '' : ` (${b.label})`}`)}</h2>`,
    table(
      `${b.benchmark}-${b.by}`,
      [b.by, 'problems', 'avg@k %'],
      b.rows.map((row) => [row.key, String(row.problems), pct(row.avg)]),
    ),
  ]);
}

function table(id: string, head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const trs = rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table id="${esc(id)}"><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}
