import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, lineUserId, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.inject({
    method: 'PUT',
    url: '/v1/stores/shibuya',
    headers: t.auth,
    payload: { name: '渋谷店', prefecture: '東京都' },
  });
});
afterAll(async () => t?.close());

const post = (orders: unknown[], query = '') =>
  t.app.inject({ method: 'POST', url: `/v1/orders${query}`, headers: t.auth, payload: { orders } });

const order = (overrides: Record<string, unknown> = {}) => ({
  id: 'A-1001',
  customer: { lineUserId: lineUserId(77), email: 'buyer@example.jp' },
  storeCode: 'shibuya',
  orderedAt: '2026-04-01T12:30:00+09:00',
  total: 1540,
  lines: [
    { sku: 'LATTE', name: 'カフェラテ', quantity: 2, unitPrice: 520 },
    { sku: 'CAKE', name: '季節のケーキ', quantity: 1, unitPrice: 500 },
  ],
  ...overrides,
});

async function history(externalId: string) {
  return t.database.db
    .selectFrom('order_history as h')
    .innerJoin('customer_order as o', (j) =>
      j.onRef('o.id', '=', 'h.order_id').onRef('o.workspace_id', '=', 'h.workspace_id'),
    )
    .select(['h.kind', 'h.from_status', 'h.to_status', 'h.amount'])
    .where('o.external_id', '=', externalId)
    .where('o.workspace_id', '=', t.workspace.workspaceId)
    .orderBy('h.id')
    .execute();
}

describe('orders', () => {
  it('creates an order with its lines, creating the customer from its identities', async () => {
    const res = await post([order()]);
    expect(res.statusCode).toBe(200);
    expect(res.json().accepted).toEqual([
      { index: 0, id: expect.any(Number), externalId: 'A-1001', outcome: 'created' },
    ]);
    const stored = await t.database.db
      .selectFrom('customer_order')
      .selectAll()
      .where('external_id', '=', 'A-1001')
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      subtotal: 1540,
      total: 1540,
      status: 'completed',
      currency: 'JPY',
      refunded_amount: 0,
    });
    const lines = await t.database.db
      .selectFrom('order_line')
      .select(['line_no', 'amount'])
      .where('order_id', '=', stored.id)
      .orderBy('line_no')
      .execute();
    expect(lines).toEqual([
      { line_no: 1, amount: 1040 },
      { line_no: 2, amount: 500 },
    ]);
  });

  it('is idempotent: a retried request changes nothing and writes no history', async () => {
    const again = await post([order()]);
    expect(again.json().accepted[0].outcome).toBe('unchanged');
    expect(await history('A-1001')).toEqual([
      { kind: 'created', from_status: null, to_status: 'completed', amount: 1540 },
    ]);
    const customers = await t.database.db
      .selectFrom('customer_identity')
      .select('customer_id')
      .where('value', '=', 'buyer@example.jp')
      .execute();
    expect(customers).toHaveLength(1);
  });

  it('keeps refund history: a partial refund, then the full refund, and refuses a shrinking refund', async () => {
    expect((await post([order({ refundedAmount: 500 })])).json().accepted[0].outcome).toBe('updated');
    expect((await post([order({ status: 'refunded' })])).json().accepted[0].outcome).toBe('updated');
    expect(await history('A-1001')).toEqual([
      { kind: 'created', from_status: null, to_status: 'completed', amount: 1540 },
      { kind: 'refunded', from_status: null, to_status: null, amount: 500 },
      { kind: 'status_changed', from_status: 'completed', to_status: 'refunded', amount: null },
      { kind: 'refunded', from_status: null, to_status: null, amount: 1040 },
    ]);
    const shrink = await post([order({ status: 'completed', refundedAmount: 0 })]);
    expect(shrink.statusCode).toBe(400);
    expect(shrink.json().error.problems).toEqual([
      { index: 0, path: 'orders[0].refundedAmount', message: 'cannot decrease (already 1540)' },
    ]);
  });

  it('rejects the whole batch for one unknown store and names it; partial mode stores the rest', async () => {
    const batch = [
      order({ id: 'B-1' }),
      order({ id: 'B-2', storeCode: 'osaka' }),
      order({ id: 'B-3', orderedAt: 'yesterday' }),
    ];
    const res = await post(batch);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.problems.map((p: { path: string }) => p.path)).toEqual(['orders[2].orderedAt']);
    const stored = await t.database.db
      .selectFrom('customer_order')
      .select('external_id')
      .where('external_id', 'like', 'B-%')
      .execute();
    expect(stored).toEqual([]);
    const partial = await post(batch, '?partial=true');
    expect(partial.statusCode).toBe(200);
    expect(partial.json().accepted.map((a: { externalId: string }) => a.externalId)).toEqual(['B-1']);
    expect(partial.json().rejected).toEqual([
      { index: 1, problems: [{ path: 'orders[1].storeCode', message: 'no store with code "osaka"' }] },
      {
        index: 2,
        problems: [
          {
            path: 'orders[2].orderedAt',
            message: 'not an ISO-8601 timestamp with a time zone (e.g. 2026-04-01T10:00:00+09:00)',
          },
        ],
      },
    ]);
  });

  it('refuses more than 1,000 orders in one request with 413', async () => {
    const res = await post(Array.from({ length: 1001 }, (_, i) => order({ id: `X-${i}` })));
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toBe('orders: at most 1000 items per request, got 1001');
  });
});

describe('domain topics', () => {
  it('publishes orders.changed in the ingest transaction: once for a change, never for a rejected batch', async () => {
    const q = await createTestApp({
      jobs: [
        { name: 'test-orders-changed', subscribe: ['orders.changed'], run: async () => undefined },
        { name: 'test-customers-changed', subscribe: ['customers.changed'], run: async () => undefined },
      ],
      work: false,
    });
    try {
      const send = (orders: unknown[]) =>
        q.app.inject({ method: 'POST', url: '/v1/orders', headers: q.auth, payload: { orders } });
      const ok = {
        id: 'T-1',
        customer: { email: 'topic@example.jp' },
        orderedAt: '2026-04-01T10:00:00+09:00',
        total: 800,
      };
      expect((await send([ok])).statusCode).toBe(200);
      expect((await send([ok])).json().accepted[0].outcome).toBe('unchanged');
      expect(
        (
          await send([
            { ...ok, id: 'T-2' },
            { ...ok, id: 'T-3', storeCode: 'nowhere' },
          ])
        ).statusCode,
      ).toBe(400);
      const jobs = await q.jobs!.boss.fetch('test-orders-changed', { batchSize: 10 });
      expect(jobs.map((j) => j.data)).toEqual([
        {
          topic: 'orders.changed',
          workspaceId: q.workspace.workspaceId,
          orderIds: [expect.any(Number)],
          customerIds: [expect.any(Number)],
        },
      ]);
      // The order created its customer: announced as a customer change too (segments that read
      // no orders, such as a birthday or LINE-friend segment, re-evaluate on that topic only).
      const created = await q.jobs!.boss.fetch('test-customers-changed', { batchSize: 10 });
      expect(created.map((j) => j.data)).toEqual([
        {
          topic: 'customers.changed',
          workspaceId: q.workspace.workspaceId,
          customerIds: (jobs[0]!.data as { customerIds: number[] }).customerIds,
        },
      ]);
    } finally {
      await q.close();
    }
  });
});
