/**
 * Customer lifetime value: discounted expected future value over a horizon, and historical LTV.
 *
 * Every duration carries its unit. lifetimes' `customer_lifetime_value` takes `time` in months and
 * a monthly discount rate whatever the unit of the summary, and its documentation has mixed them up;
 * here the summary's unit, the horizon's unit and the discount rate's unit are all required, and
 * converted through days.
 */
import { ClvError } from './errors.ts';
import type { TimeUnit } from './summary.ts';

export type CalendarUnit = 'day' | 'week' | 'month' | 'year';

export const DAYS_PER_CALENDAR_UNIT: Record<CalendarUnit, number> = {
  day: 1,
  week: 7,
  month: 365.25 / 12,
  year: 365.25,
};

export interface ClvOptions {
  /** The unit of the summary's t_x and T, in which the model was fitted. */
  dataUnit: TimeUnit;
  /** How far ahead to value, e.g. { length: 12, unit: 'month' }. */
  horizon: { length: number; unit: CalendarUnit };
  /** Discount rate per period, e.g. { rate: 0.01, per: 'month' }. Cash flows are discounted per period. */
  discount: { rate: number; per: CalendarUnit };
}

/**
 * CLV_i = Σ_k spend_i (E_i[Y(t_k)] − E_i[Y(t_{k−1})]) / (1 + d)^k over the discount periods k
 * covering the horizon. `expectedPurchases(t)` returns E[Y(t) | x, t_x, T] per customer for t in
 * the data unit (e.g. `(t) => predictBgNbd(params, fit.index, t).expectedPurchases`); `spend` is
 * the expected spend per purchase (e.g. from Gamma-Gamma).
 *
 * @example
 * customerLifetimeValue((t) => predictBgNbd(p, ix, t).expectedPurchases, spend, {
 *   dataUnit: 'week', horizon: { length: 12, unit: 'month' }, discount: { rate: 0.01, per: 'month' },
 * });
 */
export function customerLifetimeValue(
  expectedPurchases: (t: number) => Float64Array,
  spend: Float64Array,
  options: ClvOptions,
): Float64Array {
  const { horizon, discount, dataUnit } = options;
  if (!(horizon.length > 0 && Number.isFinite(horizon.length))) {
    throw new ClvError('invalid_input', `horizon.length must be a positive number (got ${horizon.length})`, {
      field: 'horizon',
    });
  }
  if (!(discount.rate >= 0 && Number.isFinite(discount.rate))) {
    throw new ClvError('invalid_input', `discount.rate must be ≥ 0 (got ${discount.rate})`, {
      field: 'discount',
    });
  }
  const dataDays = dataUnit === 'day' ? 1 : 7;
  const periodDays = DAYS_PER_CALENDAR_UNIT[discount.per];
  const horizonDays = horizon.length * DAYS_PER_CALENDAR_UNIT[horizon.unit];
  const periods = Math.ceil(horizonDays / periodDays - 1e-9);
  const clv = new Float64Array(spend.length);
  let previous: Float64Array = new Float64Array(spend.length);
  for (let k = 1; k <= periods; k++) {
    const t = Math.min(k * periodDays, horizonDays) / dataDays;
    const current = expectedPurchases(t);
    const factor = 1 / (1 + discount.rate) ** k;
    for (let i = 0; i < clv.length; i++) clv[i]! += spend[i]! * (current[i]! - previous[i]!) * factor;
    previous = current;
  }
  return clv;
}

export interface HistoricalLtvRow {
  cohort: string;
  customers: number;
  orders: number;
  revenue: number;
  /** Average order value: revenue / orders. */
  aov: number;
  /** Orders per customer per year of lifespan. */
  purchaseFrequency: number;
  /** Mean years from first to last order (a one-order customer counts one day). */
  lifespanYears: number;
  /** aov × purchaseFrequency × lifespanYears (= revenue per customer). */
  ltv: number;
}

/**
 * Historical LTV per cohort: AOV × purchase frequency × lifespan. Orders are (customer, day,
 * amount) rows; `cohortOf(firstDay)` names a customer's cohort from their first order day.
 */
export function historicalLtv(
  orders: { customer: Uint32Array; day: Int32Array; amount: Float64Array; customerCount: number },
  cohortOf: (firstDay: number) => string,
): HistoricalLtvRow[] {
  const c = orders.customerCount;
  const first = new Int32Array(c).fill(2 ** 31 - 1);
  const last = new Int32Array(c).fill(-(2 ** 31));
  const count = new Float64Array(c);
  const revenue = new Float64Array(c);
  for (let i = 0; i < orders.customer.length; i++) {
    const k = orders.customer[i]!;
    const d = orders.day[i]!;
    if (d < first[k]!) first[k] = d;
    if (d > last[k]!) last[k] = d;
    count[k]!++;
    revenue[k]! += orders.amount[i]!;
  }
  const groups = new Map<
    string,
    { customers: number; orders: number; revenue: number; lifespanDays: number }
  >();
  for (let k = 0; k < c; k++) {
    if (count[k] === 0) continue;
    const name = cohortOf(first[k]!);
    const g = groups.get(name) ?? { customers: 0, orders: 0, revenue: 0, lifespanDays: 0 };
    g.customers++;
    g.orders += count[k]!;
    g.revenue += revenue[k]!;
    g.lifespanDays += last[k]! - first[k]! + 1;
    groups.set(name, g);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([cohort, g]) => {
      const lifespanYears = g.lifespanDays / g.customers / 365.25;
      const aov = g.revenue / g.orders;
      const purchaseFrequency = g.orders / g.customers / lifespanYears;
      return {
        cohort,
        customers: g.customers,
        orders: g.orders,
        revenue: g.revenue,
        aov,
        purchaseFrequency,
        lifespanYears,
        ltv: aov * purchaseFrequency * lifespanYears,
      };
    });
}
