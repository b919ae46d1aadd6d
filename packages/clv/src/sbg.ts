/**
 * Shifted-beta-geometric model for subscriptions (Fader & Hardie 2007, "How to project customer
 * retention"). Each period a subscriber cancels with probability θ ~ Beta(α, β); the retention
 * rate rises over time as the high-churn subscribers leave.
 *
 * @example
 * // ¥3,000 a month, expected 36 paid months: ¥108,000.
 * subscriptionLtv({ pricePerPeriod: 3000, expectedPeriods: 36 });
 */
import { ClvError } from './errors.ts';
import { type FitOptions, type FitResult, runFit } from './fit-result.ts';
import { numericGradient } from './optimise.ts';
import { betaln, hyp2f1 } from './special-more.ts';

export interface SbgParams {
  alpha: number;
  beta: number;
}

/**
 * Fit on a cohort's survivor counts: `alive[0]` subscribers at the start, `alive[t]` still
 * subscribed after t renewals. The last count is right-censored.
 */
export function fitSbg(alive: readonly number[], options: FitOptions = {}): FitResult<SbgParams> {
  if (alive.length < 3)
    throw new ClvError('too_few_customers', 'sBG needs survivor counts for at least 2 periods');
  alive.forEach((v, t) => {
    if (!(Number.isFinite(v) && v >= 0)) {
      throw new ClvError('invalid_input', `alive[${t}] is not a non-negative number (${v})`, {
        field: 'alive',
        row: t,
      });
    }
    if (t > 0 && v > alive[t - 1]!) {
      throw new ClvError('invalid_input', `alive[${t}] (${v}) exceeds alive[${t - 1}] (${alive[t - 1]})`, {
        field: 'alive',
        row: t,
      });
    }
  });
  const n = alive[0]!;
  if (n <= 0) throw new ClvError('too_few_customers', 'alive[0] must be positive');
  const f = (theta: Float64Array) => {
    const p = { alpha: theta[0]!, beta: theta[1]! };
    let ll = 0;
    for (let t = 1; t < alive.length; t++) {
      const lost = alive[t - 1]! - alive[t]!;
      if (lost > 0) ll += lost * Math.log(sbgChurnProbability(p, t));
    }
    ll += alive[alive.length - 1]! * Math.log(sbgSurvival(p, alive.length - 1));
    return -ll / n;
  };
  return runFit<SbgParams>('sbg', ['alpha', 'beta'], numericGradient(f), [1, 1], n, alive.length, options);
}

/** P(T = t): the subscriber cancels in period t (t ≥ 1). */
export function sbgChurnProbability(p: SbgParams, t: number): number {
  return Math.exp(betaln(p.alpha + 1, p.beta + t - 1) - betaln(p.alpha, p.beta));
}

/** S(t): still subscribed after t periods. */
export function sbgSurvival(p: SbgParams, t: number): number {
  return Math.exp(betaln(p.alpha, p.beta + t) - betaln(p.alpha, p.beta));
}

/** Retention curve r_t = S(t)/S(t−1) = (β + t − 1)/(α + β + t − 1) for t = 1..periods. */
export function sbgRetentionCurve(p: SbgParams, periods: number): Float64Array {
  return Float64Array.from({ length: periods }, (_, i) => (p.beta + i) / (p.alpha + p.beta + i));
}

export interface LifetimeOptions {
  /** Discount rate per period (0.01 = 1 % a period). */
  discountRate?: number;
  /** Count at most this many periods. */
  horizon?: number;
}

/**
 * Expected paid periods Σ_{t≥0} S(t)/(1+d)^t, counting the current one. Undiscounted and unbounded
 * it is (α+β−1)/(α−1), which is infinite for α ≤ 1; that case throws rather than return Infinity.
 */
export function sbgExpectedLifetime(p: SbgParams, options: LifetimeOptions = {}): number {
  const d = options.discountRate ?? 0;
  if (!(d >= 0))
    throw new ClvError('invalid_input', `discountRate must be ≥ 0 (got ${d})`, { field: 'discountRate' });
  if (options.horizon !== undefined) {
    let sum = 0;
    let s = 1;
    for (let t = 0; t < options.horizon; t++) {
      sum += s / (1 + d) ** t;
      s *= (p.beta + t) / (p.alpha + p.beta + t);
    }
    return sum;
  }
  if (d > 0) return hyp2f1(1, p.beta, p.alpha + p.beta, 1 / (1 + d));
  if (!(p.alpha > 1)) {
    throw new ClvError(
      'infinite_value',
      `alpha = ${p.alpha} ≤ 1: the expected lifetime is infinite; give a horizon or a discount rate`,
      {
        field: 'alpha',
      },
    );
  }
  return (p.alpha + p.beta - 1) / (p.alpha - 1);
}

/** Subscription LTV: the price per period times the expected paid periods. */
export function subscriptionLtv(input: { pricePerPeriod: number; expectedPeriods: number }): number {
  return input.pricePerPeriod * input.expectedPeriods;
}

/**
 * Subscribers tallied by what was seen of them, for the pooled fit. `lost[L]`: paid L periods
 * (L ≥ 1) and then cancelled. `active[L]`: paid L periods and still subscribed when the data ends
 * (right-censored). Index 0 of both is unused.
 */
export interface SbgTenures {
  lost: readonly number[];
  active: readonly number[];
}

/**
 * Fit on subscribers from many cohorts at once, each censored where its own data ends: the
 * log-likelihood is Σ lost[L]·ln P(T = L) + Σ active[L]·ln S(L − 1). This is the multi-cohort
 * likelihood of Fader & Hardie (2007, §5): a cohort's survivor counts are exactly these tallies
 * with every survivor censored at the cohort's last period, so cohorts that started at different
 * times pool without being cut to the shortest one.
 *
 * @example
 * // 1,000 subscribers: 131 left after their first period, 126 after their second, …
 * fitSbgTenures({ lost: [0, 131, 126, 90], active: [0, 0, 0, 0, 653] });
 */
export function fitSbgTenures(data: SbgTenures, options: FitOptions = {}): FitResult<SbgParams> {
  const check = (values: readonly number[], field: string) =>
    values.forEach((v, t) => {
      if (!(Number.isFinite(v) && v >= 0))
        throw new ClvError('invalid_input', `${field}[${t}] is not a non-negative number (${v})`, {
          field,
          row: t,
        });
    });
  check(data.lost, 'lost');
  check(data.active, 'active');
  const n = [...data.lost.slice(1), ...data.active.slice(1)].reduce((s, v) => s + v, 0);
  if (n <= 0) throw new ClvError('too_few_customers', 'sBG needs at least one subscriber');
  const f = (theta: Float64Array) => {
    const p = { alpha: theta[0]!, beta: theta[1]! };
    let ll = 0;
    for (let t = 1; t < data.lost.length; t++)
      if (data.lost[t]! > 0) ll += data.lost[t]! * Math.log(sbgChurnProbability(p, t));
    for (let t = 2; t < data.active.length; t++)
      if (data.active[t]! > 0) ll += data.active[t]! * Math.log(sbgSurvival(p, t - 1));
    return -ll / n;
  };
  const rows = Math.max(data.lost.length, data.active.length);
  return runFit<SbgParams>('sbg', ['alpha', 'beta'], numericGradient(f), [1, 1], n, rows, options);
}
