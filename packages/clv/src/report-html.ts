/**
 * The self-contained HTML report `kizuna clv report` writes: written for a shop owner first,
 * with the model details at the end. No scripts, no network: inline CSS and SVG only.
 */

import { MODEL_TITLES, predictByName } from './cli-models.ts';
import type { CliInput, CustomerPredictions } from './cli-predict.ts';
import { barChart, escapeHtml, heatmap, histogram } from './svg-charts.ts';

const BLUE = '#1f6fb2';
const ORANGE = '#e07b24';

export function buildReport(input: CliInput, p: CustomerPredictions): string {
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
  const pct = (a: number) => `${((100 * a) / customers).toFixed(1)}%`;
  const num = (v: number, d = 0) =>
    v.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
  const sections: string[] = [];
  sections.push(`<section><h2>At a glance</h2><ul>
<li><b>${num(customers)}</b> customers, of whom <b>${num(repeat)}</b> (${pct(repeat)}) have bought again after their first purchase.</li>
<li><b>${num(active)}</b> (${pct(active)}) are more likely than not still active (P(alive) &gt; 0.5).</li>
<li>Expected repeat purchases over the next ${escapeHtml(p.horizonLabel)}: <b>${num(expected)}</b>.</li>
${p.clv ? `<li>Expected value of those purchases, discounted: <b>${num(value)}</b> (mean ${num(value / customers, 2)} per customer).</li>` : ''}
</ul></section>`);
  if (input.holdout && p.holdoutPredicted) sections.push(holdoutSection(input, p, weight));
  sections.push(
    `<section><h2>Who is still active?</h2><p>P(alive) is the chance that a customer has not silently left. Customers near 0 have likely gone; a reminder is cheaper than a coupon for those near 1.</p>${histogram('Customers by P(alive)', p.pAlive, 0, 1, 10, 'P(alive)', BLUE)}</section>`,
  );
  if (p.clv) {
    const sorted = Float64Array.from(p.clv).sort();
    const hi = sorted[Math.floor(0.99 * (sorted.length - 1))]! || 1;
    sections.push(
      `<section><h2>What customers are worth</h2><p>Discounted expected spend over the next ${escapeHtml(p.horizonLabel)}. The top 1% (above ${num(hi, 2)}) are in the last bar.</p>${histogram('Customers by expected value (CLV)', p.clv, 0, hi, 20, 'CLV', ORANGE)}</section>`,
    );
  }
  sections.push(matrixSection(input, p));
  sections.push(topCustomers(input, p));
  sections.push(modelSection(input, p));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kizuna CLV report</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;padding:0 1em;color:#222}h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}figure{margin:1em 0}figcaption{font-weight:600;margin-bottom:.3em}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #eee}th:first-child,td:first-child{text-align:left}</style>
</head><body><h1>Customer lifetime value report</h1><p>Source: ${escapeHtml(input.source)}${input.calibrationEnd ? `, calibration up to ${input.calibrationEnd}` : ''}${input.holdoutEnd ? `, holdout to ${input.holdoutEnd}` : ''}. Model: ${MODEL_TITLES[p.model]}${p.spendFit ? ' with Gamma-Gamma spend' : ''}.</p>
${sections.join('\n')}</body></html>
`;
}

function holdoutSection(input: CliInput, p: CustomerPredictions, weight: (i: number) => number): string {
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
  return `<section><h2>Did the model predict the holdout period?</h2><p>Over the holdout period customers made <b>${Math.round(ta).toLocaleString('en')}</b> repeat purchases; the model, fitted only on the calibration period, expected <b>${Math.round(tp).toLocaleString('en')}</b> (${((100 * (tp - ta)) / ta).toFixed(1)}%).</p>${barChart(
    'Mean holdout purchases per customer, by calibration repeat purchases',
    cats,
    [
      { name: 'actual', values: mean(actual), color: BLUE },
      { name: 'predicted', values: mean(predicted), color: ORANGE },
    ],
    'purchases per customer',
    'repeat purchases in calibration (x)',
  )}</section>`;
}

function matrixSection(input: CliInput, p: CustomerPredictions): string {
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
  return `<section><h2>Frequency and recency</h2><p>Expected purchases over the next ${escapeHtml(p.horizonLabel)} for a customer who has been with you for ${maxT.toFixed(1)} ${input.unit ?? 'units'}, by how often (x) and how recently (t_x) they bought. Frequent buyers who have gone quiet (top left) are the ones to win back.</p>${heatmap(
    'Expected purchases by frequency and recency',
    matrix,
    xs.map(String),
    ts.map((t) => t.toFixed(discrete ? 0 : 1)),
    'repeat purchases (x)',
    `time of last purchase, t_x (${input.unit ?? 'units'})`,
  )}</section>`;
}

function topCustomers(input: CliInput, p: CustomerPredictions): string {
  const key = p.clv ?? p.expectedPurchases;
  const order = Array.from(key.keys())
    .sort((a, b) => key[b]! - key[a]!)
    .slice(0, 15);
  const rows = order.map(
    (i) =>
      `<tr><td>${escapeHtml(input.ids?.[i] ?? String(i + 1))}</td><td>${input.summary.x[i]}</td><td>${p.pAlive[i]!.toFixed(2)}</td><td>${p.expectedPurchases[i]!.toFixed(2)}</td>${p.clv ? `<td>${p.clv[i]!.toFixed(2)}</td>` : ''}</tr>`,
  );
  return `<section><h2>Top customers</h2><table><tr><th>customer</th><th>x</th><th>P(alive)</th><th>expected purchases</th>${p.clv ? '<th>CLV</th>' : ''}</tr>${rows.join('')}</table></section>`;
}

function modelSection(_input: CliInput, p: CustomerPredictions): string {
  const fits = [p.fit, ...(p.spendFit ? [p.spendFit] : [])];
  const blocks = fits.map((f) => {
    const se = f.standardErrors as Record<string, number>;
    const rows = Object.entries(f.params).map(
      ([k, v]) => `<tr><td>${k}</td><td>${v.toFixed(4)}</td><td>${se[k]!.toFixed(4)}</td></tr>`,
    );
    return `<h3>${escapeHtml(MODEL_TITLES[f.model as keyof typeof MODEL_TITLES] ?? f.model)}</h3><table><tr><th>parameter</th><th>estimate</th><th>std. error</th></tr>${rows.join('')}</table><p>Log-likelihood ${f.logLikelihood.toFixed(2)} on ${f.n.toLocaleString('en')} customers; ${f.diagnostics.converged ? 'converged' : '<b>did not converge</b>'} (${escapeHtml(f.diagnostics.message)}).</p>`;
  });
  const warn = p.warnings.map((w) => `<p><b>Warning:</b> ${escapeHtml(w)}</p>`).join('');
  return `<section><h2>Model details</h2>${warn}${blocks.join('')}</section>`;
}
