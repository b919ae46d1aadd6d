import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshAnalytics } from '../src/analytics/analytics-views.ts';
import { refitClv } from '../src/analytics/refit-clv.ts';
import { DEMO_WORKSPACE_NAME, loadDemo } from '../src/demo/load-demo.ts';
import { createSegment } from '../src/segments/segment-store.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function get(url: string) {
  const res = await t.app.inject({ method: 'GET', url, headers: t.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('historical LTV, retention and RFM on hand-built orders', () => {
  it('counts completed orders net of refunds, by cohort, source and segment', async () => {
    const ws = t.workspace.workspaceId;
    const { db } = t.database;
    const customer = async (source: string) =>
      (
        await db
          .insertInto('customer')
          .values({ workspace_id: ws, acquisition_source: source, attributes: '{}' })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const p = await customer('line');
    const q = await customer('store');
    const r = await customer('store');
    let n = 0;
    const order = (customerId: number, at: string, total: number, extra: object = {}) =>
      db
        .insertInto('customer_order')
        .values({
          workspace_id: ws,
          external_id: `A${++n}`,
          customer_id: customerId,
          status: 'completed',
          ordered_at: at,
          subtotal: total,
          total,
          ...extra,
        })
        .execute();
    await order(p, '2026-01-10T10:00:00+09:00', 1000);
    await order(p, '2026-03-10T10:00:00+09:00', 3000);
    await order(q, '2026-01-20T10:00:00+09:00', 2000, { refunded_amount: 500 });
    await order(r, '2026-02-05T10:00:00+09:00', 4000, { status: 'cancelled' });
    // 2026-01-31 23:30 JST is still January in Japan (it is 14:30 UTC).
    const s = await customer('line');
    await order(s, '2026-01-31T23:30:00+09:00', 700);
    await createSegment(db, ws, {
      name: 'LINE経由',
      definition: { profile: 'acquisition_source', op: 'eq', value: 'line' },
    });
    await refreshAnalytics(db, ws);

    const cohort = await get('/v1/analytics/ltv?by=cohort');
    expect(cohort.rows).toHaveLength(1);
    const jan = cohort.rows[0];
    expect(jan).toMatchObject({ key: '2026-01', customers: 3, orders: 4, revenue: 6200 });
    // Money is integer yen: AOV and LTV are rounded (6200 / 4 = 1550, 6200 / 3 = 2066.67).
    expect(jan.ltv).toBe(2067);
    expect(jan.aov).toBe(1550);
    expect(jan.lifespanYears).toBeCloseTo((60 + 1 + 1) / 3 / 365.25, 9);
    expect(1550 * jan.purchaseFrequency * jan.lifespanYears).toBeCloseTo(6200 / 3, 6);

    const bySource = await get('/v1/analytics/ltv?by=source');
    expect(bySource.rows.map((x: { key: string; revenue: number }) => [x.key, x.revenue])).toEqual([
      ['line', 4700],
      ['store', 1500],
    ]);
    const bySegment = await get('/v1/analytics/ltv?by=segment');
    expect(bySegment.rows.map((x: { label: string; customers: number }) => [x.label, x.customers])).toEqual([
      ['LINE経由', 2],
    ]);

    const retention = await get('/v1/analytics/retention');
    expect(retention.cohorts).toEqual([
      { cohort: '2026-01', customers: 3, active: [3, 0, 1], retention: [1, 0, 1 / 3] },
    ]);

    const rfm = await get('/v1/analytics/rfm');
    const total = rfm.cells.reduce((a: number, c: { customers: number }) => a + c.customers, 0);
    const revenue = rfm.cells.reduce((a: number, c: { revenue: number }) => a + c.revenue, 0);
    expect([total, revenue]).toEqual([3, 6200]);
    // p bought last and most often: the top recency and frequency quintile.
    const ltv = await get('/v1/analytics/ltv/customers');
    const pRow = ltv.items.find((x: { customerId: number }) => x.customerId === p);
    expect(pRow).toMatchObject({
      orders: 2,
      historicalLtv: 4000,
      rfm: { r: expect.any(Number), f: expect.any(Number) },
    });
    expect(pRow.rfm.r).toBeGreaterThan(
      ltv.items.find((x: { customerId: number }) => x.customerId === q).rfm.r,
    );
  });

  it('falls back to the historical rate, and says so, when the data is too thin', async () => {
    const other = await newWorkspace(t.database, '小さな店');
    const { db } = t.database;
    const c = await db
      .insertInto('customer')
      .values({ workspace_id: other.workspaceId, attributes: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('customer_order')
      .values({
        workspace_id: other.workspaceId,
        external_id: 'X1',
        customer_id: c.id,
        status: 'completed',
        ordered_at: new Date(Date.now() - 40 * 86_400_000),
        subtotal: 1000,
        total: 1000,
      })
      .execute();
    const result = await refitClv(db, other.workspaceId);
    expect(result.model).toBe('historical+historical');
    expect(result.fallbackReason).toMatch(/BG\/NBD could not be fitted.*historical purchase rate/);
    const stored = await db
      .selectFrom('clv_prediction')
      .selectAll()
      .where('workspace_id', '=', other.workspaceId)
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      customer_id: c.id,
      model_id: result.modelId,
      p_alive: null,
      expected_spend: 1000,
    });
  });
});

describe('CLV refit on the demo brand', () => {
  it('fits BG/NBD + Gamma-Gamma, stores predictions with the model version and holdout quality', async () => {
    const anchor = new Date();
    await loadDemo(t.database, { customers: 400, anchor });
    const demo = await t.database.db
      .selectFrom('workspace')
      .select('id')
      .where('name', '=', DEMO_WORKSPACE_NAME)
      .executeTakeFirstOrThrow();
    const result = await refitClv(t.database.db, demo.id, anchor);
    expect(result.model).toBe('bgnbd+gg');
    expect(result.fallbackReason).toBeNull();
    expect(result.customers).toBeGreaterThan(300);
    const quality = result.quality as { customers: number; ratio: number; byCalibrationFrequency: unknown[] };
    expect(quality.customers).toBeGreaterThan(200);
    // Simulated BG/NBD-shaped histories: the holdout total is predicted within a factor of two.
    expect(quality.ratio).toBeGreaterThan(0.5);
    expect(quality.ratio).toBeLessThan(2);
    const stats = await t.database.db
      .selectFrom('clv_prediction')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.min('p_alive').as('minAlive'),
        eb.fn.max('p_alive').as('maxAlive'),
        eb.fn.max('clv_percentile').as('maxPct'),
        eb.fn.min('model_id').as('minModel'),
        eb.fn.max('model_id').as('maxModel'),
      ])
      .where('workspace_id', '=', demo.id)
      .executeTakeFirstOrThrow();
    expect(Number(stats.n)).toBe(result.customers);
    expect(Number(stats.minAlive)).toBeGreaterThanOrEqual(0);
    expect(Number(stats.maxAlive)).toBeLessThanOrEqual(1);
    expect(Number(stats.maxPct)).toBe(100);
    expect([Number(stats.minModel), Number(stats.maxModel)]).toEqual([result.modelId, result.modelId]);
    expect(result.forecast.days30).toBeGreaterThan(0);
    expect(result.forecast.days30).toBeLessThan(result.forecast.days90);
    expect(result.forecast.days90).toBeLessThan(result.forecast.days365);
    // The VIP template reads the stored predictions: about the top 10% of buyers.
    const vip = await createSegment(t.database.db, demo.id, { template: 'vip' });
    expect(vip.memberCount).toBeGreaterThan(result.customers * 0.05);
    expect(vip.memberCount).toBeLessThan(result.customers * 0.15);
    // The copy in customer_stats (read by the incremental recompute) is the stored prediction of
    // every customer, and nothing for customers without one.
    const { rows: copies } = await sql<{ copied: number; differ: number }>`select
        count(s.p_alive)::int as copied,
        count(*) filter (where (s.p_alive, s.expected_purchases_90d, s.predicted_clv, s.clv_percentile)
          is distinct from (p.p_alive, p.expected_purchases_90d, p.predicted_clv, p.clv_percentile))::int as differ
      from customer_stats s
      left join clv_prediction p on p.workspace_id = s.workspace_id and p.customer_id = s.customer_id
      where s.workspace_id = ${demo.id}`.execute(t.database.db);
    expect(copies).toEqual([{ copied: result.customers, differ: 0 }]);
  });
});
