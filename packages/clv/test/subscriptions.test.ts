import { drawSbgSubscribers } from '@kizuna/test-support';
import { describe, expect, it } from 'vitest';
import { fitSbgTenures } from '../src/sbg.ts';
import { periodIndex, type SubscriptionPayment, subscriptionLtvByPlan } from '../src/subscription-ltv.ts';

const jst = (s: string) => new Date(`${s}+09:00`);

describe('fitSbgTenures', () => {
  it('one cohort as tallies gives the published regular-segment fit (Fader & Hardie 2007: α 0.704, β 1.182, 3 dp)', () => {
    const alive = [1000, 631, 468, 382, 326, 289, 262, 241];
    const lost = [0, ...alive.slice(1).map((v, t) => alive[t]! - v)];
    const active = [0, 0, 0, 0, 0, 0, 0, 0, 241];
    const fit = fitSbgTenures({ lost, active });
    expect(Math.abs(fit.params.alpha - 0.704)).toBeLessThanOrEqual(0.0005);
    expect(Math.abs(fit.params.beta - 1.182)).toBeLessThanOrEqual(0.0005);
  });

  it('names the bad tally', () => {
    expect(() => fitSbgTenures({ lost: [0, -1], active: [0, 3] })).toThrow('lost[1]');
  });
});

describe('billing periods in Japan time', () => {
  it('counts anniversaries by the Japanese calendar day, clamping the 31st to short months', () => {
    const start = jst('2026-01-31T10:00:00');
    expect(periodIndex(start, jst('2026-02-27T23:00:00'), 'month', 1)).toBe(0);
    expect(periodIndex(start, jst('2026-02-28T00:10:00'), 'month', 1)).toBe(1);
    expect(periodIndex(start, jst('2026-03-30T10:00:00'), 'month', 1)).toBe(1);
    expect(periodIndex(start, jst('2026-03-31T00:00:00'), 'month', 1)).toBe(2);
    expect(periodIndex(start, jst('2026-05-31T00:00:00'), 'month', 2)).toBe(2);
    expect(periodIndex(start, jst('2027-01-30T00:00:00'), 'year', 1)).toBe(0);
    expect(periodIndex(start, jst('2027-01-31T00:00:00'), 'year', 1)).toBe(1);
    // 2026-02-06 23:30 JST is 14:30 UTC: still the 6th in Japan, 6 days after the 31st.
    expect(periodIndex(start, jst('2026-02-06T23:30:00'), 'week', 1)).toBe(0);
    expect(periodIndex(start, jst('2026-02-07T00:30:00'), 'week', 1)).toBe(1);
  });
});

describe('following subscriptions (the rule in subscription-ltv.ts)', () => {
  const asOf = jst('2026-05-20T00:00:00');
  const pay = (id: string, day: string, extra: Partial<SubscriptionPayment> = {}): SubscriptionPayment => ({
    subscriptionId: id,
    plan: 'p',
    unit: 'month',
    count: 1,
    at: jst(`${day}T10:00:00`),
    sequence: null,
    kind: 'paid',
    amount: 3000,
    ...extra,
  });
  // Periods start on the 10th: by 05-20 four periods (Jan–Apr) are complete, May's is in progress.
  const monthly = (id: string, months: number[], extra: Partial<SubscriptionPayment> = {}) =>
    months.map((m) => pay(id, `2026-0${m}-10`, extra));

  it('a skipped month followed by a payment is not a cancellation; a missed completed month is', () => {
    const [plan] = subscriptionLtvByPlan(
      [...monthly('skip', [1, 2, 4]), ...monthly('gone', [1, 2]), ...monthly('late', [1, 2, 3, 4])],
      { asOf },
    );
    expect(plan).toMatchObject({ subscribers: 3, active: 2, periodsObserved: 4, status: 'insufficientData' });
  });

  it('a cancelled or refunded renewal ends the subscription at once; a pending one does not', () => {
    const [plan] = subscriptionLtvByPlan(
      [
        ...monthly('a', [1, 2, 3, 4]),
        pay('a', '2026-05-10', { kind: 'stopped' }),
        ...monthly('b', [1, 2, 3, 4]),
        pay('b', '2026-05-10', { kind: 'other' }),
      ],
      { asOf },
    );
    expect(plan).toMatchObject({ subscribers: 2, active: 1 });
  });

  it('leaves subscriptions that began before the data (first sequence > 1) out of the fit', () => {
    const started = Array.from({ length: 10 }, (_, i) => monthly(`s${i}`, i < 5 ? [1, 2, 3, 4] : [1])).flat();
    const older = Array.from({ length: 30 }, (_, i) =>
      [1, 2, 3, 4].map((m) => pay(`o${i}`, `2026-0${m}-10`, { sequence: 20 + m })),
    ).flat();
    const [withOlder] = subscriptionLtvByPlan([...started, ...older], { asOf });
    const [alone] = subscriptionLtvByPlan(started, { asOf });
    expect(withOlder).toMatchObject({ subscribers: 40, active: 35, status: 'fitted' });
    expect(alone).toMatchObject({ subscribers: 10, active: 5, status: 'fitted' });
    if (withOlder?.status !== 'fitted' || alone?.status !== 'fitted') throw new Error('not fitted');
    expect(withOlder.params).toEqual(alone.params);
  });

  it('answers insufficientData with what is needed: too few periods or subscribers, no cancellations, no renewals', () => {
    const young = subscriptionLtvByPlan(
      Array.from({ length: 20 }, (_, i) => monthly(`y${i}`, [4, 5])).flat(),
      { asOf },
    );
    expect(young[0]).toMatchObject({
      status: 'insufficientData',
      reason: 'tooFewPeriods',
      periodsObserved: 1,
      periodsNeeded: 3,
    });
    const few = subscriptionLtvByPlan([...monthly('x', [1, 2, 3, 4]), ...monthly('z', [1])], { asOf });
    expect(few[0]).toMatchObject({ reason: 'tooFewSubscribers', subscribersNeeded: 10 });
    const loyal = subscriptionLtvByPlan(
      Array.from({ length: 12 }, (_, i) => monthly(`l${i}`, [1, 2, 3, 4, 5])).flat(),
      { asOf },
    );
    expect(loyal[0]).toMatchObject({ reason: 'noCancellations' });
    const once = subscriptionLtvByPlan(Array.from({ length: 12 }, (_, i) => monthly(`o${i}`, [1])).flat(), {
      asOf,
    });
    expect(once[0]).toMatchObject({ reason: 'noRenewals', active: 0 });
  });
});

describe('subscription LTV on data drawn from a known sBG', () => {
  const asOf = new Date('2026-01-20T00:00:00+09:00');
  // Fader & Hardie's regular segment, 400 new subscribers a month for a year, seed 7.
  const payments = drawSbgSubscribers({
    alpha: 0.704,
    beta: 1.182,
    perMonth: 400,
    months: 12,
    seed: 7,
    asOf,
  }).flatMap((s) =>
    s.payments.map(
      (at): SubscriptionPayment => ({
        subscriptionId: `r${s.n}`,
        plan: 'regular',
        unit: 'month',
        count: 1,
        at,
        sequence: null,
        kind: 'paid',
        amount: 3000,
      }),
    ),
  );
  const [plan] = subscriptionLtvByPlan(payments, { asOf });
  it('recovers α 0.704 and β 1.182 within 3 standard errors and 10 %', () => {
    if (plan?.status !== 'fitted') throw new Error(`not fitted: ${JSON.stringify(plan)}`);
    expect(plan.converged).toBe(true);
    expect(plan.subscribers).toBe(4800);
    for (const [name, truth] of [
      ['alpha', 0.704],
      ['beta', 1.182],
    ] as const) {
      expect(Math.abs(plan.params[name] - truth)).toBeLessThan(3 * plan.standardErrors[name]);
      expect(Math.abs(plan.params[name] / truth - 1)).toBeLessThan(0.1);
    }
  });
  it('¥3,000 a month: LTV is the price times the expected paid months, capped at 120 (α < 1)', () => {
    if (plan?.status !== 'fitted') throw new Error('not fitted');
    expect(plan.pricePerPeriod).toBe(3000);
    expect(plan.lifetimeCapPeriods).toBe(120);
    expect(plan.expectedPeriodsUncapped).toBeNull();
    let s = 1;
    let sum = 0;
    for (let t = 0; t < 120; t++) {
      sum += s;
      s *= (plan.params.beta + t) / (plan.params.alpha + plan.params.beta + t);
    }
    expect(plan.expectedPeriods).toBeCloseTo(sum, 9);
    expect(plan.ltv).toBe(Math.round(3000 * sum));
    expect(plan.retention[0]).toBeCloseTo(plan.params.beta / (plan.params.alpha + plan.params.beta), 12);
  });
});
