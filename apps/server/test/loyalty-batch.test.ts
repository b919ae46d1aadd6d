// The loyalty-orders batch handler gives exactly what the jobs would give one at a time: two
// workspaces receive the same orders (tiers that change along the way, a bonus period, an excluded
// SKU, an order stamp card), then the same refunds and cancellations; one workspace's orders are
// synced by batches whose jobs overlap and share customers, the other's one order per job in
// order-id order. Points, entries, lots, tiers, tier changes and stamps must be identical.

import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueuedJob } from '../src/jobs/job-types.ts';
import { LOYALTY_JOBS, syncOrderBatch } from '../src/loyalty/jobs.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';
import { expectLedgerConsistent } from './loyalty-helpers.ts';

let t: TestApp;
beforeAll(async () => {
  // No job system: the orders endpoint publishes nothing, so the test decides how jobs run.
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const DAY = 86_400_000;
const now = Date.now();
const RULES = {
  excludedSkus: ['GIFT'],
  bonusPeriods: [
    {
      from: new Date(now - 10 * DAY).toISOString(),
      until: new Date(now - 5 * DAY).toISOString(),
      multiplier: 2,
    },
  ],
};

/** Order n: customers 0-3 (0 buys most, so reaches silver then gold), some with a gift line. */
function order(n: number, change: Record<string, unknown> = {}) {
  const total = 8_000 + ((n * 7_919) % 40) * 1_000;
  return {
    id: `ORD-${n}`,
    customer: { email: `member${[0, 0, 1, 0, 2, 1, 0, 3, 0, 1, 2, 0][n % 12]}@example.jp` },
    orderedAt: new Date(now - (30 - n) * DAY).toISOString(),
    total,
    lines: [
      { sku: 'FOOD', name: '食品', quantity: 1, unitPrice: total - 2_000 },
      { sku: n % 3 ? 'FOOD' : 'GIFT', name: '包装', quantity: 1, unitPrice: 2_000 },
    ],
    ...change,
  };
}

const FIRST = Array.from({ length: 12 }, (_, n) => order(n));
const SECOND = [
  order(1, { refundedAmount: 5_000 }),
  order(3, { status: 'cancelled' }),
  order(6, { status: 'refunded', refundedAmount: order(6).total }),
  order(8, { refundedAmount: 1_000 }),
  order(12),
  order(13),
];

async function setUp(name: string) {
  const ws = await newWorkspace(t.database, name);
  const headers = { authorization: `Bearer ${ws.apiKey}` };
  const post = async (method: 'PUT' | 'POST', url: string, payload: object) => {
    const res = await t.app.inject({ method, url, headers, payload });
    expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  };
  await post('PUT', '/v1/loyalty/rules', RULES);
  await post('POST', '/v1/loyalty/stamp-cards', {
    name: 'ご来店スタンプ',
    stampsRequired: 3,
    stampPer: 'order',
    minOrderTotal: 20_000,
    rewards: [],
  });
  return { id: ws.workspaceId, send: (orders: object[]) => post('POST', '/v1/orders', { orders }) };
}

async function orderIds(ws: string, externalIds: string[]) {
  const { rows } = await sql<{ id: number }>`select id from customer_order
    where workspace_id = ${ws} and external_id = any(${externalIds}::text[]) order by id`.execute(
    t.database.db,
  );
  return rows.map((r) => Number(r.id));
}

const context = () => ({ database: t.database, logger: pino({ level: 'silent' }), secrets: t.secrets });

/** Jobs that overlap (ids in two jobs) and share customers, in one batch. */
async function syncAsBatch(ws: string, ids: number[]) {
  const jobs: QueuedJob[] = [
    { id: 'a', data: { workspaceId: ws, orderIds: ids.filter((_, i) => i % 2 === 0) }, retryCount: 0 },
    { id: 'b', data: { workspaceId: ws, orderIds: ids.slice(0, Math.ceil(ids.length / 2)) }, retryCount: 0 },
    { id: 'c', data: { workspaceId: ws, orderIds: ids.filter((_, i) => i % 2 === 1) }, retryCount: 0 },
  ];
  expect([...(await syncOrderBatch(jobs, context())).keys()]).toEqual([]);
}

/** One job per order, each run alone, in order-id order. */
async function syncOneByOne(ws: string, ids: number[]) {
  const job = LOYALTY_JOBS.find((d) => d.name === 'loyalty-orders')!;
  for (const id of ids) await job.run({ workspaceId: ws, orderIds: [id] }, context());
}

/** The workspace's loyalty state, named by emails and order ids rather than row ids. */
async function snapshot(ws: string) {
  type Row = Record<string, unknown>;
  const q = async (query: ReturnType<typeof sql<Row>>) => (await query.execute(t.database.db)).rows;
  const email = sql`(select value from customer_identity i where i.workspace_id = ${ws}
    and i.customer_id = x.customer_id and i.kind = 'email')`;
  return {
    members: await q(sql<Row>`select ${email} as email, x.balance, x.tier_code,
        (select coalesce(sum(remaining), 0) from point_lot l where l.workspace_id = x.workspace_id
          and l.customer_id = x.customer_id)::int as lots
      from loyalty_member x where x.workspace_id = ${ws} order by 1`),
    entries: await q(sql<Row>`select o.external_id, e.kind, e.points, e.order_points, e.detail
      from point_entry e join customer_order o on o.workspace_id = e.workspace_id and o.id = e.order_id
      where e.workspace_id = ${ws} order by o.external_id, e.id`),
    tiers: await q(sql<Row>`select ${email} as email, x.from_tier, x.to_tier, x.basis_value
      from tier_change x where x.workspace_id = ${ws} order by 1, x.id`),
    stamps: await q(sql<Row>`select ${email} as email, count(*)::int as n
      from stamp_entry x where x.workspace_id = ${ws} group by x.customer_id order by 1`),
    // The loyalty events each customer got, in order (tier changes are posted per chunk), without row ids.
    events:
      await q(sql<Row>`select ${email} as email, x.type, x.payload - 'tierChangeId' - 'cardId' - 'templateId' as payload
      from domain_event x where x.workspace_id = ${ws} and x.type like 'loyalty.%' order by 1, x.seq`),
  };
}

describe('loyalty-orders: a batch earns exactly what one-by-one jobs would', () => {
  it('on first sync, and after refunds, cancellations and new orders', async () => {
    const batched = await setUp('まとめて同期店');
    const single = await setUp('一件ずつ同期店');
    for (const round of [FIRST, SECOND]) {
      const externalIds = round.map((o) => o.id);
      await batched.send(round);
      await single.send(round);
      await syncAsBatch(batched.id, await orderIds(batched.id, externalIds));
      await syncOneByOne(single.id, await orderIds(single.id, externalIds));
      expect(await snapshot(batched.id)).toEqual(await snapshot(single.id));
    }
    const state = await snapshot(batched.id);
    // The comparison covers what can go wrong: multipliers above 1, reversals, tier moves, stamps.
    expect(state.entries.filter((e) => e.kind === 'reverse').length).toBeGreaterThanOrEqual(3);
    expect(new Set(state.members.map((m) => m.tier_code))).toEqual(new Set(['silver', 'gold']));
    expect(state.entries.some((e) => Number((e.detail as { multiplier: number }).multiplier) >= 2)).toBe(
      true,
    );
    expect(state.stamps.length).toBeGreaterThan(0);
    expect(state.events.filter((e) => e.type === 'loyalty.tier_changed').length).toBeGreaterThanOrEqual(3);
    await expectLedgerConsistent(t.database, batched.id);
    await expectLedgerConsistent(t.database, single.id);
  });
});
