/**
 * One measured run in its own process, so peak memory belongs to that run alone:
 *   node bench/clv/run.ts engine|baseline|baseline-fit FILE
 * Prints one JSON line: seconds (parse + BG/NBD fit + Gamma-Gamma fit + predictions for every
 * customer over 365 days; `baseline-fit`: parse and the two fits only, the work of `kizuna clv fit
 * --model bgnbd,gg`), parameters and peak RSS.
 */
import { readFileSync } from 'node:fs';
import { fitBgNbd, predictBgNbd } from '../../packages/clv/src/bg-nbd.ts';
import { fitGammaGamma, predictGammaGamma } from '../../packages/clv/src/gamma-gamma.ts';
import { parseSummaryCsv } from '../../packages/clv/src/summary-csv.ts';
import { runBaseline } from './baseline.ts';

const [mode, file] = process.argv.slice(2);
const HORIZON = 365;
const start = performance.now();
let out: Record<string, unknown>;
if (mode === 'engine') {
  const csv = parseSummaryCsv(readFileSync(file!), file!);
  const summary = { x: csv.x, tx: csv.tx, T: csv.T, monetary: csv.monetary };
  const bg = fitBgNbd(summary);
  const gg = fitGammaGamma(summary);
  const { pAlive, expectedPurchases } = predictBgNbd(bg.params, bg.index, HORIZON);
  const spend = predictGammaGamma(gg.params, summary);
  let check = 0;
  for (let i = 0; i < spend.length; i++) check += expectedPurchases[i]! * spend[i]! + 0 * pAlive[i]!;
  out = {
    bgnbd: bg.params,
    gg: gg.params,
    evaluations: bg.diagnostics.evaluations + gg.diagnostics.evaluations,
    check,
  };
} else if (mode === 'baseline' || mode === 'baseline-fit') {
  out = runBaseline(file!, mode === 'baseline' ? HORIZON : undefined);
} else {
  throw new Error(`mode must be engine, baseline or baseline-fit, got ${mode}`);
}
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ mode, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, ...out }));
