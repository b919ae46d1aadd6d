// 100 parallel earns, redemptions and coupon redemptions on one member, on both databases: on
// PostgreSQL they race for real (the one-statement paths and their locked fallback); on PGlite
// the single connection serialises them, and the same guarantees must hold.

import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redeemCoupon } from '../src/loyalty/coupons.ts';
import { lockMember } from '../src/loyalty/members.ts';
import {
  type EntryResult,
  earnInTx,
  earnPoints,
  listLots,
  redeemPoints,
} from '../src/loyalty/points-ledger.ts';
import { createTestApp, TEST_DATABASE_URL, type TestApp } from './helpers.ts';
import { customerWithCoupon, expectLedgerConsistent, newCustomer } from './loyalty-helpers.ts';

let t: TestApp;
let ws: string;
beforeAll(async () => {
  t = await createTestApp();
  ws = t.workspace.workspaceId;
});
afterAll(async () => {
  await expectLedgerConsistent(t.database, ws);
  await t?.close();
});

const DAY = 86_400_000;
const fulfilled = <T>(results: PromiseSettledResult<T>[]) =>
  results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
const reasons = (results: PromiseSettledResult<unknown>[]) =>
  results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));

/** Every result for one key reports the same entry: the key was applied once. */
function expectOneEntryPerKey(keys: string[], results: PromiseSettledResult<EntryResult>[]) {
  const byKey = new Map<string, Set<number>>();
  results.forEach((r, i) => {
    if (r.status !== 'fulfilled') return;
    const ids = byKey.get(keys[i]!) ?? new Set<number>();
    ids.add(r.value.entryId);
    byKey.set(keys[i]!, ids);
  });
  for (const [key, ids] of byKey) expect(ids.size, key).toBe(1);
  return byKey;
}

async function entries(customerId: number, kind: string) {
  const { rows } = await sql<{ n: number; points: number }>`
    select count(*)::int as n, coalesce(sum(points), 0)::bigint as points from point_entry
    where workspace_id = ${ws} and customer_id = ${customerId} and kind = ${kind}`.execute(t.database.db);
  return rows[0]!;
}

describe('100 parallel requests on one member', () => {
  it('earns: 50 keys each sent twice, on a new customer and then on a member, apply once each', async () => {
    const c = await newCustomer(t.database, ws);
    for (const round of ['join', 'member']) {
      const keys = Array.from({ length: 100 }, (_, i) => `earn-${c}-${round}-${i % 50}`);
      const results = await Promise.allSettled(
        keys.map((idempotencyKey) =>
          earnPoints(t.database.db, ws, {
            customerId: c,
            points: 10,
            actor: 'test',
            idempotencyKey,
            validityMonths: 12,
          }),
        ),
      );
      expect(reasons(results)).toEqual([]);
      expect(expectOneEntryPerKey(keys, results).size).toBe(50);
      expect(fulfilled(results).filter((r) => !r.replayed)).toHaveLength(50);
    }
    expect(await entries(c, 'earn')).toEqual({ n: 100, points: 1000 });
    const summary = await t.app.inject({ method: 'GET', url: `/v1/loyalty/members/${c}`, headers: t.auth });
    expect(summary.json().points).toBe(1000);
  });

  it('redemptions: 60 keys (40 sent twice) of 30 points against 1,000 spend 33 keys, oldest lots first', async () => {
    const c = await newCustomer(t.database, ws);
    // Four lots of 250 (12 months each), recorded out of order: earned 5, 35, 15 and 25 days ago.
    for (const daysAgo of [5, 35, 15, 25])
      await earnPoints(t.database.db, ws, {
        customerId: c,
        points: 250,
        actor: 'test',
        earnedAt: new Date(Date.now() - daysAgo * DAY),
        validityMonths: 12,
      });
    const keys = Array.from({ length: 100 }, (_, i) => `spend-${c}-${i % 60}`);
    const results = await Promise.allSettled(
      keys.map((idempotencyKey) =>
        redeemPoints(t.database.db, ws, { customerId: c, points: 30, actor: 'test', idempotencyKey }),
      ),
    );
    for (const reason of reasons(results)) expect(reason).toMatch(/not enough points/);
    expect(expectOneEntryPerKey(keys, results).size).toBe(33);
    expect(fulfilled(results).filter((r) => !r.replayed)).toHaveLength(33);
    expect(Math.min(...fulfilled(results).map((r) => r.balance))).toBe(10);
    expect(await entries(c, 'redeem')).toEqual({ n: 33, points: -990 });
    // 990 spent soonest-expiring first: only the lot earned 5 days ago keeps anything.
    const lots = await listLots(t.database.db, ws, c);
    expect(lots.map((l) => [Math.round((Date.now() - l.earned_at.getTime()) / DAY), l.remaining])).toEqual([
      [5, 10],
    ]);
    const { rows: allocated } = await sql<{ points: number }>`
      select sum(a.points)::bigint as points from point_allocation a join point_entry e
        on e.workspace_id = a.workspace_id and e.id = a.entry_id
      where e.workspace_id = ${ws} and e.customer_id = ${c} and e.kind = 'redeem' group by e.id`.execute(
      t.database.db,
    );
    expect(allocated.map((a) => a.points)).toEqual(Array(33).fill(30));
  });

  it('earns and redemptions interleaved, with retries: never negative, every key once', async () => {
    const c = await newCustomer(t.database, ws);
    await earnPoints(t.database.db, ws, { customerId: c, points: 100, actor: 'test', validityMonths: 12 });
    const keys = Array.from({ length: 100 }, (_, i) => `mix-${c}-${i % 2 ? 'r' : 'e'}-${i % 40}`);
    const results = await Promise.allSettled(
      keys.map((idempotencyKey) =>
        idempotencyKey.includes('-r-')
          ? redeemPoints(t.database.db, ws, { customerId: c, points: 40, actor: 'test', idempotencyKey })
          : earnPoints(t.database.db, ws, {
              customerId: c,
              points: 15,
              actor: 'test',
              idempotencyKey,
              validityMonths: 12,
            }),
      ),
    );
    for (const reason of reasons(results)) expect(reason).toMatch(/not enough points/);
    const applied = expectOneEntryPerKey(keys, results);
    const earned = [...applied.keys()].filter((k) => k.includes('-e-')).length;
    const redeemed = [...applied.keys()].filter((k) => k.includes('-r-')).length;
    expect(earned).toBe(20);
    expect(redeemed).toBeGreaterThan(0);
    const summary = await t.app.inject({ method: 'GET', url: `/v1/loyalty/members/${c}`, headers: t.auth });
    expect(summary.json().points).toBe(100 + earned * 15 - redeemed * 40);
    expect(await entries(c, 'redeem')).toEqual({ n: redeemed, points: -40 * redeemed });
  });

  it('one coupon code redeemed by 100 tills at once: used once, one event; the winner can retry', async () => {
    const { coupon } = await customerWithCoupon(t, ws);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        redeemCoupon(t.database.db, ws, {
          code: coupon.code,
          actor: `till-${i}`,
          orderTotal: 3000,
          idempotencyKey: `sale-${i}`,
        }),
      ),
    );
    expect(fulfilled(results)).toHaveLength(1);
    for (const reason of reasons(results)) expect(reason).toMatch(/already been used/);
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    const { rows } = await sql<{ kind: string; actor: string }>`select kind, actor from coupon_event
      where workspace_id = ${ws} and coupon_id = ${coupon.id} order by id`.execute(t.database.db);
    expect(rows).toEqual([
      { kind: 'granted', actor: 'test' },
      { kind: 'redeemed', actor: `till-${winner}` },
    ]);
    const retry = await redeemCoupon(t.database.db, ws, {
      code: coupon.code,
      actor: 'till',
      orderTotal: 3000,
      idempotencyKey: `sale-${winner}`,
    });
    expect(retry).toMatchObject({ replayed: true, discount: 500 });
  });
});

describe.runIf(TEST_DATABASE_URL)('a redemption that waited for the member lock (PostgreSQL)', () => {
  it('does not spend from the lots its snapshot saw when they changed meanwhile', async () => {
    const c = await newCustomer(t.database, ws);
    await earnPoints(t.database.db, ws, { customerId: c, points: 100, actor: 'test', validityMonths: 12 });
    let redemption: Promise<EntryResult> | undefined;
    await t.database.db.transaction().execute(async (tx) => {
      await lockMember(tx, ws, c);
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
      // Starts now, so its snapshot has only the 12-month lot; then waits for this transaction.
      redemption = redeemPoints(t.database.db, ws, {
        customerId: c,
        points: 30,
        actor: 'test',
        idempotencyKey: `w-${c}`,
      });
      await until(
        async () => {
          const blocked = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where ${rows[0]!.pid}::int = any (pg_blocking_pids(pid))`.execute(t.database.db);
          return blocked.rows[0]!.n > 0;
        },
        'the redemption to wait for the member lock',
        { timeoutMs: 30_000 },
      );
      // A lot that expires sooner than the one the redemption saw: FIFO must take it first.
      await earnInTx(tx, ws, {
        customerId: c,
        points: 50,
        actor: 'test',
        earnedAt: new Date(Date.now() - 200 * DAY),
        validityMonths: 12,
      });
    });
    expect(await redemption).toMatchObject({ points: -30, balance: 120, replayed: false });
    const lots = await listLots(t.database.db, ws, c);
    expect(lots.map((l) => [l.earned, l.remaining])).toEqual([
      [50, 20],
      [100, 100],
    ]);
  });
});
