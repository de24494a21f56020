import type { StageManifest } from '../formats/stage-manifest.ts';
import { type CurationSummary, HISTOGRAM_BINS } from './summary.ts';
import { barChart, escapeXml, PALETTE } from './svg.ts';

/** What the report shows besides the summary. */
export interface ReportContext {
  manifest: StageManifest;
  inputs: { spec: string; data: string; passrates: string };
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}th{background:#f6f6f6}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
svg .title{font-weight:600;font-size:13px}svg .tick{font-size:11px;fill:#555}svg .grid{stroke:#e5e5e5}
code{background:#f3f3f3;padding:0 .2rem}table.text td,table.text th{text-align:left}.muted{color:#666}
`;

const num = (n: number) => n.toLocaleString('en');

function table(header: string[], rows: (string | number)[][], className = ''): string {
  const th = header.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const trs = rows
    .map(
      (r) => `<tr>${r.map((c) => `<td>${escapeXml(typeof c === 'number' ? num(c) : c)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
}

function abilitySeries(
  abilities: string[],
  counts: (a: string) => number[],
): { name: string; values: number[]; color: string }[] {
  return abilities.map((a, i) => ({
    name: a,
    values: counts(a),
    color: PALETTE[i % PALETTE.length] as string,
  }));
}

/** A self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched) describing one curate run. */
export function renderReport(summary: CurationSummary, ctx: ReportContext): string {
  const { manifest } = ctx;
  const abilities = Object.keys(summary.perAbility).sort();
  const levels = Object.keys(summary.levels);

  const levelChart = barChart({
    title: 'Problems per level',
    labels: levels,
    series: abilitySeries(abilities, (a) => levels.map((l) => summary.levels[l]?.perAbility[a] ?? 0)),
  });
  const stageChart = barChart({
    title: 'Problems per stage',
    labels: summary.stages.map((s) => s.name),
    series: abilitySeries(abilities, (a) => summary.stages.map((s) => s.perAbility[a] ?? 0)),
  });
  const histograms = Object.entries(summary.histograms)
    .map(([model, counts]) =>
      barChart({
        title: `Pass rate of ${model}`,
        labels: [...HISTOGRAM_BINS],
        series: [{ name: model, values: counts, color: PALETTE[0] as string }],
        width: 520,
        height: 220,
      }),
    )
    .join('');

  const stageRows = manifest.stages.map((st) => {
    const s = summary.stages[st.index - 1];
    const file = st.data[0];
    return [
      `${st.index}. ${st.name}`,
      st.levels.join(' + '),
      s?.rows ?? 0,
      st.settings.max_response_length,
      file ? `${file.path} (${num(file.bytes)} B)` : '',
      file ? file.sha256.slice(0, 12) : '',
    ];
  });
  const settingsRows = manifest.stages.map((st) => [
    st.name,
    Object.entries(st.settings)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(', '),
  ]);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gradus curate: ${escapeXml(manifest.curriculum)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body>
<h1>Curriculum <code>${escapeXml(manifest.curriculum)}</code></h1>
<p class="muted">seed ${manifest.seed} · created ${escapeXml(manifest.created_at)} · spec <code>${escapeXml(ctx.inputs.spec)}</code> · data <code>${escapeXml(ctx.inputs.data)}</code> · pass rates <code>${escapeXml(ctx.inputs.passrates)}</code></p>
<h2>Problems</h2>
${table(
  ['', 'problems'],
  [
    ['in the dataset', summary.problems],
    ...abilities.map((a) => [`  ${a}`, summary.perAbility[a] ?? 0]),
    ['left out by the filter', summary.dropped.filtered],
    ['left out: missing pass rates', summary.dropped.missing_pass_rates],
    ['in no level', summary.dropped.in_no_level],
    ['pass-rate ids not in the dataset', summary.pass_rates_without_problem],
  ],
)}
<h2>Levels</h2>
<p class="muted">A problem may be in several levels; a stage takes each problem once. Every problem's status, levels and pass rates: <code>levels.parquet</code>.</p>
<div class="charts">${levelChart}</div>
${table(
  ['level', 'problems', ...abilities],
  levels.map((l) => [
    l,
    summary.levels[l]?.total ?? 0,
    ...abilities.map((a) => summary.levels[l]?.perAbility[a] ?? 0),
  ]),
)}
${
  Object.keys(summary.tags).length
    ? `<p>Rule branches (a problem counts in each branch it meets):</p>${table(['tag', 'problems'], Object.entries(summary.tags))}`
    : ''
}
<h2>Stages</h2>
<div class="charts">${stageChart}</div>
${table(['stage', 'levels', 'problems', 'max response', 'data', 'sha256'], stageRows)}
${table(['stage', 'settings'], settingsRows, 'text')}
<h2>Pass rates per model</h2>
<p class="muted">Problems of the dataset per pass-rate bin; 0 and 1 have bins of their own.</p>
<div class="charts">${histograms}</div>
</body></html>
`;
}
