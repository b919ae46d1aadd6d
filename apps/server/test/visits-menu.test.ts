// Issue 17, item 5: visits carry their menu items, staff member and spend; the visits API stores
// them with the visit, the read API and the karte timeline return them, and bad input is a 400
// naming the field with nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, lineUserId, newWorkspace, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.inject({
    method: 'PUT',
    url: '/v1/stores/omotesando',
    headers: t.auth,
    payload: { name: '表参道店', prefecture: '東京都' },
  });
});
afterAll(async () => t?.close());

const post = (payload: Record<string, unknown>, headers = t.auth) =>
  t.app.inject({ method: 'POST', url: '/v1/visits', headers, payload });

const hanako = { lineUserId: lineUserId(501) };

describe('visits with menu items, staff and spend', () => {
  it('stores them, and the read API and the timeline return them; spend defaults to the menu total', async () => {
    const res = await post({
      visits: [
        {
          id: 'S-1',
          customer: hanako,
          storeCode: 'omotesando',
          visitedAt: '2026-06-01T11:00:00+09:00',
          staff: '佐藤',
          menuItems: [
            { name: 'カット', code: 'CUT', category: 'カット', price: 5500 },
            { name: 'トリートメント', category: 'ケア', price: 2200, quantity: 2 },
            { name: 'ドリンクサービス' },
          ],
        },
        // Spend given: a discount makes it less than the menu total, and it is kept as given.
        {
          id: 'S-2',
          customer: hanako,
          visitedAt: '2026-06-20T15:00:00+09:00',
          menuItems: [{ name: 'カラー', code: 'COLOR', category: 'カラー', price: 8800 }],
          spend: 7920,
        },
        { id: 'S-3', customer: hanako, visitedAt: '2026-06-25T15:00:00+09:00' },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().accepted.map((a: { outcome: string }) => a.outcome)).toEqual([
      'stored',
      'stored',
      'stored',
    ]);

    const list = await t.app.inject({ method: 'GET', url: '/v1/visits', headers: t.auth });
    const byId = new Map(
      (list.json().items as { externalId: string }[]).map((v) => [v.externalId, v] as const),
    );
    expect(byId.get('S-1')).toMatchObject({
      storeCode: 'omotesando',
      staff: '佐藤',
      spend: 5500 + 2200 * 2,
      menuItems: [
        { name: 'カット', code: 'CUT', category: 'カット', price: 5500, quantity: 1 },
        { name: 'トリートメント', code: null, category: 'ケア', price: 2200, quantity: 2 },
        { name: 'ドリンクサービス', code: null, category: null, price: null, quantity: 1 },
      ],
    });
    expect(byId.get('S-2')).toMatchObject({
      staff: null,
      spend: 7920,
      menuItems: [{ name: 'カラー', price: 8800 }],
    });
    expect(byId.get('S-3')).toMatchObject({ staff: null, spend: 0, menuItems: [] });

    const customerId = (byId.get('S-1') as unknown as { customerId: number }).customerId;
    const timeline = await t.app.inject({
      method: 'GET',
      url: `/v1/customers/${customerId}/timeline`,
      headers: t.auth,
    });
    expect(timeline.statusCode).toBe(200);
    const visit = (timeline.json().items as { kind: string; visit?: { externalId: string } }[]).find(
      (e) => e.visit?.externalId === 'S-1',
    );
    expect(visit?.visit).toMatchObject({
      staff: '佐藤',
      spend: 9900,
      menuItems: [{ name: 'カット' }, {}, {}],
    });
  });

  it('a retried visit keeps its first menu items (no second copy)', async () => {
    const visit = {
      id: 'S-retry',
      customer: hanako,
      visitedAt: '2026-06-02T11:00:00+09:00',
      menuItems: [{ name: 'ヘッドスパ', price: 3300 }],
    };
    await post({ visits: [visit] });
    const again = await post({ visits: [{ ...visit, menuItems: [{ name: '別メニュー', price: 1 }] }] });
    expect(again.json().accepted[0].outcome).toBe('duplicate');
    const rows = await t.database.db
      .selectFrom('visit_menu_item as m')
      .innerJoin('visit as v', (j) =>
        j.onRef('v.workspace_id', '=', 'm.workspace_id').onRef('v.id', '=', 'm.visit_id'),
      )
      .select(['m.name', 'v.spend'])
      .where('v.workspace_id', '=', t.workspace.workspaceId)
      .where('v.external_id', '=', 'S-retry')
      .execute();
    expect(rows).toEqual([{ name: 'ヘッドスパ', spend: 3300 }]);
  });

  it('rejects bad menu items, staff and spend with a 400 naming the field, and writes nothing', async () => {
    const good = { customer: hanako, visitedAt: '2026-06-03T11:00:00+09:00' };
    const cases: [Record<string, unknown>, string][] = [
      [{ menuItems: [{ name: 'カット', price: -1 }] }, 'visits[1].menuItems[0].price'],
      [{ menuItems: [{ name: 'カット' }, { name: 'カラー', price: 1.5 }] }, 'visits[1].menuItems[1].price'],
      [{ menuItems: [{ name: '' }] }, 'visits[1].menuItems[0].name'],
      [{ menuItems: [{ name: 'カット', quantity: 0 }] }, 'visits[1].menuItems[0].quantity'],
      [{ menuItems: [{ name: 'カット', staff: 'x' }] }, 'visits[1].menuItems[0].staff'],
      [{ spend: -100 }, 'visits[1].spend'],
      [{ staff: '' }, 'visits[1].staff'],
    ];
    for (const [extra, path] of cases) {
      const res = await post({
        visits: [
          { id: 'BAD-0', ...good },
          { id: 'BAD-1', ...good, ...extra },
        ],
      });
      expect(res.statusCode, path).toBe(400);
      const problems = res.json().error.problems as { path: string }[];
      expect(
        problems.map((p) => p.path),
        path,
      ).toContain(path);
    }
    const written = await t.database.db
      .selectFrom('visit')
      .select('external_id')
      .where('workspace_id', '=', t.workspace.workspaceId)
      .where('external_id', 'like', 'BAD-%')
      .execute();
    expect(written).toEqual([]);
  });

  it('historical LTV adds the spend of visits not paid through an order, once', async () => {
    const ltv = { email: 'ltv@example.jp' };
    const order = await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: t.auth,
      payload: {
        orders: [{ id: 'O-L1', customer: ltv, orderedAt: '2026-06-05T12:00:00+09:00', total: 3000 }],
      },
    });
    expect(order.statusCode).toBe(200);
    await post({
      visits: [
        // Paid at the salon itself: its spend is the customer's value.
        { id: 'L-V1', customer: ltv, visitedAt: '2026-06-04T12:00:00+09:00', spend: 5000 },
        // Paid through order O-L1: the order already counts it.
        {
          id: 'L-V2',
          customer: ltv,
          visitedAt: '2026-06-05T12:00:00+09:00',
          orderId: 'O-L1',
          menuItems: [{ name: 'ブレンド豆', price: 3000 }],
        },
      ],
    });
    const other = await newWorkspace(t.database, '別の店');
    await post(
      { visits: [{ id: 'L-V1', customer: ltv, visitedAt: '2026-06-04T12:00:00+09:00', spend: 99999 }] },
      { authorization: `Bearer ${other.apiKey}` },
    );
    const visits = await t.app.inject({ method: 'GET', url: '/v1/visits?limit=200', headers: t.auth });
    const l2 = (visits.json().items as { externalId: string; customerId: number }[]).find(
      (v) => v.externalId === 'L-V2',
    );
    expect(l2).toMatchObject({ orderId: 'O-L1', spend: 3000 });
    const summary = await t.app.inject({
      method: 'GET',
      url: `/v1/customers/${l2?.customerId}/summary`,
      headers: t.auth,
    });
    expect(summary.statusCode).toBe(200);
    expect(summary.json().clv).toMatchObject({ orders: 1, historicalLtv: 8000, visitSpend: 5000 });
  });

  it("another workspace never sees this workspace's menu items", async () => {
    const other = await newWorkspace(t.database, '別の店');
    const headers = { authorization: `Bearer ${other.apiKey}` };
    await post(
      {
        visits: [
          {
            id: 'S-1',
            customer: hanako,
            visitedAt: '2026-06-01T11:00:00+09:00',
            menuItems: [{ name: 'よその店のメニュー', price: 100 }],
          },
        ],
      },
      headers,
    );
    const mine = await t.app.inject({ method: 'GET', url: '/v1/visits', headers: t.auth });
    const s1 = (mine.json().items as { externalId: string; menuItems: { name: string }[] }[]).find(
      (v) => v.externalId === 'S-1',
    );
    expect(s1?.menuItems.map((m) => m.name)).toEqual(['カット', 'トリートメント', 'ドリンクサービス']);
    const theirs = await t.app.inject({ method: 'GET', url: '/v1/visits', headers });
    expect(theirs.json().items).toMatchObject([
      { externalId: 'S-1', spend: 100, menuItems: [{ name: 'よその店のメニュー' }] },
    ]);
  });
});
