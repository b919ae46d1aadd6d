// The loyalty and segment queues keep up with ingest (issue #19, item 3): jobs queued while no
// worker ran are coalesced when one starts and every customer and order is handled, nothing lost
// and nothing twice; a burst of ingest batches through the API drains with the worker running;
// and inside a coalesced batch, a failing job fails alone.
import { randomBytes } from 'node:crypto';
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Database } from '../src/db/open-database.ts';
import { type App, buildApp } from '../src/http/app.ts';
import type { Jobs, QueuedJob } from '../src/jobs/job-types.ts';
import { startJobs } from '../src/jobs/jobs.ts';
import { JOBS } from '../src/jobs/registry.ts';
import { syncOrderBatch } from '../src/loyalty/jobs.ts';
import { evaluateSegment } from '../src/segments/evaluate-membership.ts';
import { recomputeBatch } from '../src/segments/segment-jobs.ts';
import { createSecretBox } from '../src/shared/secret-box.ts';
import type { InitResult } from '../src/workspaces/workspaces.ts';
import { createTestDatabase, lineUserId, newWorkspace } from './helpers.ts';
import { capturingLogger, type LogLine } from './jobs-helpers.ts';
import { expectLedgerConsistent } from './loyalty-helpers.ts';

const secrets = createSecretBox(randomBytes(32));
const log = capturingLogger();
let database: Database;
let producer: Jobs;
let worker: Jobs | undefined;
let app: App;

beforeAll(async () => {
  database = await createTestDatabase();
  // The API publishes through a process that runs no jobs; the worker starts in the tests.
  producer = await startJobs(database, JOBS, { logger: pino({ level: 'silent' }), work: false, secrets });
  app = await buildApp({ database, logger: false, secrets, jobs: producer });
});
afterAll(async () => {
  await app?.close();
  await worker?.stop(5_000);
  await producer?.stop(5_000);
  await database?.close();
});

/** Segments that read orders (whole life, and a 30-day window), events of two types, and identities. */
const SEGMENTS = [
  { aggregate: { of: 'orders', measure: 'count' }, op: 'gte', value: 2 },
  { aggregate: { of: 'orders', measure: 'sum', window: { days: 30 } }, op: 'gte', value: 15000 },
  {
    aggregate: { of: 'events', type: 'page_view', measure: 'count', window: { days: 7 } },
    op: 'gte',
    value: 3,
  },
  { and: [{ identity: 'line' }, { aggregate: { of: 'orders', measure: 'count' }, op: 'eq', value: 0 }] },
  { aggregate: { of: 'events', type: 'reservation', measure: 'count' }, op: 'gte', value: 1 },
];

interface Shop {
  workspace: InitResult;
  auth: { authorization: string };
  segmentIds: number[];
}

async function newShop(name: string): Promise<Shop> {
  const workspace = await newWorkspace(database, name);
  const auth = { authorization: `Bearer ${workspace.apiKey}` };
  // One tier: every order earns total / 100 points, whatever order the jobs run in.
  const rules = await app.inject({
    method: 'PUT',
    url: '/v1/loyalty/rules',
    headers: auth,
    payload: { tiers: [{ code: 'regular', name: 'レギュラー', threshold: 0, multiplier: 1 }] },
  });
  expect(rules.statusCode).toBe(200);
  const segmentIds: number[] = [];
  for (const [i, definition] of SEGMENTS.entries()) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: auth,
      payload: { name: `セグメント${i + 1}`, definition },
    });
    expect(res.statusCode).toBe(201);
    segmentIds.push(res.json().id);
  }
  return { workspace, auth, segmentIds };
}

/** Customer n: by email; the first half also by LINE userId (so some are LINE customers). */
const ref = (n: number, pool: number) =>
  n < pool / 2 ? { email: `c${n}@example.jp`, lineUserId: lineUserId(n + 1) } : { email: `c${n}@example.jp` };

/** Batch b: 3 orders (totals in ¥500 steps) and 5 events for customers of a small pool, so they overlap. */
async function ingest(shop: Shop, b: number, pool: number, target = app) {
  const now = Date.now();
  const orders = Array.from({ length: 3 }, (_, k) => ({
    id: `O-${b}-${k}`,
    customer: ref((b * 3 + k * 7) % pool, pool),
    orderedAt: new Date(now - ((b + k) % 40) * 86_400_000).toISOString(),
    total: 1000 + ((b * 7 + k * 13) % 20) * 500,
  }));
  const events = Array.from({ length: 5 }, (_, k) => ({
    id: `E-${b}-${k}`,
    type: k % 3 === 2 ? 'reservation' : 'page_view',
    occurredAt: new Date(now - ((b + k) % 10) * 86_400_000).toISOString(),
    customer: ref((b * 5 + k * 3 + 1) % pool, pool),
  }));
  for (const [url, payload] of [
    ['/v1/orders', { orders }],
    ['/v1/events', { events }],
  ] as const) {
    const res = await target.inject({ method: 'POST', url, headers: shop.auth, payload });
    expect(res.statusCode, `${url} batch ${b}: ${res.body}`).toBe(200);
  }
}

/** Runs the batches `concurrency` at a time. */
async function ingestAll(shop: Shop, batches: number, pool: number, concurrency = 4) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches) await ingest(shop, next++, pool);
    }),
  );
}

const QUEUES = ['loyalty-orders', 'segments-recompute'];

async function drained(jobs: Jobs) {
  const stats = (await jobs.queueStats()).filter((q) => QUEUES.includes(q.name));
  return stats.every((q) => q.ready + q.deferred + q.active === 0) ? stats : undefined;
}

/** Every completed order earned once, total / 100 points; the ledger adds up. */
async function expectPointsOncePerOrder(shop: Shop, orders: number) {
  const ws = shop.workspace.workspaceId;
  const { rows } = await sql<{ total: number; earns: number; points: number | null }>`
    select o.total, count(e.id)::int as earns, sum(e.points)::int as points from customer_order o
    left join point_entry e on e.workspace_id = o.workspace_id and e.order_id = o.id and e.kind = 'earn'
    where o.workspace_id = ${ws} group by o.id, o.total`.execute(database.db);
  expect(rows).toHaveLength(orders);
  for (const r of rows)
    expect({ earns: r.earns, points: r.points }).toEqual({ earns: 1, points: r.total / 100 });
  await expectLedgerConsistent(database, ws);
}

/** A full evaluation of each segment finds nothing to change, and the segments are not empty. */
async function expectMembershipCurrent(shop: Shop) {
  const ws = shop.workspace.workspaceId;
  for (const id of shop.segmentIds)
    expect(await evaluateSegment(database.db, ws, id), `segment ${id}`).toEqual({ entered: 0, exited: 0 });
  const { rows } = await sql<{ segment_id: number; n: number }>`select segment_id, count(*)::int as n
    from segment_member where workspace_id = ${ws} group by segment_id`.execute(database.db);
  expect(rows.filter((r) => r.n > 0).length).toBeGreaterThanOrEqual(4);
}

const linesOf = (msg: string, ws: string) => log.lines.filter((l) => l.msg === msg && l.workspaceId === ws);
const sumJobs = (lines: LogLine[]) => lines.reduce((s, l) => s + Number(l.jobs), 0);

async function jobCount(queue: string, ws: string) {
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from ${sql.table(`${database.bossOptions.schema}.job`)}
    where name = ${queue} and data->>'workspaceId' = ${ws}`.execute(database.db);
  return rows[0]!.n;
}

describe('coalescing', () => {
  it('handles every job queued while no worker ran, in fewer recomputes than jobs, nothing lost', async () => {
    const shop = await newShop('まとめ処理店');
    const ws = shop.workspace.workspaceId;
    await ingestAll(shop, 20, 12);
    const queued = {
      segments: await jobCount('segments-recompute', ws),
      loyalty: await jobCount('loyalty-orders', ws),
    };
    expect(queued.loyalty).toBe(20);
    expect(queued.segments).toBeGreaterThanOrEqual(40); // orders.changed, events.recorded, customers.changed
    worker = await startJobs(database, JOBS, {
      logger: log.logger,
      work: true,
      secrets,
      monitorIntervalMs: 0,
    });
    const stats = await until(() => drained(worker!), 'the loyalty and segment queues drained', {
      timeoutMs: 120_000,
    });
    expect(stats.map((q) => q.failed)).toEqual([0, 0]);
    await expectPointsOncePerOrder(shop, 60);
    await expectMembershipCurrent(shop);
    const recomputes = linesOf('segments recomputed', ws);
    expect(sumJobs(recomputes)).toBe(queued.segments);
    expect(recomputes.length).toBeLessThan(queued.segments);
    const synced = linesOf('order points synced', ws);
    expect(sumJobs(synced)).toBe(queued.loyalty);
    expect(synced.length).toBeLessThan(queued.loyalty);
    expect(log.lines.filter((l) => l.msg.startsWith('job failed'))).toEqual([]);
  });
});

describe('a burst of ingest batches with the worker running', () => {
  it('drains the loyalty and segment queues: points once per order, memberships current, queues empty', async () => {
    const shop = await newShop('バースト店');
    const started = Date.now();
    await ingestAll(shop, 40, 30);
    // Generous: on an idle machine this takes a few seconds after the last batch.
    await until(() => drained(worker!), 'the loyalty and segment queues drained', { timeoutMs: 120_000 });
    const stats = (await worker!.queueStats()).filter((q) => QUEUES.includes(q.name));
    stats.sort((a, b) => a.name.localeCompare(b.name));
    expect(stats.map((q) => [q.name, q.ready, q.deferred, q.active, q.failed, q.oldestReadySeconds])).toEqual(
      [
        ['loyalty-orders', 0, 0, 0, 0, null],
        ['segments-recompute', 0, 0, 0, 0, null],
      ],
    );
    await expectPointsOncePerOrder(shop, 120);
    await expectMembershipCurrent(shop);
    expect(Date.now() - started).toBeLessThan(180_000);
    expect(log.lines.filter((l) => l.msg.startsWith('job failed'))).toEqual([]);
  });
});

describe('a coalesced batch called directly', () => {
  let shop: Shop;
  let silent: App;
  const context = () => ({ database, logger: pino({ level: 'silent' }), secrets });
  beforeAll(async () => {
    shop = await newShop('直接呼び出し店');
    // Writes through an app without a job system publish nothing: the tests name the work.
    silent = await buildApp({ database, logger: false, secrets });
  });
  afterAll(async () => silent?.close());

  const idsOf = async (table: 'customer' | 'customer_order', ws: string) =>
    (
      await sql<{
        id: number;
      }>`select id from ${sql.table(table)} where workspace_id = ${ws} order by id`.execute(database.db)
    ).rows.map((r) => Number(r.id));

  it('segments: overlapping customers and topics are all recomputed; an invalid or failing job fails alone', async () => {
    const ws = shop.workspace.workspaceId;
    for (let b = 0; b < 6; b++) await ingest(shop, b, 8, silent);
    const c = await idsOf('customer', ws);
    expect(c.length).toBe(8);
    const job = (id: string, data: object): QueuedJob => ({
      id,
      data: { workspaceId: ws, ...data },
      retryCount: 0,
    });
    const jobs = [
      job('orders-a', { topic: 'orders.changed', customerIds: c.slice(0, 4) }),
      job('customers', { topic: 'customers.changed', customerIds: c }),
      job('orders-b', { topic: 'orders.changed', customerIds: c.slice(2, 8) }),
      job('events', { topic: 'events.recorded', customerIds: c.slice(1, 6), types: ['page_view'] }),
      job('events-any', { topic: 'events.recorded', customerIds: c.slice(4, 8) }),
      // Not a bigint: its statement fails, in the group of the orders.changed jobs.
      job('broken', { topic: 'orders.changed', customerIds: [1e30] }),
      { id: 'invalid', data: { customerIds: [1] }, retryCount: 0 },
    ];
    const before = await membershipEvents(ws);
    const failures = await recomputeBatch(jobs, context());
    expect([...failures.keys()].sort()).toEqual(['broken', 'invalid']);
    expect(await membershipEvents(ws)).toBeGreaterThan(before);
    await expectMembershipCurrent(shop);
  });

  it('loyalty: each order earns once, a job naming a missing order fails alone, and a retry changes nothing', async () => {
    const ws = shop.workspace.workspaceId;
    const o = await idsOf('customer_order', ws);
    const job = (id: string, orderIds: number[]): QueuedJob => ({
      id,
      data: { workspaceId: ws, orderIds },
      retryCount: 0,
    });
    const jobs = [
      job('first', o.slice(0, 10)),
      job('overlapping', o.slice(5)),
      job('missing', [o[0]!, 987_654_321]),
      { id: 'invalid', data: { orderIds: o }, retryCount: 0 },
    ];
    const failures = await syncOrderBatch(jobs, context());
    expect([...failures.keys()].sort()).toEqual(['invalid', 'missing']);
    await expectPointsOncePerOrder(shop, o.length);
    const entries = async () =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from point_entry where workspace_id = ${ws}`.execute(database.db)
      ).rows[0]!.n;
    const after = await entries();
    // The retry of the failed jobs (and of the others, as after a crash) finds the orders synced.
    expect([...(await syncOrderBatch(jobs, context())).keys()].sort()).toEqual(['invalid', 'missing']);
    expect(await entries()).toBe(after);
  });

  it('loyalty: an order failing inside a shared transaction fails its job alone, with nothing of it written', async () => {
    const ws = shop.workspace.workspaceId;
    // A stamp card for big orders, and a database that refuses BIG-2's stamp (a refused coupon no
    // longer fails an order: it is skipped with its reason, so the failure is made in the database).
    const card = await silent.inject({
      method: 'POST',
      url: '/v1/loyalty/stamp-cards',
      headers: shop.auth,
      payload: { name: '10万円以上のご購入', stampsRequired: 2, stampPer: 'order', minOrderTotal: 100_000 },
    });
    expect(card.statusCode).toBe(201);
    await sql`create function refuse_big2_stamp() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from customer_identity i where i.workspace_id = new.workspace_id
          and i.customer_id = new.customer_id and i.value = 'big2@example.jp') then
          raise exception 'test: the stamp of BIG-2 is refused';
        end if;
        return new;
      end $$`.execute(database.db);
    await sql`create trigger refuse_big2_stamp before insert on stamp_entry
      for each row execute function refuse_big2_stamp()`.execute(database.db);
    onTestFinished(async () => {
      await sql`drop trigger refuse_big2_stamp on stamp_entry`.execute(database.db);
      await sql`drop function refuse_big2_stamp()`.execute(database.db);
    });
    const before = new Set(await idsOf('customer_order', ws));
    const orders = [
      ...[1, 2].map((n) => ({ id: `BIG-${n}`, customer: { email: `big${n}@example.jp` }, total: 120_000 })),
      ...[1, 2, 3].map((n) => ({
        id: `SMALL-${n}`,
        customer: { email: `small${n}@example.jp` },
        total: 3_000,
      })),
    ].map((o) => ({ ...o, orderedAt: new Date().toISOString() }));
    const res = await silent.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: shop.auth,
      payload: { orders },
    });
    expect(res.statusCode).toBe(200);
    const ids = (await idsOf('customer_order', ws)).filter((id) => !before.has(id));
    expect(ids).toHaveLength(5);
    const jobs = ids.map(
      (id, i): QueuedJob => ({ id: `job-${i}`, data: { workspaceId: ws, orderIds: [id] }, retryCount: 0 }),
    );
    const failures = await syncOrderBatch(jobs, context());
    expect([...failures.keys()]).toEqual(['job-1']);
    expect(String(failures.get('job-1'))).toContain('the stamp of BIG-2 is refused');
    const { rows } = await sql<{ external_id: string; earns: number; stamps: number }>`
      select o.external_id,
        (select count(*)::int from point_entry e where e.workspace_id = o.workspace_id and e.order_id = o.id) as earns,
        (select count(*)::int from stamp_entry s where s.workspace_id = o.workspace_id and s.customer_id = o.customer_id) as stamps
      from customer_order o where o.workspace_id = ${ws} and o.id = any(${ids}::bigint[]) order by o.external_id`.execute(
      database.db,
    );
    expect(rows.map((r) => [r.external_id, r.earns, r.stamps])).toEqual([
      ['BIG-1', 1, 1],
      ['BIG-2', 0, 0],
      ['SMALL-1', 1, 0],
      ['SMALL-2', 1, 0],
      ['SMALL-3', 1, 0],
    ]);
    await expectLedgerConsistent(database, ws);
  });
});

async function membershipEvents(ws: string) {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from segment_membership_event
    where workspace_id = ${ws}`.execute(database.db);
  return rows[0]!.n;
}
