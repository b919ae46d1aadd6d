import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYTICS_JOBS } from '../src/analytics/analytics-jobs.ts';
import { SEGMENT_JOBS } from '../src/segments/segment-jobs.ts';
import { createTestApp, lineUserId, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ jobs: [...SEGMENT_JOBS, ...ANALYTICS_JOBS], work: true });
});
afterAll(async () => t?.close());

describe('analytics jobs', () => {
  it('keeps customer stats per change, and refits CLV on demand through the queue', async () => {
    const ws = t.workspace.workspaceId;
    const orders = [0, 1, 2].map((i) => ({
      id: `J${i}`,
      customer: { lineUserId: lineUserId(1) },
      orderedAt: new Date(Date.now() - (100 - i * 30) * 86_400_000).toISOString(),
      total: 2000,
      refundedAmount: i === 2 ? 500 : 0,
    }));
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: t.auth,
      payload: { orders },
    });
    expect(res.statusCode).toBe(200);
    const stats = await until(
      () =>
        t.database.db
          .selectFrom('customer_stats')
          .select(['order_count', 'revenue'])
          .where('workspace_id', '=', ws)
          .where('order_count', '=', 3)
          .executeTakeFirst(),
      'customer_stats after orders.changed',
      { timeoutMs: 30_000 },
    );
    expect(stats).toEqual({ order_count: 3, revenue: 5500 });

    const refit = await t.app.inject({ method: 'POST', url: '/v1/analytics/clv/refit', headers: t.auth });
    expect(refit.statusCode).toBe(202);
    const model = await until(
      async () => {
        const r = await t.app.inject({ method: 'GET', url: '/v1/analytics/clv/model', headers: t.auth });
        return r.json().model ?? undefined;
      },
      'a stored CLV model',
      { timeoutMs: 30_000 },
    );
    expect(model.model).toBe('historical+historical');
    expect(model.fallbackReason).toMatch(/too_few_customers/);
    const forecast = await t.app.inject({ method: 'GET', url: '/v1/analytics/forecast', headers: t.auth });
    expect(forecast.json().forecast.days365).toBeGreaterThan(forecast.json().forecast.days30);
  });
});
