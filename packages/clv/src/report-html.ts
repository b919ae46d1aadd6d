/**
 * The self-contained HTML report `kizuna clv report` writes: written for a shop owner first,
 * with the model details at the end. No scripts, no network: inline CSS and SVG only, and fonts
 * named from the reader's own system (no web fonts). Every word comes from `report-messages.ts`.
 */

import type { ReportLang } from './cli-args.ts';
import { predictByName } from './cli-models.ts';
import type { CliInput, CustomerPredictions } from './cli-predict.ts';
import { type ReportMessages, reportMessages } from './report-messages.ts';
import { barChart, chartNumber, escapeHtml, heatmap, histogram } from './svg-charts.ts';

const BLUE = '#1f6fb2';
const ORANGE = '#e07b24';
const TOP_CUSTOMERS = 15;

export function buildReport(input: CliInput, p: CustomerPredictions, lang: ReportLang = 'ja'): string {
  const m = reportMessages(lang);
  const s = input.summary;
  const n = s.x.length;
  const weight = (i: number) => (s.weight ? s.weight[i]! : 1);
  let customers = 0;
  let repeat = 0;
  let active = 0;
  let expected = 0;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const w = weight(i);
    customers += w;
    if (s.x[i]! > 0) repeat += w;
    if (p.pAlive[i]! > 0.5) active += w;
    expected += w * p.expectedPurchases[i]!;
    if (p.clv) value += w * p.clv[i]!;
  }
  const g = m.glance;
  const sections: string[] = [];
  sections.push(`<section><h2>${g.heading}</h2><ul>
<li>${g.customers(customers, repeat, repeat / customers)}</li>
<li>${g.active(active, active / customers)}</li>
<li>${g.expected(p.horizon, expected)}</li>
${p.clv ? `<li>${g.value(value, value / customers)}</li>` : ''}
</ul></section>`);
  if (input.holdout && p.holdoutPredicted) sections.push(holdoutSection(input, p, weight, m));
  const fmt = chartNumber(m.locale);
  const counts = { countName: m.customersSeries, lo: 0 };
  sections.push(
    `<section><h2>${m.alive.heading}</h2><p>${m.alive.text}</p>${histogram(
      { title: m.alive.chartTitle, xLabel: m.alive.xLabel, yLabel: m.customersAxis, fmt },
      p.pAlive,
      { ...counts, hi: 1, bins: 10, color: BLUE },
    )}</section>`,
  );
  if (p.clv) {
    const sorted = Float64Array.from(p.clv).sort();
    const hi = sorted[Math.floor(0.99 * (sorted.length - 1))]! || 1;
    sections.push(
      `<section><h2>${m.worth.heading}</h2><p>${m.worth.text(p.horizon, hi)}</p>${histogram(
        { title: m.worth.chartTitle, xLabel: m.worth.xLabel, yLabel: m.customersAxis, fmt },
        p.clv,
        { ...counts, hi, bins: 20, color: ORANGE },
      )}</section>`,
    );
  }
  sections.push(matrixSection(input, p, m));
  sections.push(topCustomers(input, p, m));
  sections.push(modelSection(p, m));
  const source = m.source({
    source: escapeHtml(input.source),
    calibrationEnd: input.calibrationEnd,
    holdoutEnd: input.holdoutEnd,
    models: escapeHtml(m.models(p.model, p.spendFit !== undefined)),
  });
  return `<!doctype html><html lang="${m.htmlLang}"><head><meta charset="utf-8"><title>${escapeHtml(m.title)}</title>
<style>${css(m)}</style>
</head><body><h1>${escapeHtml(m.heading)}</h1><p>${source}</p>
${sections.join('\n')}</body></html>
`;
}

/** Japanese text wraps anywhere, so long figure captions and paragraphs need no hyphenation. */
function css(m: ReportMessages): string {
  return `body{font-family:${m.fontFamily};line-height:1.6;max-width:760px;margin:2em auto;padding:0 1em;color:#222}h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}figure{margin:1em 0}figcaption{font-weight:600;margin-bottom:.3em}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #eee}th:first-child,td:first-child{text-align:left}`;
}

function holdoutSection(
  input: CliInput,
  p: CustomerPredictions,
  weight: (i: number) => number,
  m: ReportMessages,
): string {
  const s = input.summary;
  const groups = 8;
  const actual = new Array<number>(groups).fill(0);
  const predicted = new Array<number>(groups).fill(0);
  const count = new Array<number>(groups).fill(0);
  let ta = 0;
  let tp = 0;
  for (let i = 0; i < s.x.length; i++) {
    const g = Math.min(groups - 1, s.x[i]!);
    const w = weight(i);
    actual[g]! += w * input.holdout!.x[i]!;
    predicted[g]! += w * p.holdoutPredicted![i]!;
    count[g]! += w;
    ta += w * input.holdout!.x[i]!;
    tp += w * p.holdoutPredicted![i]!;
  }
  const cats = actual.map((_, g) => (g === groups - 1 ? `${g}+` : String(g)));
  const mean = (a: number[]) => a.map((v, g) => (count[g]! > 0 ? v / count[g]! : 0));
  const h = m.holdout;
  return `<section><h2>${h.heading}</h2><p>${h.text(Math.round(ta), Math.round(tp))}</p>${barChart(
    { title: h.chartTitle, yLabel: h.yLabel, xLabel: h.xLabel, fmt: chartNumber(m.locale) },
    cats,
    [
      { name: h.actual, values: mean(actual), color: BLUE },
      { name: h.predicted, values: mean(predicted), color: ORANGE },
    ],
  )}</section>`;
}

function matrixSection(input: CliInput, p: CustomerPredictions, m: ReportMessages): string {
  const s = input.summary;
  let maxT = 0;
  let maxX = 0;
  for (let i = 0; i < s.x.length; i++) {
    maxT = Math.max(maxT, s.T[i]!);
    maxX = Math.max(maxX, s.x[i]!);
  }
  const xs = Array.from({ length: Math.min(maxX, 30) + 1 }, (_, i) => Math.min(maxX, 30) - i);
  const cols = 24;
  const discrete = p.model === 'bgbb';
  const ts = Array.from({ length: discrete ? maxT + 1 : cols }, (_, c) =>
    discrete ? c : (maxT * (c + 0.5)) / cols,
  );
  const rows = xs.length * ts.length;
  const grid = {
    x: new Float64Array(rows),
    tx: new Float64Array(rows),
    T: new Float64Array(rows).fill(maxT),
  };
  for (let r = 0; r < xs.length; r++) {
    const x = xs[r]!;
    for (let c = 0; c < ts.length; c++) {
      const k = r * ts.length + c;
      grid.x[k] = x;
      // x = 0 means no repeat purchase, so t_x = 0 whatever the column; BG/BB needs x ≤ t_x.
      grid.tx[k] = x === 0 ? 0 : discrete ? Math.max(ts[c]!, x) : ts[c]!;
    }
  }
  const e = predictByName(p.model, p.fit.params, grid, p.t).expectedPurchases;
  const matrix = xs.map((_, r) => ts.map((_, c) => e[r * ts.length + c]!));
  const text = m.matrix;
  return `<section><h2>${text.heading}</h2><p>${text.text(p.horizon, maxT, input.unit)}</p>${heatmap(
    {
      title: text.chartTitle,
      yLabel: text.yLabel,
      xLabel: text.xLabel(input.unit),
      fmt: chartNumber(m.locale),
    },
    matrix,
    xs.map(String),
    ts.map((t) => m.format.fixed(t, discrete ? 0 : 1)),
  )}</section>`;
}

function topCustomers(input: CliInput, p: CustomerPredictions, m: ReportMessages): string {
  const key = p.clv ?? p.expectedPurchases;
  const order = Array.from(key.keys())
    .sort((a, b) => key[b]! - key[a]!)
    .slice(0, TOP_CUSTOMERS);
  const f = m.format;
  const rows = order.map(
    (i) =>
      `<tr><td>${escapeHtml(input.ids?.[i] ?? String(i + 1))}</td><td>${f.plain(input.summary.x[i]!)}</td><td>${f.fixed(p.pAlive[i]!, 2)}</td><td>${f.fixed(p.expectedPurchases[i]!, 2)}</td>${p.clv ? `<td>${f.fixed(p.clv[i]!, 2)}</td>` : ''}</tr>`,
  );
  const t = m.top;
  const head = [t.customer, t.x, t.pAlive, t.expected, ...(p.clv ? [t.clv] : [])];
  return `<section><h2>${escapeHtml(t.heading(order.length, p.clv !== undefined))}</h2><table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.join('')}</table></section>`;
}

function modelSection(p: CustomerPredictions, m: ReportMessages): string {
  const fits = [p.fit, ...(p.spendFit ? [p.spendFit] : [])];
  const t = m.model;
  const f = m.format;
  const blocks = fits.map((fit) => {
    const se = fit.standardErrors as Record<string, number>;
    const rows = Object.entries(fit.params).map(
      ([k, v]) => `<tr><td>${k}</td><td>${f.fixed(v, 4)}</td><td>${standardError(se[k], m)}</td></tr>`,
    );
    // The CLI never fits sBG (subscriptions have no report); the check narrows the name.
    const title = fit.model === 'sbg' ? 'sBG' : t.title(fit.model);
    const line = t.fitLine(
      fit.logLikelihood,
      fit.n,
      fit.diagnostics.converged,
      escapeHtml(fit.diagnostics.message),
    );
    return `<h3>${escapeHtml(title)}</h3><table><tr><th>${t.parameter}</th><th>${t.estimate}</th><th>${t.stdError}</th></tr>${rows.join('')}</table><p>${line}</p>`;
  });
  const warn = p.warnings.map((w) => `<p>${t.warning(w, escapeHtml(w.detail))}</p>`).join('');
  return `<section><h2>${t.heading}</h2>${warn}${blocks.join('')}</section>`;
}

/** A standard error the Hessian could not give (not finite) shows as a dash, not "NaN". */
function standardError(v: number | undefined, m: ReportMessages): string {
  return v !== undefined && Number.isFinite(v) ? m.format.fixed(v, 4) : '–';
}
