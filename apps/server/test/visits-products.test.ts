import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, lineUserId, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.inject({
    method: 'PUT',
    url: '/v1/stores/kichijoji',
    headers: t.auth,
    payload: { name: '吉祥寺店', prefecture: '東京都' },
  });
});
afterAll(async () => t?.close());

describe('visits', () => {
  it('records visits once by visit id and names an unknown store', async () => {
    const visit = {
      id: 'V-1',
      customer: { lineUserId: lineUserId(5) },
      storeCode: 'kichijoji',
      visitedAt: '2026-05-01T18:00:00+09:00',
      source: 'pos',
    };
    const first = await t.app.inject({
      method: 'POST',
      url: '/v1/visits',
      headers: t.auth,
      payload: { visits: [visit] },
    });
    expect(first.json().accepted).toEqual([
      { index: 0, id: expect.any(Number), externalId: 'V-1', outcome: 'stored' },
    ]);
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/visits',
      headers: t.auth,
      payload: { visits: [visit] },
    });
    expect(again.json().accepted[0].outcome).toBe('duplicate');
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/visits',
      headers: t.auth,
      payload: { visits: [{ ...visit, id: 'V-2', storeCode: 'nagoya' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.problems).toEqual([
      { index: 0, path: 'visits[0].storeCode', message: 'no store with code "nagoya"' },
    ]);
    const rows = await t.database.db
      .selectFrom('visit')
      .select(['external_id', 'source'])
      .where('workspace_id', '=', t.workspace.workspaceId)
      .execute();
    expect(rows).toEqual([{ external_id: 'V-1', source: 'pos' }]);
  });
});

describe('products', () => {
  it('links order lines to the catalogue by SKU', async () => {
    const put = await t.app.inject({
      method: 'PUT',
      url: '/v1/products/BEANS200',
      headers: t.auth,
      payload: { name: 'コーヒー豆 200g', price: 1800 },
    });
    expect(put.json()).toMatchObject({ sku: 'BEANS200', price: 1800 });
    await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: t.auth,
      payload: {
        orders: [
          {
            id: 'P-1',
            customer: { lineUserId: lineUserId(5) },
            orderedAt: '2026-05-01T18:05:00+09:00',
            total: 2300,
            lines: [
              { sku: 'BEANS200', name: 'コーヒー豆 200g', quantity: 1, unitPrice: 1800 },
              { sku: 'UNKNOWN', name: 'おまけ', quantity: 1, unitPrice: 500 },
            ],
          },
        ],
      },
    });
    const lines = await t.database.db
      .selectFrom('order_line')
      .select(['sku', 'product_id'])
      .where('workspace_id', '=', t.workspace.workspaceId)
      .orderBy('line_no')
      .execute();
    expect(lines).toEqual([
      { sku: 'BEANS200', product_id: put.json().id },
      { sku: 'UNKNOWN', product_id: null },
    ]);
  });
});
