/**
 * The CLV refit: RFM summary in SQL → purchase model (BG/NBD, else Pareto/NBD, else historical)
 * and Gamma-Gamma spend → per-customer predictions stored with the model's id (its version),
 * replacing the previous ones in one transaction. Before the production fit, the same model is
 * fitted on a calibration period and checked against the holdout that follows; that quality is
 * stored with the fit.
 */
import { customerLifetimeValue, type RfmSummary } from '@kizuna/clv';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import './analytics-tables.ts';
import { jstDay } from '../shared/japan-time.ts';
import { fitPurchaseModel, fitSpendModel } from './clv-models.ts';
import { buildClvSummary, type ClvSummary } from './clv-summary.ts';
import { copyPredictionsToStats } from './customer-stats.ts';

const DAY = 86_400_000;
const HOLDOUT_DAYS = 90;
/** Monthly discount rate of the stored predicted CLV (about 12.7% a year). */
const MONTHLY_DISCOUNT = 0.01;

export interface RefitResult {
  modelId: number;
  model: string;
  fallbackReason: string | null;
  customers: number;
  quality: Record<string, unknown>;
  forecast: { days30: number; days90: number; days365: number };
  timings: Record<string, number>;
}

/** Fits on the calibration part of the summary and compares with the holdout purchases. */
function holdoutQuality(s: ClvSummary, holdoutDays: number): Record<string, unknown> {
  const keep: number[] = [];
  for (let i = 0; i < s.TCal.length; i++) if (s.TCal[i]! > 0) keep.push(i);
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]!);
  const cal: RfmSummary = { x: pick(s.xCal), tx: pick(s.txCal), T: pick(s.TCal) };
  const model = fitPurchaseModel(cal);
  const predicted = model.expectedPurchases(holdoutDays);
  let sumPredicted = 0;
  let sumActual = 0;
  let absError = 0;
  const byX = new Map<number, { customers: number; predicted: number; actual: number }>();
  for (let j = 0; j < keep.length; j++) {
    const actual = s.holdout[keep[j]!]!;
    sumPredicted += predicted[j]!;
    sumActual += actual;
    absError += Math.abs(predicted[j]! - actual);
    const bucket = Math.min(cal.x[j]!, 7);
    const b = byX.get(bucket) ?? { customers: 0, predicted: 0, actual: 0 };
    b.customers++;
    b.predicted += predicted[j]!;
    b.actual += actual;
    byX.set(bucket, b);
  }
  return {
    holdoutDays,
    model: model.model,
    fallbackReason: model.fallbackReason,
    customers: keep.length,
    predictedPurchases: sumPredicted,
    actualPurchases: sumActual,
    ratio: sumActual > 0 ? sumPredicted / sumActual : null,
    meanAbsoluteError: keep.length ? absError / keep.length : null,
    // Calibration-period repeat purchases (7 = 7 or more) vs mean holdout purchases, predicted and actual.
    byCalibrationFrequency: [...byX.entries()]
      .sort(([a], [b]) => a - b)
      .map(([x, b]) => ({
        x,
        customers: b.customers,
        predicted: b.predicted / b.customers,
        actual: b.actual / b.customers,
      })),
  };
}

/** Percentile (0-100) of each value among all values; ties share the lowest rank. */
function percentiles(values: Float64Array): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const out = new Float64Array(n);
  let rank = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0 && values[order[k]!]! !== values[order[k - 1]!]!) rank = k;
    out[order[k]!] = n > 1 ? (rank / (n - 1)) * 100 : 100;
  }
  return out;
}

/**
 * Refits the workspace's CLV model as of `now` and replaces its predictions.
 *
 * @example
 * const result = await refitClv(db, workspaceId);
 * // result.model === 'bgnbd+gg', result.quality.ratio ≈ 1 on well-behaved data
 */
export async function refitClv(
  db: Kysely<DB>,
  workspaceId: string,
  now = new Date(),
  options: { onPhase?: (phase: string, ms: number) => void } = {},
): Promise<RefitResult> {
  const timings: Record<string, number> = {};
  let mark = Date.now();
  const lap = (name: string) => {
    timings[name] = Date.now() - mark;
    options.onPhase?.(name, timings[name]);
    mark = Date.now();
  };
  const calibrationEnd = jstDay(new Date(now.getTime() - HOLDOUT_DAYS * DAY));
  const s = await buildClvSummary(db, workspaceId, now, calibrationEnd);
  lap('summaryMs');
  const quality = holdoutQuality(s, HOLDOUT_DAYS);
  lap('holdoutMs');
  const summary: RfmSummary = { x: s.x, tx: s.tx, T: s.T, monetary: s.monetary };
  const purchases = fitPurchaseModel(summary);
  const spend = fitSpendModel(summary, s.meanSpend);
  lap('fitMs');
  const pAlive = purchases.pAlive();
  const e30 = purchases.expectedPurchases(30);
  const e90 = purchases.expectedPurchases(90);
  const e365 = purchases.expectedPurchases(365);
  const clv = customerLifetimeValue((t) => purchases.expectedPurchases(t), spend.spend, {
    dataUnit: 'day',
    horizon: { length: 12, unit: 'month' },
    discount: { rate: MONTHLY_DISCOUNT, per: 'month' },
  });
  const pct = percentiles(clv);
  const forecast = { days30: 0, days90: 0, days365: 0 };
  for (let i = 0; i < e30.length; i++) {
    forecast.days30 += e30[i]! * spend.spend[i]!;
    forecast.days90 += e90[i]! * spend.spend[i]!;
    forecast.days365 += e365[i]! * spend.spend[i]!;
  }
  // Stored and returned as integer yen; the sums are kept unrounded until here.
  forecast.days30 = Math.round(forecast.days30);
  forecast.days90 = Math.round(forecast.days90);
  forecast.days365 = Math.round(forecast.days365);
  lap('predictMs');
  const model = `${purchases.model}+${spend.model}`;
  const fallbackReason = [purchases.fallbackReason, spend.fallbackReason].filter(Boolean).join('; ') || null;
  const modelId = await transact(db, async (tx) => {
    const row = await tx
      .insertInto('clv_model')
      .values({
        workspace_id: workspaceId,
        model,
        fallback_reason: fallbackReason,
        params: JSON.stringify({ purchases: purchases.params, spend: spend.params }),
        quality: JSON.stringify(quality),
        forecast: JSON.stringify(forecast),
        customers: s.x.length,
        calibration_end: now,
        timings: JSON.stringify(timings),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.deleteFrom('clv_prediction').where('workspace_id', '=', workspaceId).execute();
    const batch = 20_000;
    for (let start = 0; start < s.x.length; start += batch) {
      const end = Math.min(start + batch, s.x.length);
      const col = (a: Float64Array | undefined) => (a ? Array.from(a.subarray(start, end)) : null);
      await sql`insert into clv_prediction (workspace_id, customer_id, model_id, p_alive,
          expected_purchases_30d, expected_purchases_90d, expected_purchases_365d, expected_spend,
          predicted_clv, clv_percentile)
        select ${workspaceId}::uuid, c, ${row.id}::bigint, a, e30, e90, e365, sp, v, pc
        from unnest(${col(s.customerId)}::bigint[], ${pAlive ? col(pAlive) : Array(end - start).fill(null)}::float8[],
          ${col(e30)}::float8[], ${col(e90)}::float8[], ${col(e365)}::float8[], ${col(spend.spend)}::float8[],
          ${col(clv)}::float8[], ${col(pct)}::float8[]) as u(c, a, e30, e90, e365, sp, v, pc)`.execute(tx);
    }
    return row.id;
  });
  lap('storeMs');
  await copyPredictionsToStats(db, workspaceId);
  lap('statsCopyMs');
  await db
    .updateTable('clv_model')
    .set({ timings: JSON.stringify(timings) })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', modelId)
    .execute();
  return { modelId, model, fallbackReason, customers: s.x.length, quality, forecast, timings };
}
