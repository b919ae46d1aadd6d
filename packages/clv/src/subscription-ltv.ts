/**
 * Subscription LTV per plan from a log of subscription payments (Kizuna's orders, or the CSV of
 * `kizuna clv subscriptions`): who paid which billing period, fitted with the sBG (sbg.ts).
 *
 * The rule, for each subscription:
 * - Its billing periods are counted from its first paid order, in Japan time: period k starts on
 *   the k-th anniversary day of that order (every N weeks, months or years; a start on the 31st
 *   renews on the last day of shorter months). An order's period is its `sequence` − 1 when the
 *   shop gave one, else the period its date falls in.
 * - Paid periods L = its last paid period + 1. A skipped period followed by a later payment is
 *   not a cancellation (the subscriber came back, or a charge ran a day early).
 * - It is **cancelled** when it has not paid a completed period (one that ended before `asOf`)
 *   after its last payment, or when an order after its last paid one is cancelled or refunded
 *   (the shop stopped or refunded the renewal; this shows at once, in the period in progress).
 *   Otherwise it is **active**.
 * - The fit sees every subscription up to the end of its last completed period c: one that paid
 *   all c is right-censored there (it survived c − 1 renewals), one that paid L < c is lost after
 *   L. Payments and stops in the period in progress do not enter the fit: only some of that
 *   period's cancellations show yet, and counting those would make the censoring depend on the
 *   outcome (it biased α by a fifth in a synthetic test).
 * - A subscription whose first order in the data is not its first period (sequence > 1) began
 *   before the data did. It counts in `subscribers` and `active`, but not in the fit: it is there
 *   only because it survived its earlier periods, and counting them would overstate retention.
 *
 * Subscriptions from every start period are pooled in one likelihood (fitSbgTenures), each
 * censored where its own data ends.
 */
import type { FitDiagnostics } from './optimise.ts';
import { fitSbgTenures, type SbgParams, sbgExpectedLifetime, sbgRetentionCurve, sbgSurvival } from './sbg.ts';

export type IntervalUnit = 'week' | 'month' | 'year';

export interface SubscriptionPayment {
  subscriptionId: string;
  plan: string;
  unit: IntervalUnit;
  /** Every this many units. */
  count: number;
  at: Date;
  /** The billing period the order pays, the first being 1, when known. */
  sequence: number | null;
  /** `paid` counts; `stopped` (a cancelled or refunded renewal) ends the subscription; `other` (pending) neither. */
  kind: 'paid' | 'stopped' | 'other';
  /** Integer yen kept by the shop (total − refunded). */
  amount: number;
}

export interface SubscriptionLtvOptions {
  /** The end of the data; periods starting after it are unknown. */
  asOf: Date;
  /** Fewest subscribers a plan needs for a fit (default 10). */
  minSubscribers?: number;
  /** Periods to project the retention curve over (default 12). */
  curvePeriods?: number;
}

/** Periods a plan needs: the first and two renewals, so that retention can change at all. */
export const PERIODS_NEEDED = 3;
/** The expected lifetime counts at most ten years of periods (the mean is infinite when α ≤ 1). */
const CAP_YEARS = 10;

interface Common {
  plan: string;
  interval: IntervalUnit;
  intervalCount: number;
  subscribers: number;
  active: number;
  /** Median paid amount per period, integer yen. */
  pricePerPeriod: number;
  /** Completed billing periods of the oldest fitted subscription. */
  periodsObserved: number;
  periodsNeeded: number;
  subscribersNeeded: number;
}

/** Why a plan has no fit: too young, too small, or no one left (or no one stayed) yet. */
export type InsufficientReason = 'tooFewPeriods' | 'tooFewSubscribers' | 'noCancellations' | 'noRenewals';

export type PlanLtv =
  | (Common & {
      status: 'fitted';
      params: SbgParams;
      standardErrors: SbgParams;
      converged: boolean;
      diagnostics: FitDiagnostics;
      /** r_t for t = 1..curvePeriods: the share of those who paid t periods that pay period t + 1. */
      retention: number[];
      /** S(t) for t = 0..curvePeriods: the share of new subscribers still paying in period t + 1. */
      survival: number[];
      /** Mean paid periods, counted up to `lifetimeCapPeriods`. */
      expectedPeriods: number;
      lifetimeCapPeriods: number;
      /** (α + β − 1)/(α − 1) without the cap; null when α ≤ 1 (infinite). */
      expectedPeriodsUncapped: number | null;
      /** pricePerPeriod × expectedPeriods, integer yen. */
      ltv: number;
    })
  | (Common & {
      status: 'insufficientData';
      reason: InsufficientReason;
    });

const DAY_MS = 86_400_000;
const JST_MS = 9 * 3_600_000;

/** Japan-time calendar fields (no daylight saving, so a fixed shift). */
function jst(at: Date) {
  const d = new Date(at.getTime() + JST_MS);
  return {
    y: d.getUTCFullYear(),
    m: d.getUTCMonth(),
    d: d.getUTCDate(),
    day: Math.floor(d.getTime() / DAY_MS),
  };
}

/** Whole intervals from `start` to `at` in Japan-time days (0 in the first period). */
export function periodIndex(start: Date, at: Date, unit: IntervalUnit, count: number): number {
  const a = jst(start);
  const b = jst(at);
  if (unit === 'week') return Math.floor((b.day - a.day) / (7 * count));
  let months = (b.y - a.y) * 12 + (b.m - a.m);
  const daysInMonth = new Date(Date.UTC(b.y, b.m + 1, 0)).getUTCDate();
  if (b.d < Math.min(a.d, daysInMonth)) months -= 1;
  return Math.floor(months / (unit === 'year' ? 12 * count : count));
}

interface Seen {
  paidPeriods: number;
  /** Not active: a completed period went unpaid, or a renewal was cancelled or refunded. */
  cancelled: boolean;
  leftTruncated: boolean;
  /** Completed periods at asOf (the index of the period in progress). */
  completed: number;
}

function followSubscription(payments: SubscriptionPayment[], asOf: Date): Seen | null {
  const sorted = [...payments].sort((x, y) => x.at.getTime() - y.at.getTime());
  const first = sorted.find((p) => p.kind === 'paid');
  if (!first) return null;
  const { unit, count } = first;
  const firstIndex = (first.sequence ?? 1) - 1;
  const indexOf = (p: SubscriptionPayment) =>
    p.sequence !== null ? p.sequence - 1 : firstIndex + periodIndex(first.at, p.at, unit, count);
  let lastPaid = firstIndex;
  let lastPaidAt = first.at;
  for (const p of sorted)
    if (p.kind === 'paid') {
      lastPaid = Math.max(lastPaid, indexOf(p));
      lastPaidAt = p.at;
    }
  const stopped = sorted.some((p) => p.kind === 'stopped' && p.at.getTime() > lastPaidAt.getTime());
  const completed = firstIndex + periodIndex(first.at, asOf, unit, count);
  const paidPeriods = lastPaid + 1;
  return {
    paidPeriods,
    cancelled: stopped || paidPeriods < completed,
    leftTruncated: firstIndex > 0,
    completed,
  };
}

function median(values: number[]): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return Math.round(s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2);
}

function capPeriods(unit: IntervalUnit, count: number): number {
  const perYear = unit === 'week' ? 52 : unit === 'month' ? 12 : 1;
  return Math.ceil((CAP_YEARS * perYear) / count);
}

/**
 * Subscription LTV per plan (and interval), plans in name order.
 *
 * @example
 * // ¥3,000 a month: a fitted plan answers { status: 'fitted', expectedPeriods, ltv, … }.
 * subscriptionLtvByPlan(payments, { asOf: new Date('2026-12-01T00:00:00+09:00') });
 */
export function subscriptionLtvByPlan(
  payments: readonly SubscriptionPayment[],
  options: SubscriptionLtvOptions,
): PlanLtv[] {
  const bySubscription = new Map<string, SubscriptionPayment[]>();
  for (const p of payments) {
    const list = bySubscription.get(p.subscriptionId) ?? [];
    list.push(p);
    bySubscription.set(p.subscriptionId, list);
  }
  // A subscription belongs to the plan and interval of its first paid order.
  const plans = new Map<string, { head: SubscriptionPayment; seen: Seen[]; amounts: number[] }>();
  for (const list of bySubscription.values()) {
    const seen = followSubscription(list, options.asOf);
    if (!seen) continue;
    const head = [...list].sort((x, y) => x.at.getTime() - y.at.getTime()).find((p) => p.kind === 'paid')!;
    const key = JSON.stringify([head.plan, head.unit, head.count]);
    const plan = plans.get(key) ?? { head, seen: [], amounts: [] };
    plan.seen.push(seen);
    for (const p of list) if (p.kind === 'paid') plan.amounts.push(p.amount);
    plans.set(key, plan);
  }
  return [...plans.values()]
    .map(({ head, seen, amounts }) => planLtv(head, seen, amounts, options))
    .sort((a, b) => (a.plan < b.plan ? -1 : a.plan > b.plan ? 1 : a.interval.localeCompare(b.interval)));
}

function planLtv(
  head: SubscriptionPayment,
  seen: Seen[],
  amounts: number[],
  options: SubscriptionLtvOptions,
): PlanLtv {
  const fitted = seen.filter((s) => !s.leftTruncated);
  const common: Common = {
    plan: head.plan,
    interval: head.unit,
    intervalCount: head.count,
    subscribers: seen.length,
    active: seen.filter((s) => !s.cancelled).length,
    pricePerPeriod: median(amounts),
    periodsObserved: fitted.reduce((m, s) => Math.max(m, s.completed), 0),
    periodsNeeded: PERIODS_NEEDED,
    subscribersNeeded: options.minSubscribers ?? 10,
  };
  const insufficient = (reason: InsufficientReason): PlanLtv => ({
    ...common,
    status: 'insufficientData',
    reason,
  });
  if (common.periodsObserved < PERIODS_NEEDED) return insufficient('tooFewPeriods');
  if (fitted.length < common.subscribersNeeded) return insufficient('tooFewSubscribers');
  const top = common.periodsObserved + 1;
  const lost = new Array<number>(top).fill(0);
  const active = new Array<number>(top).fill(0);
  for (const s of fitted) {
    if (s.completed === 0) continue;
    if (s.paidPeriods < s.completed) lost[s.paidPeriods]! += 1;
    else active[s.completed]! += 1;
  }
  // With no one lost, the likelihood rises as α → 0 without end; with everyone lost at the first
  // renewal, as β → 0. Either way the data cannot tell how retention goes on.
  if (!lost.some((v) => v > 0)) return insufficient('noCancellations');
  if (lost[1] === fitted.filter((s) => s.completed > 0).length) return insufficient('noRenewals');
  const fit = fitSbgTenures({ lost, active });
  const p = fit.params;
  const curve = options.curvePeriods ?? 12;
  const cap = capPeriods(head.unit, head.count);
  const expectedPeriods = sbgExpectedLifetime(p, { horizon: cap });
  return {
    ...common,
    status: 'fitted',
    params: p,
    standardErrors: fit.standardErrors,
    converged: fit.diagnostics.converged,
    diagnostics: fit.diagnostics,
    retention: Array.from(sbgRetentionCurve(p, curve)),
    survival: Array.from({ length: curve + 1 }, (_, t) => sbgSurvival(p, t)),
    expectedPeriods,
    lifetimeCapPeriods: cap,
    expectedPeriodsUncapped: p.alpha > 1 ? sbgExpectedLifetime(p) : null,
    ltv: Math.round(common.pricePerPeriod * expectedPeriods),
  };
}
