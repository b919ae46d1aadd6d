/**
 * Small inline-SVG charts for the self-contained HTML report. Pure string building: every word
 * and number on a chart comes from the caller (`ChartText`), so the report decides the language.
 * The SVG sets no font of its own; it inherits the page's font stack, which has Japanese fonts.
 */

const W = 640;
const H = 300;
const PAD = { left: 56, right: 16, top: 28, bottom: 48 };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * Tick and tooltip numbers: whole numbers from 1,000 up, else three significant digits but no
 * more than three decimals (a heat-map cell of 1e-24 purchases reads as 0, not as 24 zeros).
 */
export function chartNumber(locale: string): (v: number) => string {
  const big = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const small = new Intl.NumberFormat(locale, {
    maximumSignificantDigits: 3,
    maximumFractionDigits: 3,
    roundingPriority: 'lessPrecision',
  });
  return (v) => (Math.abs(v) >= 1000 ? big.format(v) : small.format(v));
}

/** The words and number format of one chart. */
export interface ChartText {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Formats ticks, bin edges and tooltips (see `chartNumber`). */
  fmt: (v: number) => string;
}

function axes(yMax: number, { yLabel, xLabel, fmt }: ChartText): string {
  const ih = H - PAD.top - PAD.bottom;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = PAD.top + ih * (1 - f);
    return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/><text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${fmt(yMax * f)}</text>`;
  });
  return `${ticks.join('')}<text x="14" y="${PAD.top + ih / 2}" transform="rotate(-90 14 ${PAD.top + ih / 2})" text-anchor="middle">${escapeHtml(yLabel)}</text><text x="${(W + PAD.left) / 2}" y="${H - 8}" text-anchor="middle">${escapeHtml(xLabel)}</text>`;
}

export interface Series {
  name: string;
  values: number[];
  color: string;
}

/** Grouped bars, one group per category. */
export function barChart(text: ChartText, categories: string[], series: Series[]): string {
  const { fmt } = text;
  const yMax = niceMax(Math.max(...series.flatMap((s) => s.values)));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const gw = iw / categories.length;
  const bw = (gw * 0.8) / series.length;
  const bars = categories.flatMap((c, i) => [
    ...series.map((s, k) => {
      const v = s.values[i] ?? 0;
      const h = (ih * v) / yMax;
      const x = PAD.left + i * gw + gw * 0.1 + k * bw;
      return `<rect x="${x.toFixed(1)}" y="${(PAD.top + ih - h).toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${escapeHtml(`${s.name}, ${c}: ${fmt(v)}`)}</title></rect>`;
    }),
    `<text x="${(PAD.left + i * gw + gw / 2).toFixed(1)}" y="${PAD.top + ih + 16}" text-anchor="middle">${escapeHtml(c)}</text>`,
  ]);
  const legend = series.map(
    (s, k) =>
      `<rect x="${PAD.left + k * 150}" y="8" width="12" height="12" fill="${s.color}"/><text x="${PAD.left + 16 + k * 150}" y="18">${escapeHtml(s.name)}</text>`,
  );
  return svg(text.title, `${axes(yMax, text)}${bars.join('')}${legend.join('')}`);
}

export interface HistogramOptions {
  lo: number;
  hi: number;
  bins: number;
  color: string;
  /** The series' name in the legend and tooltips (what is counted: customers). */
  countName: string;
}

/** Histogram of `values` over `bins` equal bins from `lo` to `hi` (values above hi go in the last bin). */
export function histogram(text: ChartText, values: Float64Array, options: HistogramOptions): string {
  const { lo, hi, bins } = options;
  const { fmt } = text;
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins || 1;
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]!++;
  const cats = counts.map((_, i) => fmt(lo + i * width));
  return barChart(text, cats, [{ name: options.countName, values: counts, color: options.color }]);
}

/** Heat map: rows top to bottom, columns left to right; darker = larger. */
export function heatmap(
  text: ChartText,
  matrix: number[][],
  rowLabels: string[],
  colLabels: string[],
): string {
  const { yLabel, xLabel, fmt } = text;
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const nr = matrix.length;
  const nc = matrix[0]?.length ?? 0;
  const max = Math.max(...matrix.flat(), 1e-12);
  const cw = iw / Math.max(nc, 1);
  const ch = ih / Math.max(nr, 1);
  const cells = matrix.flatMap((row, r) =>
    row.map((v, c) => {
      const a = Math.sqrt(v / max);
      return `<rect x="${(PAD.left + c * cw).toFixed(1)}" y="${(PAD.top + r * ch).toFixed(1)}" width="${(cw + 0.5).toFixed(1)}" height="${(ch + 0.5).toFixed(1)}" fill="rgba(20,90,160,${a.toFixed(3)})"><title>${escapeHtml(`${yLabel} ${rowLabels[r]}, ${xLabel} ${colLabels[c]}: ${fmt(v)}`)}</title></rect>`;
    }),
  );
  const every = (n: number) => Math.max(1, Math.ceil(n / 10));
  const rl = rowLabels.map((l, r) =>
    r % every(nr) === 0
      ? `<text x="${PAD.left - 6}" y="${(PAD.top + r * ch + ch / 2 + 4).toFixed(1)}" text-anchor="end">${escapeHtml(l)}</text>`
      : '',
  );
  const cl = colLabels.map((l, c) =>
    c % every(nc) === 0
      ? `<text x="${(PAD.left + c * cw + cw / 2).toFixed(1)}" y="${PAD.top + ih + 16}" text-anchor="middle">${escapeHtml(l)}</text>`
      : '',
  );
  const labels = `<text x="14" y="${PAD.top + ih / 2}" transform="rotate(-90 14 ${PAD.top + ih / 2})" text-anchor="middle">${escapeHtml(yLabel)}</text><text x="${(W + PAD.left) / 2}" y="${H - 8}" text-anchor="middle">${escapeHtml(xLabel)}</text>`;
  return svg(text.title, `${cells.join('')}${rl.join('')}${cl.join('')}${labels}`);
}

function svg(title: string, body: string): string {
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-size="11" role="img" aria-label="${escapeHtml(title)}">${body}</svg></figure>`;
}
