/** The per-customer predictions shared by predict and report. */
export type { CliInput } from './cli-input.ts';

import { oneOf, positiveNumber } from './cli-args.ts';
import type { CliInput } from './cli-input.ts';
import { type AnyFit, fitByName, type PurchaseModel, predictByName } from './cli-models.ts';
import { type CalendarUnit, customerLifetimeValue, DAYS_PER_CALENDAR_UNIT } from './clv.ts';
import { assertUnreachable, ClvError } from './errors.ts';
import { gammaGammaConditionalExpectedSpend } from './gamma-gamma.ts';
import type { RfmSummary } from './summary.ts';
import { DAYS_PER_UNIT } from './transactions.ts';

const CALENDAR = ['day', 'week', 'month', 'year'] as const;

export interface CustomerPredictions {
  model: PurchaseModel;
  fit: AnyFit;
  spendFit: AnyFit | undefined;
  /** The prediction window, in the summary's unit (periods for BG/BB), and as asked for. */
  t: number;
  horizon: Horizon;
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  expectedSpend: Float64Array | undefined;
  clv: Float64Array | undefined;
  holdoutPredicted: Float64Array | undefined;
  warnings: PredictionWarning[];
}

/** The window as the user gave it: `--horizon N --horizon-unit U`, or N periods for BG/BB. */
export interface Horizon {
  length: number;
  unit: CalendarUnit | 'period';
}

/** What went wrong but still left predictions to show; the report words these per language. */
export type PredictionWarning =
  | { code: 'not_converged'; model: PurchaseModel; detail: string }
  | { code: 'no_spend_model'; detail: string };

/** The English line `kizuna clv` prints on stderr for a warning. */
export function warningText(w: PredictionWarning): string {
  switch (w.code) {
    case 'not_converged':
      return `${w.model} did not converge: ${w.detail}`;
    case 'no_spend_model':
      return `no spend model: ${w.detail}`;
    default:
      return assertUnreachable(w);
  }
}

export function predictCustomers(
  flags: Map<string, string>,
  input: CliInput,
  maxIterations: number,
): CustomerPredictions {
  const model = oneOf(flags, 'model', ['bgnbd', 'mbgnbd', 'pareto', 'bgbb'] as const, 'bgnbd');
  const s = input.summary;
  const unit = input.unit ?? 'day';
  const warnings: PredictionWarning[] = [];
  const fit = fitByName(model, s, { maxIterations });
  if (!fit.diagnostics.converged)
    warnings.push({ code: 'not_converged', model, detail: fit.diagnostics.message });
  let t: number;
  let horizon: Horizon;
  if (model === 'bgbb') {
    t = positiveNumber(flags, 'horizon', 5);
    horizon = { length: t, unit: 'period' };
  } else {
    const hu: CalendarUnit = oneOf(flags, 'horizon-unit', CALENDAR, 'year');
    const h = positiveNumber(flags, 'horizon', 1);
    t = (h * DAYS_PER_CALENDAR_UNIT[hu]) / DAYS_PER_UNIT[unit];
    horizon = { length: h, unit: hu };
  }
  const { pAlive, expectedPurchases } = predictByName(model, fit.params, s, t);
  let spendFit: AnyFit | undefined;
  let expectedSpend: Float64Array | undefined;
  let clv: Float64Array | undefined;
  if (s.monetary) {
    try {
      spendFit = fitByName('gg', s, { maxIterations });
      const gg = { p: spendFit.params.p!, q: spendFit.params.q!, gamma: spendFit.params.gamma! };
      const m = s.monetary;
      expectedSpend = Float64Array.from(s.x, (x, i) => gammaGammaConditionalExpectedSpend(gg, x, m[i]!));
    } catch (e) {
      if (!(e instanceof ClvError)) throw e;
      warnings.push({ code: 'no_spend_model', detail: e.message });
    }
  }
  if (expectedSpend && model !== 'bgbb') {
    const per: CalendarUnit = oneOf(flags, 'discount-per', CALENDAR, 'month');
    const rate = positiveNumber(flags, 'discount-rate', 0.01, true);
    const h = (t * DAYS_PER_UNIT[unit]) / DAYS_PER_CALENDAR_UNIT.day;
    clv = customerLifetimeValue(
      (u) => predictByName(model, fit.params, s, u).expectedPurchases,
      expectedSpend,
      {
        dataUnit: unit,
        horizon: { length: h, unit: 'day' },
        discount: { rate, per },
      },
    );
  }
  let holdoutPredicted: Float64Array | undefined;
  if (input.holdout) {
    const d = input.holdout.duration;
    const same = d.every((v) => v === d[0]);
    holdoutPredicted = same
      ? predictByName(model, fit.params, s, d[0]!).expectedPurchases
      : Float64Array.from(
          d,
          (v, i) => predictByName(model, fit.params, oneRow(s, i), v).expectedPurchases[0]!,
        );
  }
  return {
    model,
    fit,
    spendFit,
    t,
    horizon,
    pAlive,
    expectedPurchases,
    expectedSpend,
    clv,
    holdoutPredicted,
    warnings,
  };
}

function oneRow(s: RfmSummary, i: number): RfmSummary {
  return { x: s.x.subarray(i, i + 1), tx: s.tx.subarray(i, i + 1), T: s.T.subarray(i, i + 1) };
}

export function predictionsCsv(input: CliInput, p: CustomerPredictions): string {
  const s = input.summary;
  const cols = ['id', 'frequency', 'recency', 'T', 'p_alive', 'expected_purchases'];
  if (p.expectedSpend) cols.push('expected_spend');
  if (p.clv) cols.push('clv');
  if (p.holdoutPredicted) cols.push('holdout_actual', 'holdout_predicted');
  const out: string[] = [cols.join(',')];
  const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(6));
  for (let i = 0; i < s.x.length; i++) {
    const row = [
      input.ids?.[i] ?? String(i + 1),
      f(s.x[i]!),
      f(s.tx[i]!),
      f(s.T[i]!),
      f(p.pAlive[i]!),
      f(p.expectedPurchases[i]!),
    ];
    if (p.expectedSpend) row.push(f(p.expectedSpend[i]!));
    if (p.clv) row.push(f(p.clv[i]!));
    if (p.holdoutPredicted) row.push(f(input.holdout!.x[i]!), f(p.holdoutPredicted[i]!));
    out.push(row.join(','));
  }
  return `${out.join('\n')}\n`;
}
