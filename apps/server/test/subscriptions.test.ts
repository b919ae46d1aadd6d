// Subscription orders and subscription LTV per plan (GET /v1/analytics/subscriptions), on the
// real database: orders are posted through the API, as a shop would.
import { fitSbgTenures, sbgExpectedLifetime } from '@kizuna/clv';
import { drawSbgSubscribers } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';

let t: TestApp;
let other: { authorization: string };
beforeAll(async () => {
  t = await createTestApp();
  other = { authorization: `Bearer ${(await newWorkspace(t.database, '別の店')).apiKey}` };
});
afterAll(async () => t?.close());

const AS_OF = '2026-01-20T00:00:00+09:00';

async function postOrders(orders: unknown[], auth = t.auth) {
  for (let i = 0; i < orders.length; i += 1000) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: auth,
      payload: { orders: orders.slice(i, i + 1000) },
    });
    expect(res.statusCode, res.body).toBe(200);
  }
}

async function report(auth = t.auth) {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/analytics/subscriptions?asOf=${encodeURIComponent(AS_OF)}`,
    headers: auth,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const subscriptionOrder = (
  id: string,
  member: string,
  at: string,
  subscription: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  id,
  customer: { external: [{ namespace: 'member_no', value: member }] },
  orderedAt: at,
  total: 3000,
  subscription,
  ...extra,
});

/** Monthly ¥1,980 orders on the 10th of the given months (2025-10 … 2026-01), 10:00 JST. */
const trialOrders = (n: number, months: string[], extra: Record<string, unknown> = {}) =>
  months.map((m) =>
    subscriptionOrder(
      `T${n}-${m}${extra.status ? `-${extra.status}` : ''}`,
      `T${n}`,
      `${m}-10T10:00:00+09:00`,
      { id: `trial-${n}`, plan: 'お試し', interval: 'month' },
      { total: 1980, ...extra },
    ),
  );

describe('orders that pay a subscription', () => {
  it('stores the subscription and returns it from the read API (intervalCount defaults to 1)', async () => {
    await postOrders([
      subscriptionOrder('S-1', 'M-1', '2026-01-05T10:00:00+09:00', {
        id: 'sub-1',
        plan: 'コーヒー定期便',
        interval: 'month',
        intervalCount: 2,
        sequence: 3,
      }),
      subscriptionOrder('S-2', 'M-1', '2026-01-06T10:00:00+09:00', {
        id: 'sub-2',
        plan: 'p',
        interval: 'week',
      }),
      { ...subscriptionOrder('S-3', 'M-1', '2026-01-07T10:00:00+09:00', {}), subscription: undefined },
    ]);
    const res = await t.app.inject({ method: 'GET', url: '/v1/orders?limit=3', headers: t.auth });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((o: { subscription: unknown }) => o.subscription)).toEqual([
      null,
      { id: 'sub-2', plan: 'p', interval: 'week', intervalCount: 1, sequence: null },
      { id: 'sub-1', plan: 'コーヒー定期便', interval: 'month', intervalCount: 2, sequence: 3 },
    ]);
    // A re-sent order without its subscription drops it, like any other field left out.
    await postOrders([
      { ...subscriptionOrder('S-2', 'M-1', '2026-01-06T10:00:00+09:00', {}), subscription: undefined },
    ]);
    const one = await t.app.inject({ method: 'GET', url: '/v1/orders?limit=2', headers: t.auth });
    expect(one.json().items[1].subscription).toBeNull();
    // These three are in January 2026 and leave every plan below under its data needs.
    await t.database.db
      .deleteFrom('customer_order')
      .where('external_id', 'in', ['S-1', 'S-2', 'S-3'])
      .execute();
  });

  it.each([
    [{ id: 's', plan: 'p', interval: 'day' }, 'orders[0].subscription.interval'],
    [{ id: 's', plan: 'p', interval: 'month', intervalCount: 0 }, 'orders[0].subscription.intervalCount'],
    [{ id: 's', plan: 'p', interval: 'month', sequence: 0 }, 'orders[0].subscription.sequence'],
    [{ id: 's', interval: 'month' }, 'orders[0].subscription.plan'],
    [{ id: '', plan: 'p', interval: 'month' }, 'orders[0].subscription.id'],
    [{ id: 's', plan: 'p', interval: 'month', price: 1 }, 'orders[0].subscription'],
  ])('refuses %j with a 400 naming %s, and writes nothing', async (subscription, field) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: t.auth,
      payload: { orders: [subscriptionOrder('BAD-1', 'M-9', '2026-01-05T10:00:00+09:00', subscription)] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(field);
    const stored = await t.database.db
      .selectFrom('customer_order')
      .select('id')
      .where('external_id', '=', 'BAD-1')
      .execute();
    expect(stored).toEqual([]);
  });
});

describe('GET /v1/analytics/subscriptions', () => {
  // Fader & Hardie's regular segment (α 0.704, β 1.182): 100 new ¥3,000-a-month subscribers a
  // month through 2025, seed 11. Another workspace gets 40 subscribers of the same plan name who
  // all leave after one month; if they counted, retention would fall and the count would be off.
  const drawn = drawSbgSubscribers({ alpha: 0.704, beta: 1.182, perMonth: 100, months: 12, seed: 11 });
  beforeAll(async () => {
    await postOrders(
      Array.from({ length: 40 }, (_, i) =>
        subscriptionOrder(`X${i}`, `X${i}`, '2025-03-10T10:00:00+09:00', {
          id: `x-${i}`,
          plan: 'ベーシック',
          interval: 'month',
        }),
      ),
      other,
    );
    await postOrders(
      drawn.flatMap((s) =>
        s.payments.map((at, k) =>
          subscriptionOrder(`R${s.n}-${k + 1}`, `R${s.n}`, at.toISOString(), {
            id: `basic-${s.n}`,
            plan: 'ベーシック',
            interval: 'month',
          }),
        ),
      ),
    );
    // お試し: 12 subscribers from October 2025. 1–6 pay every month (active); 7–9 pay October
    // and November only; 10–12 too, then their December renewal is cancelled (10, 11) or
    // refunded (12). Those are not renewals: 7–12 are all lost after two periods.
    const trial = [];
    for (let n = 1; n <= 12; n++) {
      trial.push(
        ...trialOrders(n, n <= 6 ? ['2025-10', '2025-11', '2025-12', '2026-01'] : ['2025-10', '2025-11']),
      );
      if (n >= 10)
        trial.push(
          ...trialOrders(
            n,
            ['2025-12'],
            n === 12 ? { status: 'refunded', total: 99_999 } : { status: 'cancelled' },
          ),
        );
    }
    // 年間: yearly subscribers from June 2025 have not completed a period yet.
    for (let n = 1; n <= 12; n++)
      trial.push(
        subscriptionOrder(
          `Y${n}`,
          `Y${n}`,
          '2025-06-01T10:00:00+09:00',
          { id: `year-${n}`, plan: '年間', interval: 'year' },
          {
            total: 30_000,
          },
        ),
      );
    await postOrders(trial);
  });

  it('recovers α 0.704 and β 1.182 within 25 % from 1,200 drawn subscribers (seed 11)', async () => {
    const basic = (await report()).plans.find((p: { plan: string }) => p.plan === 'ベーシック');
    expect(basic).toMatchObject({ status: 'fitted', converged: true, interval: 'month', intervalCount: 1 });
    expect(basic.subscribers).toBe(1200);
    expect(basic.active).toBe(drawn.filter((s) => s.payments.length >= 13 - Math.ceil(s.n / 100)).length);
    expect(Math.abs(basic.alpha / 0.704 - 1)).toBeLessThan(0.25);
    expect(Math.abs(basic.beta / 1.182 - 1)).toBeLessThan(0.25);
    expect(basic.retention).toHaveLength(12);
    expect(basic.retention[0]).toBeCloseTo(basic.beta / (basic.alpha + basic.beta), 12);
  });

  it('gives ¥3,000 × the expected paid months (capped at 120) as the plan LTV, in integer yen', async () => {
    const basic = (await report()).plans.find((p: { plan: string }) => p.plan === 'ベーシック');
    const months = sbgExpectedLifetime({ alpha: basic.alpha, beta: basic.beta }, { horizon: 120 });
    expect(basic).toMatchObject({ pricePerPeriod: 3000, lifetimeCapPeriods: 120 });
    expect(basic.expectedPeriods).toBeCloseTo(months, 9);
    expect(basic.ltv).toBe(Math.round(3000 * months));
    expect(Number.isInteger(basic.ltv)).toBe(true);
  });

  it('does not count cancelled or refunded orders as renewals, nor their amounts in the price', async () => {
    const trial = (await report()).plans.find((p: { plan: string }) => p.plan === 'お試し');
    expect(trial).toMatchObject({ status: 'fitted', subscribers: 12, active: 6, pricePerPeriod: 1980 });
    const expected = fitSbgTenures({ lost: [0, 0, 6, 0], active: [0, 0, 0, 6] }).params;
    expect(trial.alpha).toBeCloseTo(expected.alpha, 6);
    expect(trial.beta).toBeCloseTo(expected.beta, 6);
  });

  it('answers insufficientData, with the periods needed, for a plan too young to fit', async () => {
    const yearly = (await report()).plans.find((p: { plan: string }) => p.plan === '年間');
    expect(yearly).toMatchObject({
      status: 'insufficientData',
      reason: 'tooFewPeriods',
      periodsObserved: 0,
      periodsNeeded: 3,
      subscribers: 12,
      active: 12,
      pricePerPeriod: 30_000,
      ltv: null,
      alpha: null,
    });
  });

  it('refuses an asOf that is not an instant with a 400 naming it', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/analytics/subscriptions?asOf=2026-13-01',
      headers: t.auth,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('asOf');
  });

  it("never counts another workspace's orders", async () => {
    const mine = await report();
    expect(mine.plans.map((p: { plan: string }) => p.plan)).toEqual(['お試し', 'ベーシック', '年間']);
    const theirs = await report(other);
    expect(theirs.plans).toEqual([
      expect.objectContaining({
        plan: 'ベーシック',
        subscribers: 40,
        active: 0,
        status: 'insufficientData',
        reason: 'noRenewals',
      }),
    ]);
  });
});
