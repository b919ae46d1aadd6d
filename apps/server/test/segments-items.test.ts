// Issue 17, item 6: segment conditions on what a customer bought (product, SKU or category of
// completed orders), on interests, on visits' menu items, and on visit spend. Windows start at a
// JST midnight; another workspace's orders and visits never count; a matching order or visit that
// arrives later moves the customer in through the incremental recompute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeForCustomers } from '../src/segments/recompute-membership.ts';
import type { RuleNode } from '../src/segments/rule-tree.ts';
import { createSegment, listMembers, previewDefinition } from '../src/segments/segment-store.ts';
import { DomainError } from '../src/shared/domain-error.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';

// 2026-06-15 12:00 JST: a 30-day window starts at 2026-05-17 00:00 JST.
const NOW = new Date('2026-06-15T03:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const WINDOW_START = '2026-05-17T00:00:00+09:00';
const JUST_BEFORE = '2026-05-16T23:59:59+09:00';

let t: TestApp;
let other: { workspaceId: string; headers: { authorization: string } };
const ids = new Map<string, number>();

async function post(url: string, payload: Record<string, unknown>, headers = t.auth) {
  const res = await t.app.inject({
    method: url.startsWith('/v1/products') ? 'PUT' : 'POST',
    url,
    headers,
    payload,
  });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
}

const line = (sku: string, quantity: number, unitPrice: number) => ({ sku, name: sku, quantity, unitPrice });
const order = (id: string, key: string, orderedAt: string, lines: unknown[], status = 'completed') => ({
  id,
  customer: { email: `${key.toLowerCase()}@example.jp` },
  status,
  orderedAt,
  total: 1,
  lines,
});
const menu = (name: string, code: string, category: string, price: number) => ({
  name,
  code,
  category,
  price,
});
const visit = (id: string, key: string, visitedAt: string, menuItems: unknown[]) => ({
  id,
  customer: { email: `${key.toLowerCase()}@example.jp` },
  visitedAt,
  menuItems,
});
const COLOR = menu('カラー', 'COLOR', 'カラー', 8800);
const CUT = menu('カット', 'CUT', 'カット', 5500);

beforeAll(async () => {
  t = await createTestApp();
  const ws = await newWorkspace(t.database, '他店');
  other = { workspaceId: ws.workspaceId, headers: { authorization: `Bearer ${ws.apiKey}` } };
  const customers = await post('/v1/customers', {
    customers: [
      { email: 'a@example.jp', interests: ['コーヒー', '紅茶'] },
      { email: 'b@example.jp', interests: ['コーヒー'] },
      ...['c', 'd', 'e', 'f'].map((k) => ({ email: `${k}@example.jp` })),
    ],
  });
  for (const [i, key] of ['A', 'B', 'C', 'D', 'E', 'F'].entries()) ids.set(key, customers.accepted[i].id);
  await post('/v1/products/BEANS-200', { name: 'コーヒー豆 200g', category: 'コーヒー豆' });
  await post('/v1/products/DRIP-10', { name: 'ドリップバッグ 10袋', category: 'ドリップ' });
  await post('/v1/orders', {
    orders: [
      order('O-A1', 'A', ago(10), [line('DRIP-10', 1, 1200), line('BEANS-200', 2, 3000)]),
      order('O-A2', 'A', ago(80), [line('DRIP-10', 1, 1200), line('BEANS-500', 1, 6000)]),
      order('O-B1', 'B', ago(20), [line('DRIP-10', 1, 1200)]),
      order('O-B2', 'B', ago(95), [line('DRIP-10', 1, 1200)]),
      order('O-C1', 'C', ago(40), [line('DRIP-10', 1, 1200), line('BEANS-500', 1, 9000)]),
      order('O-C2', 'C', ago(5), [line('DRIP-10', 1, 1200)], 'cancelled'),
      order('O-E1', 'E', WINDOW_START, [line('DRIP-10', 1, 1200)]),
      order('O-F1', 'F', JUST_BEFORE, [line('DRIP-10', 1, 1200)]),
    ],
  });
  // A product registered after the orders that hold it: its category still counts them.
  await post('/v1/products/BEANS-500', { name: 'コーヒー豆 500g', category: 'コーヒー豆' });
  await post('/v1/visits', {
    visits: [
      visit('V-D1', 'D', ago(10), [COLOR, CUT]),
      visit('V-D2', 'D', ago(60), [COLOR]),
      visit('V-E1', 'E', WINDOW_START, [CUT]),
      visit('V-F1', 'F', JUST_BEFORE, [CUT]),
    ],
  });
  // The same people in another workspace, with orders and visits that would change every answer.
  await post('/v1/products/BEANS-200', { name: '豆', category: 'コーヒー豆' }, other.headers);
  await post(
    '/v1/orders',
    {
      orders: ['A', 'B', 'C', 'D', 'E', 'F'].map((k) =>
        order(`X-${k}`, k, ago(1), [line('DRIP-10', 5, 1200), line('BEANS-200', 5, 3000)]),
      ),
    },
    other.headers,
  );
  await post(
    '/v1/visits',
    { visits: ['A', 'B', 'C', 'D', 'E', 'F'].map((k) => visit(`X-${k}`, k, ago(1), [COLOR, COLOR, CUT])) },
    other.headers,
  );
});
afterAll(async () => t?.close());

const keysOf = (customerIds: number[]) =>
  [...ids].filter(([, id]) => customerIds.includes(id)).map(([key]) => key);

async function members(definition: RuleNode): Promise<string[]> {
  const ws = t.workspace.workspaceId;
  const segment = await createSegment(
    t.database.db,
    ws,
    { name: JSON.stringify(definition), definition },
    { now: NOW },
  );
  const list = await listMembers(t.database.db, ws, segment.id, { limit: 100 });
  const preview = await previewDefinition(t.database.db, ws, definition, { now: NOW });
  expect(preview.count).toBe(list.items.length);
  return keysOf(list.items.map((m) => m.customerId));
}

describe('purchased', () => {
  const cases: [string, RuleNode, string[]][] = [
    [
      'DRIP-10 in at least 2 orders within 90 days (a cancelled order and one 95 days ago do not count)',
      { purchased: { sku: 'DRIP-10', window: { days: 90 } }, op: 'gte', value: 2 },
      ['A'],
    ],
    [
      'DRIP-10 within 30 days: 2026-05-17 00:00 JST is in, 23:59:59 the day before is not',
      { purchased: { sku: 'DRIP-10', window: { days: 30 } }, op: 'gte', value: 1 },
      ['A', 'B', 'E'],
    ],
    [
      '¥10,000 or more on the category コーヒー豆 (line amounts; a product registered later counts)',
      { purchased: { category: 'コーヒー豆', measure: 'amount' }, op: 'gte', value: 10000 },
      ['A'],
    ],
    [
      'fewer than 2 units of DRIP-10 or BEANS-200 (customers who never bought either included)',
      { purchased: { sku: ['DRIP-10', 'BEANS-200'], measure: 'quantity' }, op: 'lt', value: 2 },
      ['C', 'D', 'E', 'F'],
    ],
    [
      'by line name (shops without SKUs)',
      { purchased: { product: 'BEANS-500' }, op: 'eq', value: 1 },
      ['A', 'C'],
    ],
    [
      'cross-sell: bought DRIP-10, never any コーヒー豆',
      {
        and: [
          { purchased: { sku: 'DRIP-10' }, op: 'gte', value: 1 },
          { not: { purchased: { category: 'コーヒー豆' }, op: 'gte', value: 1 } },
        ],
      },
      ['B', 'E', 'F'],
    ],
  ];
  for (const [name, definition, expected] of cases)
    it(name, async () => expect(await members(definition)).toEqual(expected));
});

describe('interests', () => {
  it('any and all', async () => {
    expect(await members({ interests: { any: ['紅茶'] } })).toEqual(['A']);
    expect(await members({ interests: { all: ['コーヒー', '紅茶'] } })).toEqual(['A']);
    expect(await members({ interests: { any: ['コーヒー', '抹茶'] } })).toEqual(['A', 'B']);
    expect(await members({ not: { interests: { any: ['コーヒー'] } } })).toEqual(['C', 'D', 'E', 'F']);
  });
});

describe('visit menu and visit spend', () => {
  const cases: [string, RuleNode, string[]][] = [
    ['カラー at 2 or more visits', { visitMenu: { category: 'カラー' }, op: 'gte', value: 2 }, ['D']],
    [
      'CUT within 30 days (JST window edge)',
      { visitMenu: { code: 'CUT', window: { days: 30 } }, op: 'gte', value: 1 },
      ['D', 'E'],
    ],
    ['never had カラー', { visitMenu: { name: 'カラー' }, op: 'eq', value: 0 }, ['A', 'B', 'C', 'E', 'F']],
    [
      'カット worth ¥5,500 or more (price × quantity)',
      { visitMenu: { name: ['カット'], measure: 'amount' }, op: 'gte', value: 5500 },
      ['D', 'E', 'F'],
    ],
    [
      'visit spend ¥10,000 or more within 30 days',
      { aggregate: { of: 'visits', measure: 'sum', window: { days: 30 } }, op: 'gte', value: 10000 },
      ['D'],
    ],
    [
      'visit spend under ¥6,000 (no visits is ¥0)',
      { aggregate: { of: 'visits', measure: 'sum' }, op: 'lt', value: 6000 },
      ['A', 'B', 'C', 'E', 'F'],
    ],
  ];
  for (const [name, definition, expected] of cases)
    it(name, async () => expect(await members(definition)).toEqual(expected));
});

describe('incremental recompute', () => {
  it('a matching order or visit moves the customer in; other segments are left alone', async () => {
    const ws = t.workspace.workspaceId;
    const db = t.database.db;
    const bought = await createSegment(
      db,
      ws,
      { name: 'DRIP-10 twice', definition: { purchased: { sku: 'DRIP-10' }, op: 'gte', value: 2 } },
      { now: NOW },
    );
    const color = await createSegment(
      db,
      ws,
      { name: 'カラー twice', definition: { visitMenu: { category: 'カラー' }, op: 'gte', value: 2 } },
      { now: NOW },
    );
    const spend = await createSegment(
      db,
      ws,
      {
        name: 'visit spend',
        definition: { aggregate: { of: 'visits', measure: 'sum' }, op: 'gte', value: 10000 },
      },
      { now: NOW },
    );
    const keys = async (id: number) =>
      keysOf((await listMembers(db, ws, id, { limit: 100 })).items.map((m) => m.customerId));
    expect([await keys(bought.id), await keys(color.id), await keys(spend.id)]).toEqual([
      ['A', 'B'],
      ['D'],
      ['D'],
    ]);

    await post('/v1/orders', { orders: [order('O-F2', 'F', ago(1), [line('DRIP-10', 1, 1200)])] });
    const F = ids.get('F')!;
    await recomputeForCustomers(db, ws, [F], { now: NOW, change: { topic: 'orders.changed' } });
    expect([await keys(bought.id), await keys(color.id)]).toEqual([['A', 'B', 'F'], ['D']]);

    await post('/v1/visits', {
      visits: [visit('V-F2', 'F', ago(1), [COLOR, COLOR]), visit('V-F3', 'F', ago(0), [COLOR])],
    });
    await recomputeForCustomers(db, ws, [F], { now: NOW, change: { topic: 'visits.recorded' } });
    expect([await keys(bought.id), await keys(color.id), await keys(spend.id)]).toEqual([
      ['A', 'B', 'F'],
      ['D', 'F'],
      ['D', 'F'],
    ]);
  });
});

describe('validation', () => {
  const problemsOf = async (definition: unknown) => {
    try {
      await previewDefinition(t.database.db, t.workspace.workspaceId, definition, { now: NOW });
    } catch (e) {
      if (e instanceof DomainError) return e.problems.map((p) => p.path);
      throw e;
    }
    return [];
  };
  it('names the JSON path of each problem', async () => {
    expect(
      await problemsOf({
        and: [{ tag: 'x' }, { purchased: { sku: 'A', category: 'B' }, op: 'gte', value: 1 }],
      }),
    ).toEqual(['definition.and[1].purchased']);
    expect(
      await problemsOf({
        purchased: { sku: [], measure: 'visits', window: { days: 0 }, colour: 1 },
        op: 'between',
        value: 'x',
      }),
    ).toEqual([
      'definition.purchased.sku',
      'definition.purchased.colour',
      'definition.purchased.measure',
      'definition.purchased.window.days',
      'definition.op',
      'definition.value',
    ]);
    expect(await problemsOf({ not: { visitMenu: { sku: 'CUT' }, op: 'gte', value: 1 } })).toEqual([
      'definition.not.visitMenu',
      'definition.not.visitMenu.sku',
    ]);
    expect(await problemsOf({ interests: { any: [] } })).toEqual(['definition.interests.any']);
    expect(await problemsOf({ interests: ['コーヒー'] })).toEqual(['definition.interests']);
    expect(await problemsOf({ aggregate: { of: 'events', measure: 'sum' }, op: 'gte', value: 1 })).toEqual([
      'definition.aggregate.measure',
    ]);
    expect(await problemsOf({ aggregate: { of: 'visits', measure: 'sum' }, op: 'gte', value: 1 })).toEqual(
      [],
    );
  });
});
