// The domain event log: appends in the change's transaction, reads by cursor in order, and never
// skips an event whose transaction committed after a younger one's (that part on PostgreSQL,
// where transactions run side by side; PGlite has one connection). Runs on both databases.

import { until } from '@kizuna/test-support';
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { appendDomainEvents } from '../src/domain-events/append.ts';
import type { DomainEvent, DomainEventInput } from '../src/domain-events/event-map.ts';
import { readDomainEvents } from '../src/domain-events/read.ts';
import { handleFollow, handleUnfollow, type StoredEvent } from '../src/line/friend-lifecycle.ts';
import { createCouponTemplate, grantCouponInTx } from '../src/loyalty/coupons.ts';
import { redeemCouponInTx } from '../src/loyalty/redeem-coupon.ts';
import { upsertOrders } from '../src/orders/upsert-orders.ts';
import { evaluateSegment } from '../src/segments/evaluate-membership.ts';
import { createSegment } from '../src/segments/segment-store.ts';
import { recordVisits } from '../src/visits/record-visits.ts';
import { createTestDatabase, lineUserId, newWorkspace, TEST_DATABASE_URL } from './helpers.ts';
import { newCustomer } from './loyalty-helpers.ts';

type Db = Awaited<ReturnType<typeof createTestDatabase>>;
let database: Db;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

/**
 * Waits until every transaction that ended before now is below the readers' horizon. On a shared
 * PostgreSQL server, other sessions' open transactions (other test files, other databases) hold
 * the horizon back for a while; on PGlite it is there at once.
 */
async function settled() {
  const { rows } = await sql<{
    next: string;
  }>`select pg_snapshot_xmax(pg_current_snapshot())::text as next`.execute(database.db);
  const next = rows[0]!.next;
  await until(
    async () =>
      (
        await sql<{
          passed: boolean;
        }>`select pg_snapshot_xmin(pg_current_snapshot()) >= ${next}::xid8 as passed`.execute(database.db)
      ).rows[0]!.passed,
    'the read horizon',
    { timeoutMs: 50_000 },
  );
}

/** Every event of the workspace committed so far, read page by page (pages of `limit`). */
async function readAll(ws: string, limit = 100): Promise<DomainEvent[]> {
  await settled();
  const all: DomainEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await readDomainEvents(database.db, ws, { limit, ...(after ? { after } : {}) });
    all.push(...page.events);
    if (page.events.length < limit) return all;
    after = page.next;
  }
}

const Rollback = new Error('rolled back on purpose');

/** Runs `fn` in a transaction that is then rolled back. */
async function rolledBack(fn: (tx: Transaction<DB>) => Promise<unknown>) {
  await expect(
    database.db.transaction().execute(async (tx) => {
      await fn(tx);
      throw Rollback;
    }),
  ).rejects.toBe(Rollback);
}

/** Runs a publisher once rolled back and once committed; returns the events of the committed run. */
async function publishedBy(ws: string, fn: (tx: Transaction<DB>) => Promise<unknown>) {
  await rolledBack(fn);
  expect(await readAll(ws), 'a rolled-back change leaves no event').toEqual([]);
  await database.db.transaction().execute(fn);
  return readAll(ws);
}

const SIMPLE = (customerId: number, n: number): DomainEventInput => ({
  type: 'loyalty.points_expired',
  customerId,
  payload: { entryId: n, points: n, balance: 0 },
});

describe('appending and reading', () => {
  it('reads every event once, in order, across pages; a dedupe key stores an event once', async () => {
    const { workspaceId: ws } = await newWorkspace(database);
    const c = await newCustomer(database, ws);
    await database.db.transaction().execute((tx) =>
      appendDomainEvents(
        tx,
        ws,
        Array.from({ length: 7 }, (_, n) => SIMPLE(c, n)),
      ),
    );
    const keyed = { ...SIMPLE(c, 7), dedupeKey: 'entry:7' };
    const appended = await database.db
      .transaction()
      .execute((tx) => appendDomainEvents(tx, ws, [keyed, keyed, SIMPLE(c, 8)]));
    expect(appended).toBe(2);
    expect(await database.db.transaction().execute((tx) => appendDomainEvents(tx, ws, [keyed]))).toBe(0);

    await settled();
    const pages = [];
    let after: string | undefined;
    for (let i = 0; i < 4; i++) {
      const page = await readDomainEvents(database.db, ws, { limit: 3, ...(after ? { after } : {}) });
      pages.push(page.events.map((e) => (e.type === 'loyalty.points_expired' ? e.payload.entryId : -1)));
      after = page.next;
    }
    expect(pages).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], []]);
    // The last page left the cursor where it was.
    expect(after).toMatch(/^\d+:\d+$/);
    // Another workspace reads none of them.
    const other = await newWorkspace(database);
    expect(await readAll(other.workspaceId)).toEqual([]);
  });

  it('orders by transaction id as a number, not as text: xid 9 before xid 10, none skipped', async () => {
    const { workspaceId: ws } = await newWorkspace(database);
    const c = await newCustomer(database, ws);
    // Transactions 9 and 10 ended long ago on any server, so both are below the read horizon.
    // Written with explicit xids, the later transaction first ('10' sorts before '9' as text).
    for (const [xid, n] of [
      [10, 1],
      [9, 0],
    ] as const)
      await sql`insert into domain_event (workspace_id, xid, customer_id, type, payload, occurred_at)
        values (${ws}, ${String(xid)}::xid8, ${c}, 'loyalty.points_expired',
          ${JSON.stringify({ entryId: n, points: n, balance: 0 })}::jsonb, now())`.execute(database.db);
    const seen: number[] = [];
    let after: string | undefined;
    for (let i = 0; i < 3; i++) {
      const page = await readDomainEvents(database.db, ws, { limit: 1, ...(after ? { after } : {}) });
      for (const e of page.events) if (e.type === 'loyalty.points_expired') seen.push(e.payload.entryId);
      after = page.next;
    }
    expect(seen).toEqual([0, 1]);
  });

  it('filters by type, and names the field of a bad cursor, limit or type', async () => {
    const { workspaceId: ws } = await newWorkspace(database);
    const c = await newCustomer(database, ws);
    await database.db
      .transaction()
      .execute((tx) =>
        appendDomainEvents(tx, ws, [
          SIMPLE(c, 1),
          { type: 'segment.entered', customerId: c, payload: { segmentId: 5 } },
          SIMPLE(c, 2),
        ]),
      );
    await settled();
    const page = await readDomainEvents(database.db, ws, { types: ['segment.entered'], limit: 10 });
    expect(page.events.map((e) => [e.type, e.payload, e.customerId])).toEqual([
      ['segment.entered', { segmentId: 5 }, c],
    ]);
    const read = (options: object) => readDomainEvents(database.db, ws, { limit: 10, ...options });
    await expect(read({ after: '12' })).rejects.toThrow(/^after: not a domain event cursor/);
    await expect(read({ limit: 0 })).rejects.toThrow(/^limit: must be an integer/);
    await expect(read({ types: ['segment.entered', 'order.placed'] })).rejects.toThrow(
      /^types\[1\]: unknown event type "order.placed"/,
    );
  });
});

describe('publishers append one event in the transaction of the change', () => {
  it('orders: created, then updated; an unchanged repeat appends nothing', async () => {
    const { workspaceId: ws } = await newWorkspace(database);
    const order = {
      id: 'O-1',
      customer: { email: 'o1@example.jp' },
      orderedAt: '2026-11-01T03:00:00Z',
      total: 5400,
    };
    const events = await publishedBy(ws, (tx) => upsertOrders(tx, ws, [{ index: 0, item: order }]));
    expect(events.map((e) => [e.type, e.payload, e.occurredAt.toISOString()])).toEqual([
      [
        'order.recorded',
        {
          orderId: expect.any(Number),
          externalId: 'O-1',
          change: 'created',
          status: 'completed',
          totalYen: 5400,
          refundedYen: 0,
          storeId: null,
        },
        '2026-11-01T03:00:00.000Z',
      ],
    ]);
    await database.db.transaction().execute((tx) => upsertOrders(tx, ws, [{ index: 0, item: order }]));
    const refund = { ...order, status: 'refunded' as const };
    await database.db.transaction().execute((tx) => upsertOrders(tx, ws, [{ index: 0, item: refund }]));
    const after = await readAll(ws);
    expect(
      after.map((e) => e.type === 'order.recorded' && [e.payload.change, e.payload.refundedYen]),
    ).toEqual([
      ['created', 0],
      ['updated', 5400],
    ]);
  });

  it('visits: one per stored visit, none for a duplicate', async () => {
    const { workspaceId: ws } = await newWorkspace(database);
    const visit = { id: 'V-1', customer: { email: 'v1@example.jp' }, visitedAt: '2026-11-02T01:00:00Z' };
    const events = await publishedBy(ws, (tx) => recordVisits(tx, ws, [{ index: 0, item: visit }]));
    await database.db.transaction().execute((tx) => recordVisits(tx, ws, [{ index: 0, item: visit }]));
    expect((await readAll(ws)).map((e) => [e.type, e.payload])).toEqual([
      ['visit.recorded', { visitId: expect.any(Number), externalId: 'V-1', storeId: null }],
    ]);
    expect(events[0]!.occurredAt.toISOString()).toBe('2026-11-02T01:00:00.000Z');
  });

  it('LINE: a follow, a block and a return, each once however often LINE delivers it', async () => {
    const { workspaceId: ws } = await newWorkspace(database);
    const { rows } = await sql<{
      id: string;
    }>`insert into line_channel (workspace_id, line_channel_id, secret_sealed, access_token_sealed)
      values (${ws}, 'C-events', 'x', 'x') returning id`.execute(database.db);
    const channelId = rows[0]!.id;
    const user = lineUserId(42);
    const webhook = (id: string, type: 'follow' | 'unfollow'): StoredEvent => ({
      workspaceId: ws,
      channelId,
      webhookEventId: id,
      type,
      lineUserId: user,
      occurredAt: new Date(),
      payload: {},
    });
    await publishedBy(ws, (tx) => handleFollow(tx, webhook('W1', 'follow'), undefined));
    await database.db.transaction().execute((tx) => handleUnfollow(tx, webhook('W2', 'unfollow')));
    await database.db.transaction().execute((tx) => handleFollow(tx, webhook('W3', 'follow'), undefined));
    // A redelivery of W3.
    await database.db.transaction().execute((tx) => handleFollow(tx, webhook('W3', 'follow'), undefined));
    expect((await readAll(ws)).map((e) => [e.type, e.payload])).toEqual([
      ['line.friend_added', { channelId, lineUserId: user, refollow: false }],
      ['line.friend_blocked', { channelId, lineUserId: user }],
      ['line.friend_added', { channelId, lineUserId: user, refollow: true }],
    ]);
  });

  it('loyalty coupons: granted and redeemed (a refused redemption appends nothing)', async () => {
    const { workspaceId: ws } = await newWorkspace(database);
    const c = await newCustomer(database, ws);
    const template = await createCouponTemplate(database.db, ws, {
      name: '500円引き',
      kind: 'amount_off',
      value: 500,
    });
    const grant = (tx: Transaction<DB>) =>
      grantCouponInTx(tx, ws, { templateId: template.id, customerId: c, source: 'test', actor: 'test' });
    const granted = await publishedBy(ws, grant);
    const coupon = (await readAll(ws))[0]!;
    expect(granted.map((e) => e.type)).toEqual(['loyalty.coupon_granted']);
    expect(coupon.payload).toMatchObject({ templateId: template.id, name: '500円引き', source: 'test' });
    const couponId = coupon.type === 'loyalty.coupon_granted' ? coupon.payload.couponId : 0;
    const { code } = (
      await sql<{
        code: string;
      }>`select code from coupon where workspace_id = ${ws} and id = ${couponId}`.execute(database.db)
    ).rows[0]!;
    await rolledBack((tx) => redeemCouponInTx(tx, ws, { code, actor: 'till', storeCode: 'S1' }));
    await redeemCouponInTx(database.db, ws, { code, actor: 'till', storeCode: 'S1' });
    await expect(redeemCouponInTx(database.db, ws, { code, actor: 'till' })).rejects.toThrow(
      /already been used/,
    );
    expect((await readAll(ws)).slice(1).map((e) => [e.type, e.customerId, e.payload])).toEqual([
      ['loyalty.coupon_redeemed', c, { couponId, name: '500円引き', storeCode: 'S1' }],
    ]);
  });

  it('segments: an entry and an exit once the segment has had its first evaluation', async () => {
    const { workspaceId: ws } = await newWorkspace(database);
    const c = await newCustomer(database, ws);
    const segment = await createSegment(database.db, ws, { name: 'おすすめ', definition: { tag: 'pick' } });
    const tag = (tags: string[]) =>
      sql`update customer set tags = ${tags}::text[] where workspace_id = ${ws} and id = ${c}`.execute(
        database.db,
      );
    await tag(['pick']);
    await evaluateSegment(database.db, ws, segment.id);
    await tag([]);
    await evaluateSegment(database.db, ws, segment.id);
    const events = await readAll(ws);
    const segmentOf = (e: DomainEvent) =>
      e.type === 'segment.entered' || e.type === 'segment.exited' ? e.payload.segmentId : undefined;
    expect(events.map((e) => [e.type, e.customerId, segmentOf(e)])).toEqual([
      ['segment.entered', c, segment.id],
      ['segment.exited', c, segment.id],
    ]);
    const exit = events[1]!;
    expect(exit.type === 'segment.exited' && Date.parse(exit.payload.enteredAt)).toBeLessThanOrEqual(
      exit.occurredAt.getTime(),
    );
  });
});

describe.skipIf(!TEST_DATABASE_URL)('concurrent writers (PostgreSQL)', () => {
  it('an event whose transaction commits after a younger one is not skipped by a reader in between', async () => {
    const { workspaceId: ws } = await newWorkspace(database);
    const c = await newCustomer(database, ws);
    const older = await database.db.startTransaction().execute();
    const younger = await database.db.startTransaction().execute();
    try {
      await appendDomainEvents(older, ws, [SIMPLE(c, 1)]);
      await appendDomainEvents(younger, ws, [SIMPLE(c, 2)]);
      await younger.commit().execute();
      // The younger event has committed, but the older transaction is still open: nothing yet.
      const first = await readDomainEvents(database.db, ws, { limit: 10 });
      expect(first.events).toEqual([]);
      await older.commit().execute();
      // Other sessions of the shared server may hold the horizon back for a moment: wait for it.
      const entries = await until(
        async () => {
          const after = first.next ? { after: first.next } : {};
          const page = await readDomainEvents(database.db, ws, { limit: 10, ...after });
          return page.events.length === 2 ? page.events : undefined;
        },
        'both events past the read horizon',
        { timeoutMs: 30_000 },
      );
      expect(entries.map((e) => e.type === 'loyalty.points_expired' && e.payload.entryId)).toEqual([1, 2]);
    } finally {
      // A failed assertion must not leave a transaction open (the database could not be dropped).
      for (const tx of [older, younger])
        if (!tx.isCommitted && !tx.isRolledBack) await tx.rollback().execute();
    }
  });

  it('a reader polling while four writers commit out of order sees every event exactly once', async () => {
    const { workspaceId: ws } = await newWorkspace(database);
    const c = await newCustomer(database, ws);
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let next = 0;
    const writer = async (w: number) => {
      for (let i = 0; i < 10; i++) {
        const tx = await database.db.startTransaction().execute();
        await appendDomainEvents(tx, ws, [SIMPLE(c, next++)]);
        // Each transaction stays open a different while, so commits overtake one another.
        await pause(((w * 7 + i * 13) % 5) * 15);
        await tx.commit().execute();
      }
    };
    const seen: number[] = [];
    let after: string | undefined;
    let writing = true;
    let giveUpAt = Number.POSITIVE_INFINITY;
    const reader = (async () => {
      while ((writing || seen.length < 40) && Date.now() < giveUpAt) {
        const page = await readDomainEvents(database.db, ws, { limit: 7, ...(after ? { after } : {}) });
        for (const e of page.events) if (e.type === 'loyalty.points_expired') seen.push(e.payload.entryId);
        after = page.next;
        if (!page.events.length) await pause(10);
      }
    })();
    await Promise.all([0, 1, 2, 3].map(writer));
    writing = false;
    giveUpAt = Date.now() + 45_000;
    // A skipped event would keep the reader waiting: it gives up at giveUpAt.
    await reader;
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, n) => n));
  });
});
