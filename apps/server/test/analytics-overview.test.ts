// GET /v1/analytics/overview: the dashboard's headline figures, counted on hand-built data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOverview, STORED_FROM_CUSTOMERS } from '../src/analytics/overview.ts';
import { createTestApp, lineUserId, newWorkspace, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function call(method: 'GET' | 'POST', url: string, auth: Record<string, string>, payload?: object) {
  const res = await t.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Two LINE friends and one block on a channel of the workspace (rows as the webhook leaves them). */
async function lineFriends(workspaceId: string, customerIds: number[]) {
  const { db } = t.database;
  const channel = await db
    .insertInto('line_channel')
    .values({
      workspace_id: workspaceId,
      line_channel_id: '2000000001',
      secret_sealed: 'x',
      access_token_sealed: 'x',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('line_friend')
    .values(
      customerIds.map((customerId, i) => ({
        workspace_id: workspaceId,
        channel_id: channel.id,
        line_user_id: lineUserId(i + 1),
        customer_id: customerId,
        status: i === 2 ? ('blocked' as const) : ('friend' as const),
        last_event_at: new Date('2026-11-01T00:00:00Z'),
      })),
    )
    .execute();
}

describe('GET /v1/analytics/overview', () => {
  it('counts customers, buyers, repeaters, LTV per buyer and LINE friends of this workspace only', async () => {
    const auth = t.auth;
    await call('POST', '/v1/customers', auth, {
      customers: [0, 1, 2, 3].map((i) => ({ email: `o${i}@example.jp`, familyName: '山田' })),
    });
    // c0: 3 orders, c1: 1, c2: 2, c3: none → 3 buyers, 2 repeaters, 6 orders of 1,000 + 100·k yen.
    const counts = [3, 1, 2, 0];
    const orders = counts.flatMap((n, i) =>
      Array.from({ length: n }, (_, k) => ({
        id: `O${i}-${k}`,
        customer: { email: `o${i}@example.jp` },
        orderedAt: `2026-0${k + 1}-15T03:00:00Z`,
        total: 1000 + 100 * k,
      })),
    );
    await call('POST', '/v1/orders', auth, { orders });
    await call('POST', '/v1/analytics/refresh', auth);
    const { items } = (await call('GET', '/v1/customers?limit=10', auth)) as { items: { id: number }[] };
    await lineFriends(
      t.workspace.workspaceId,
      items.slice(0, 3).map((c) => c.id),
    );
    // Another brand's customer and order must not show up in this workspace's figures.
    const other = await newWorkspace(t.database, '別ブランド');
    const otherAuth = { authorization: `Bearer ${other.apiKey}` };
    await call('POST', '/v1/orders', otherAuth, {
      orders: [
        { id: 'X1', customer: { email: 'x@example.jp' }, orderedAt: '2026-03-01T00:00:00Z', total: 99_999 },
      ],
    });
    await call('POST', '/v1/analytics/refresh', otherAuth);

    // Revenue: c0 1,000 + 1,100 + 1,200, c1 1,000, c2 1,000 + 1,100 = 6,400 over 3 buyers = 2,133.33.
    expect(await call('GET', '/v1/analytics/overview', auth)).toEqual({
      customers: 4,
      buyers: 3,
      repeatBuyers: 2,
      repeatRate: 2 / 3,
      historicalLtv: 2133,
      predictedClv: null,
      lineFriends: 2,
      lineBlocked: 1,
      // A small workspace is counted at each read: the friends added after the refresh are in.
      computedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      freshness: 'live',
    });
    expect(await call('GET', '/v1/analytics/overview', otherAuth)).toMatchObject({
      customers: 1,
      buyers: 1,
      historicalLtv: 99_999,
      lineFriends: 0,
    });
  });

  it('answers an empty workspace with zeros and nulls, not a division by zero', async () => {
    const empty = await newWorkspace(t.database, '空の店');
    expect(await call('GET', '/v1/analytics/overview', { authorization: `Bearer ${empty.apiKey}` })).toEqual({
      customers: 0,
      buyers: 0,
      repeatBuyers: 0,
      repeatRate: null,
      historicalLtv: null,
      predictedClv: null,
      lineFriends: 0,
      lineBlocked: 0,
      computedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      freshness: 'live',
    });
  });

  it("reads a large workspace's figures from the last refresh, and says so", async () => {
    // 100,000 customers do not fit a test: the threshold is lowered to 2 for this read.
    expect(STORED_FROM_CUSTOMERS).toBe(100_000);
    const shop = await newWorkspace(t.database, '大きな店');
    const auth = { authorization: `Bearer ${shop.apiKey}` };
    const add = (emails: string[]) =>
      call('POST', '/v1/customers', auth, { customers: emails.map((email) => ({ email })) });
    await add(['a@example.jp', 'b@example.jp']);
    await call('POST', '/v1/analytics/refresh', auth);
    const refreshedBy = new Date();
    await add(['c@example.jp']);
    const { db } = t.database;
    const stored = await readOverview(db, shop.workspaceId, { storedFrom: 2 });
    expect(stored).toMatchObject({ customers: 2, freshness: 'hourly' });
    expect(Date.parse(stored.computedAt)).toBeLessThanOrEqual(refreshedBy.getTime());
    // Under the threshold (the default here), the same workspace is counted now: the third is in.
    expect(await call('GET', '/v1/analytics/overview', auth)).toMatchObject({
      customers: 3,
      freshness: 'live',
    });
    await call('POST', '/v1/analytics/refresh', auth);
    expect(await readOverview(db, shop.workspaceId, { storedFrom: 2 })).toMatchObject({
      customers: 3,
      freshness: 'hourly',
    });
  });

  it('needs the read scope', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/analytics/overview' });
    expect(res.statusCode).toBe(401);
  });
});
