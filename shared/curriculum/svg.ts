/** Small inline SVG charts for the curate report: no scripts, no fonts or styles from outside. */

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface BarSeries {
  name: string;
  values: number[];
  color: string;
}

export interface BarChartOptions {
  title: string;
  labels: string[];
  /** Stacked in the order given. */
  series: BarSeries[];
  width?: number;
  height?: number;
}

const MARGIN = { top: 28, right: 12, bottom: 42, left: 56 };

/** Round axis maximum and tick step for counts up to `max`. */
function niceTicks(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  return { top: Math.ceil(max / step) * step, step };
}

/** A vertical bar chart, stacked when there are several series, with a legend and hover titles. */
export function barChart(opts: BarChartOptions): string {
  const width = opts.width ?? 520;
  const height = opts.height ?? 260;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const totals = opts.labels.map((_, i) => opts.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const { top, step } = niceTicks(Math.max(0, ...totals));
  const y = (v: number) => MARGIN.top + plotH - (v / top) * plotH;
  const slot = plotW / Math.max(1, opts.labels.length);
  const barW = Math.max(2, slot * 0.7);
  const parts: string[] = [];

  parts.push(`<text x="${MARGIN.left}" y="16" class="title">${escapeXml(opts.title)}</text>`);
  for (let v = 0; v <= top; v += step) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`,
      `<text x="${MARGIN.left - 6}" y="${(y(v) + 4).toFixed(1)}" class="tick" text-anchor="end">${v.toLocaleString('en')}</text>`,
    );
  }
  opts.labels.forEach((label, i) => {
    const x = MARGIN.left + i * slot + (slot - barW) / 2;
    let base = 0;
    for (const s of opts.series) {
      const v = s.values[i] ?? 0;
      if (v > 0) {
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y(base + v).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(base) - y(base + v)).toFixed(1)}" fill="${s.color}"><title>${escapeXml(`${label} · ${s.name}: ${v.toLocaleString('en')}`)}</title></rect>`,
        );
      }
      base += v;
    }
    parts.push(
      `<text x="${(x + barW / 2).toFixed(1)}" y="${height - MARGIN.bottom + 14}" class="tick" text-anchor="middle">${escapeXml(label)}</text>`,
    );
  });
  if (opts.series.length > 1) {
    opts.series.forEach((s, i) => {
      const lx = MARGIN.left + i * 110;
      parts.push(
        `<rect x="${lx}" y="${height - 16}" width="10" height="10" fill="${s.color}"/>`,
        `<text x="${lx + 14}" y="${height - 7}" class="tick">${escapeXml(s.name)}</text>`,
      );
    });
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(opts.title)}">${parts.join('')}</svg>`;
}

/** Colours for series, chosen to stay distinguishable in print. */
export const PALETTE = ['#3b6ea8', '#d9822b', '#5a9e4b', '#a44a8a', '#7f7f7f', '#c4463a'];
