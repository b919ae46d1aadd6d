// Issue 17, item 1: GET /v1/orders and /v1/orders/:id — cursor pages newest first with no
// duplicates or gaps, each filter, 404 for another workspace's ids, 400 naming the field for bad
// cursors, ids and ranges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/workspaces/api-keys.ts';
import { createTestApp, lineUserId, newWorkspace, type TestApp } from './helpers.ts';

let t: TestApp;
let other: { authorization: string };
const get = (url: string, headers = t.auth) => t.app.inject({ method: 'GET', url, headers });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface OrderItem {
  id: number;
  externalId: string;
  customerId: number;
  orderedAt: string;
  status: string;
  storeCode: string | null;
  total: number;
  lines: { sku: string | null; unitPrice: number; amount: number }[];
}

/** Every page of a listing, following nextCursor. */
async function allPages(url: string, limit: number): Promise<OrderItem[][]> {
  const pages: OrderItem[][] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await get(`${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { items: OrderItem[]; nextCursor: string | null };
    pages.push(body.items);
    cursor = body.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
}

// 23 orders over two customers and two stores; five share one instant so the id breaks ties.
const SAME_INSTANT = '2026-05-01T12:00:00+09:00';
function seedOrders() {
  return Array.from({ length: 23 }, (_, i) => ({
    id: `R-${String(i).padStart(3, '0')}`,
    customer: { lineUserId: lineUserId(i % 2 === 0 ? 1 : 2) },
    storeCode: i % 3 === 0 ? 'umeda' : 'shibuya',
    status: i % 5 === 0 ? 'cancelled' : 'completed',
    orderedAt: i < 5 ? SAME_INSTANT : new Date(Date.UTC(2026, 3, 1 + i, 1, 0, 0)).toISOString(),
    total: 1000 + i,
    lines: [
      {
        sku: i % 4 === 0 ? 'MATCHA' : 'LATTE',
        name: i % 4 === 0 ? '抹茶ラテ' : 'カフェラテ',
        quantity: 1,
        unitPrice: 1000 + i,
      },
    ],
  }));
}

beforeAll(async () => {
  t = await createTestApp();
  for (const [code, name] of [
    ['shibuya', '渋谷店'],
    ['umeda', '梅田店'],
  ])
    await t.app.inject({ method: 'PUT', url: `/v1/stores/${code}`, headers: t.auth, payload: { name } });
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: t.auth,
    payload: { orders: seedOrders() },
  });
  expect(res.statusCode, res.body).toBe(200);
  // A refund, so the order's history has more than its creation.
  const refund = await t.app.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: t.auth,
    payload: { orders: [{ ...seedOrders()[7], status: 'refunded', refundedAmount: 1007 }] },
  });
  expect(refund.statusCode, refund.body).toBe(200);
  const b = await newWorkspace(t.database, '別の店');
  other = { authorization: `Bearer ${b.apiKey}` };
  const otherOrder = await t.app.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: other,
    payload: {
      orders: [
        {
          id: 'B-1',
          customer: { email: 'b@example.jp' },
          orderedAt: '2026-05-02T10:00:00+09:00',
          total: 500,
        },
      ],
    },
  });
  expect(otherOrder.statusCode, otherOrder.body).toBe(200);
});
afterAll(async () => t?.close());

/** Newest first by (orderedAt, id). */
function expectNewestFirst(items: OrderItem[]) {
  for (let i = 1; i < items.length; i++) {
    const [a, b] = [items[i - 1]!, items[i]!];
    const at = Date.parse(a.orderedAt) - Date.parse(b.orderedAt);
    expect(at > 0 || (at === 0 && a.id > b.id), `${a.externalId} before ${b.externalId}`).toBe(true);
  }
}

describe('GET /v1/orders', () => {
  it('pages through every order newest first, with no duplicates and no gaps, ties broken by id', async () => {
    const pages = await allPages('/v1/orders', 4);
    expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 4, 4, 3]);
    const items = pages.flat();
    expect(new Set(items.map((o) => o.externalId)).size).toBe(23);
    expect(items.map((o) => o.externalId).sort()).toEqual(seedOrders().map((o) => o.id));
    expectNewestFirst(items);
    expect(
      items
        .slice(0, 5)
        .map((o) => o.externalId)
        .sort(),
    ).toEqual(['R-000', 'R-001', 'R-002', 'R-003', 'R-004']);
    // The other workspace's order is not listed.
    expect(items.some((o) => o.externalId === 'B-1')).toBe(false);
  });

  it('returns each order with its lines, money as integer yen and camelCase fields only', async () => {
    const res = await get('/v1/orders?limit=200');
    const r10 = (res.json().items as OrderItem[]).find((o) => o.externalId === 'R-010')!;
    expect(r10).toMatchObject({
      status: 'cancelled',
      storeCode: 'shibuya',
      total: 1010,
      currency: 'JPY',
      orderedAt: '2026-04-11T01:00:00.000Z',
      lines: [{ lineNo: 1, sku: 'LATTE', name: 'カフェラテ', quantity: 1, unitPrice: 1010, amount: 1010 }],
    });
    expect(Object.keys(r10)).not.toContain('workspace_id');
    expect(Object.keys(r10).every((k) => /^[a-z][A-Za-z]*$/.test(k))).toBe(true);
  });

  it('filters by customer, status, store, SKU and date range, and combines them', async () => {
    const all = (await get('/v1/orders?limit=200')).json().items as OrderItem[];
    const customerOf0 = all.find((o) => o.externalId === 'R-000')!.customerId;
    const ids = async (query: string) =>
      (((await get(`/v1/orders?limit=200&${query}`)).json().items ?? []) as OrderItem[])
        .map((o) => o.externalId)
        .sort();
    const seeds = seedOrders();
    const expected = (keep: (o: (typeof seeds)[number], i: number) => boolean) =>
      seeds
        .filter(keep)
        .map((o) => o.id)
        .sort();
    expect(await ids(`customerId=${customerOf0}`)).toEqual(expected((_, i) => i % 2 === 0));
    expect(await ids('status=cancelled')).toEqual(expected((_, i) => i % 5 === 0));
    expect(await ids('status=refunded')).toEqual(['R-007']);
    expect(await ids('storeCode=umeda')).toEqual(expected((_, i) => i % 3 === 0));
    expect(await ids('sku=MATCHA')).toEqual(expected((_, i) => i % 4 === 0));
    // from is inclusive, to exclusive: 2026-04-10T01:00Z (R-009) up to but not 2026-04-13T01:00Z (R-012).
    expect(await ids('from=2026-04-10T01:00:00Z&to=2026-04-13T01:00:00Z')).toEqual([
      'R-009',
      'R-010',
      'R-011',
    ]);
    expect(await ids(`customerId=${customerOf0}&storeCode=umeda&sku=MATCHA`)).toEqual(
      expected((_, i) => i % 2 === 0 && i % 3 === 0 && i % 4 === 0),
    );
    expect(await ids('storeCode=nowhere')).toEqual([]);
  });

  it('pages a filtered listing without gaps', async () => {
    const items = (await allPages('/v1/orders?storeCode=shibuya', 3)).flat();
    expect(items.map((o) => o.externalId).sort()).toEqual(
      seedOrders()
        .filter((_, i) => i % 3 !== 0)
        .map((o) => o.id)
        .sort(),
    );
    expectNewestFirst(items);
  });

  it("answers 404 for another workspace's customer", async () => {
    const theirs = (await get('/v1/orders', other)).json().items as OrderItem[];
    expect(theirs.map((o) => o.externalId)).toEqual(['B-1']);
    const res = await get(`/v1/orders?customerId=${theirs[0]!.customerId}`);
    expect(res.statusCode).toBe(404);
  });

  it.each([
    ['a cursor that is not base64url JSON', 'cursor=abc', 'querystring.cursor'],
    [
      'a cursor with an impossible date',
      `cursor=${b64(['2026-02-30T00:00:00.000000Z', '5'])}`,
      'querystring.cursor',
    ],
    ['a cursor with year 0', `cursor=${b64(['0000-01-01T00:00:00.000000Z', '5'])}`, 'querystring.cursor'],
    [
      'a cursor whose id is past 64 bits',
      `cursor=${b64(['2026-04-01T00:00:00.000000Z', '9223372036854775808'])}`,
      'querystring.cursor',
    ],
    [
      'a cursor holding a NUL byte',
      `cursor=${b64(['2026-04-01T00:00:00.000000Z\u0000', '5'])}`,
      'querystring.cursor',
    ],
    ['a cursor with a NUL in the query', 'cursor=ab%00cd', 'querystring.cursor'],
    ['a cursor of the wrong shape', `cursor=${b64({ at: 1 })}`, 'querystring.cursor'],
    ['limit 0', 'limit=0', 'querystring.limit'],
    ['limit 201', 'limit=201', 'querystring.limit'],
    ['a customer id past 64 bits', 'customerId=99999999999999999999', 'querystring.customerId'],
    ['a store code with a NUL', 'storeCode=a%00b', 'querystring.storeCode'],
    ['a SKU with a NUL', 'sku=%00', 'querystring.sku'],
    ['an unknown status', 'status=lost', 'querystring.status'],
    ['a from after to', 'from=2026-05-01T00:00:00Z&to=2026-04-01T00:00:00Z', 'querystring.to'],
    ['a from in year 0', 'from=0000-01-01T00:00:00Z', 'querystring.from'],
    ['an unknown parameter', 'colour=red', 'querystring.colour'],
  ])('answers 400 naming the field for %s', async (_, query, field) => {
    const res = await get(`/v1/orders?${query}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.problems.map((p: { path: string }) => p.path)).toContain(field);
  });

  it('needs the read scope', async () => {
    const key = await createApiKey(t.database.db, {
      workspaceId: t.workspace.workspaceId,
      name: 'ingest only',
      scopes: ['ingest'],
    });
    expect((await get('/v1/orders', { authorization: `Bearer ${key.token}` })).statusCode).toBe(403);
    expect((await get('/v1/orders', {} as { authorization: string })).statusCode).toBe(401);
  });
});

describe('merged customers', () => {
  it("lists a merged-away id's orders under its survivor, and the karte answers for the survivor", async () => {
    const placed = await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: t.auth,
      payload: {
        orders: [
          {
            id: 'M-1',
            customer: { email: 'merge@example.jp' },
            orderedAt: '2026-06-01T10:00:00+09:00',
            total: 800,
          },
          {
            id: 'M-2',
            customer: { phone: '090-1111-2222' },
            orderedAt: '2026-06-02T10:00:00+09:00',
            total: 900,
          },
        ],
      },
    });
    expect(placed.statusCode, placed.body).toBe(200);
    const byExternal = async (externalId: string) =>
      ((await get('/v1/orders?limit=200')).json().items as OrderItem[]).find(
        (o) => o.externalId === externalId,
      )!;
    const [first, second] = [await byExternal('M-1'), await byExternal('M-2')];
    const merged = await t.app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: t.auth,
      payload: { customers: [{ email: 'merge@example.jp', phone: '090-1111-2222' }] },
    });
    expect(merged.json().accepted[0]).toMatchObject({ id: first.customerId, mergedIds: [second.customerId] });
    const listed = (await get(`/v1/orders?customerId=${second.customerId}`)).json().items as OrderItem[];
    expect(listed.map((o) => o.externalId)).toEqual(['M-2', 'M-1']);
    const timeline = (await get(`/v1/customers/${second.customerId}/timeline`)).json().items as {
      kind: string;
      order?: { externalId: string };
    }[];
    expect(timeline.filter((e) => e.kind === 'order').map((e) => e.order?.externalId)).toEqual([
      'M-2',
      'M-1',
    ]);
    const summary = (await get(`/v1/customers/${second.customerId}/summary`)).json();
    expect(summary).toMatchObject({ customerId: first.customerId, mergedInto: first.customerId });
  });
});

describe('GET /v1/orders/:id', () => {
  it('returns one order with its lines and its history, oldest first', async () => {
    const list = (await get('/v1/orders?status=refunded')).json().items as OrderItem[];
    const res = await get(`/v1/orders/${list[0]!.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      externalId: 'R-007',
      status: 'refunded',
      refundedAmount: 1007,
      lines: [{ sku: 'LATTE', amount: 1007 }],
      history: [
        { kind: 'created', toStatus: 'completed', amount: 1007 },
        { kind: 'status_changed', fromStatus: 'completed', toStatus: 'refunded' },
        { kind: 'refunded', amount: 1007 },
      ],
    });
  });

  it("answers 404 for another workspace's order and an unknown id", async () => {
    const theirs = (await get('/v1/orders', other)).json().items as OrderItem[];
    expect((await get(`/v1/orders/${theirs[0]!.id}`, other)).statusCode).toBe(200);
    expect((await get(`/v1/orders/${theirs[0]!.id}`)).statusCode).toBe(404);
    expect((await get('/v1/orders/9007199254740991')).statusCode).toBe(404);
  });

  it.each([
    ['past 64 bits', '99999999999999999999'],
    ['past 2^53', '9007199254740993'],
    ['zero', '0'],
    ['with a NUL byte', '1%00'],
    ['not a number', 'abc'],
  ])('answers 400 naming the id for an id %s', async (_, id) => {
    const res = await get(`/v1/orders/${id}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.problems.map((p: { path: string }) => p.path)).toContain('params.id');
  });
});
