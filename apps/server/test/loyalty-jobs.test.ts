// The loyalty jobs wired to the job system: an order posted through the API earns points through
// the orders.changed subscription, and a refund reverses them, with no explicit earn call.

import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOYALTY_JOBS } from '../src/loyalty/jobs.ts';
import { createTestApp, type TestApp } from './helpers.ts';
import { expectLedgerConsistent } from './loyalty-helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ jobs: LOYALTY_JOBS });
});
afterAll(async () => t?.close());

describe('loyalty jobs', () => {
  it('earns on orders.changed and reverses on a refund; an order of at least ¥X stamps the order card', async () => {
    const { createStampCardTemplate } = await import('../src/loyalty/stamp-cards.ts');
    const card = await createStampCardTemplate(t.database.db, t.workspace.workspaceId, {
      name: '¥3,000以上で1スタンプ',
      stampsRequired: 5,
      stampPer: 'order',
      minOrderTotal: 3000,
    });
    const order = {
      id: 'J-1',
      customer: { email: 'job@example.jp' },
      orderedAt: new Date(Date.now() - 3_600_000).toISOString(),
      total: 5000,
    };
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: t.auth,
      payload: { orders: [order] },
    });
    expect(res.statusCode).toBe(200);
    const customerId = (
      await t.database.db
        .selectFrom('customer_order')
        .select('customer_id')
        .where('external_id', '=', 'J-1')
        .executeTakeFirstOrThrow()
    ).customer_id;
    const points = async () =>
      (
        await t.app.inject({ method: 'GET', url: `/v1/loyalty/members/${customerId}`, headers: t.auth })
      ).json().points as number;
    await until(async () => (await points()) === 50, 'points earned by the job', { timeoutMs: 20_000 });
    const summary = (
      await t.app.inject({ method: 'GET', url: `/v1/loyalty/members/${customerId}`, headers: t.auth })
    ).json();
    expect(summary.stamps).toEqual([{ templateId: card.id, name: card.name, stamps: 1, required: 5 }]);
    await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: t.auth,
      payload: { orders: [{ ...order, status: 'refunded' }] },
    });
    await until(async () => (await points()) === 0, 'points reversed by the job', { timeoutMs: 20_000 });
    await expectLedgerConsistent(t.database, t.workspace.workspaceId);
  });
});
