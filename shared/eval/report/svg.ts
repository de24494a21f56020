/** One bar: a value in [0, 1] with its interval, in one series. */
export interface Bar {
  group: string;
  series: string;
  value: number;
  low: number;
  high: number;
}

const PALETTE = ['#3366cc', '#dc7633', '#2e8b57', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#d4ac0d'];

/**
 * A grouped bar chart (groups on x, one bar per series) with 95% interval whiskers, as standalone SVG.
 * Values are fractions; the axis is in percent.
 */
export function barChart(bars: readonly Bar[], title: string): string {
  const groups = unique(bars.map((b) => b.group));
  const series = unique(bars.map((b) => b.series));
  const barW = 32;
  const groupW = Math.max(120, series.length * barW + 40);
  const gap = groupW - series.length * barW;
  const left = 48;
  const top = 36;
  const plotH = 220;
  const legendH = series.length > 1 ? 20 * series.length + 8 : 0;
  const width = Math.max(480, title.length * 8 + left, left + groups.length * groupW + 16);
  const height = top + plotH + 56 + legendH;
  const y = (v: number) => top + plotH - Math.max(0, Math.min(1, v)) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let t = 0; t <= 100; t += 20) {
    const yy = y(t / 100);
    out.push(`<line x1="${left}" x2="${width - 8}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${yy + 4}" text-anchor="end">${t}%</text>`);
  }
  for (const [gi, group] of groups.entries()) {
    const x0 = left + gap / 2 + gi * groupW;
    for (const [si, name] of series.entries()) {
      const bar = bars.find((b) => b.group === group && b.series === name);
      if (!bar) continue;
      const x = x0 + si * barW;
      const color = PALETTE[si % PALETTE.length];
      const cx = x + (barW - 4) / 2;
      out.push(
        `<rect class="bar" x="${x}" y="${y(bar.value)}" width="${barW - 4}" height="${top + plotH - y(bar.value)}" fill="${color}"><title>${esc(`${group} · ${name}: ${(bar.value * 100).toFixed(1)}% (95% CI ${(bar.low * 100).toFixed(1)}–${(bar.high * 100).toFixed(1)})`)}</title></rect>`,
        `<line class="ci" x1="${cx}" x2="${cx}" y1="${y(bar.high)}" y2="${y(bar.low)}" stroke="#222" stroke-width="1.5"/>`,
        `<line x1="${cx - 5}" x2="${cx + 5}" y1="${y(bar.high)}" y2="${y(bar.high)}" stroke="#222" stroke-width="1.5"/>`,
        `<line x1="${cx - 5}" x2="${cx + 5}" y1="${y(bar.low)}" y2="${y(bar.low)}" stroke="#222" stroke-width="1.5"/>`,
        `<text x="${cx}" y="${y(bar.high) - 4}" text-anchor="middle">${(bar.value * 100).toFixed(1)}</text>`,
      );
    }
    const mid = x0 + (series.length * barW) / 2 - 2;
    out.push(`<text x="${mid}" y="${top + plotH + 16}" text-anchor="middle">${esc(group)}</text>`);
  }
  out.push(`<line x1="${left}" x2="${width - 8}" y1="${top + plotH}" y2="${top + plotH}" stroke="#444"/>`);
  if (series.length > 1) {
    for (const [si, name] of series.entries()) {
      const yy = top + plotH + 40 + si * 20;
      out.push(
        `<rect x="${left}" y="${yy - 10}" width="12" height="12" fill="${PALETTE[si % PALETTE.length]}"/>`,
      );
      out.push(`<text x="${left + 18}" y="${yy}">${esc(name)}</text>`);
    }
  }
  out.push('</svg>');
  return out.join('\n');
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

export function esc(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
