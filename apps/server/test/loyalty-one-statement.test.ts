// What the one-statement earn, redeem and coupon redemption write, replay and refuse: the same
// entries, lots, allocations and coupon events as the locked path, and nothing at all when they
// refuse. Runs on both databases.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCoupon, redeemCoupon } from '../src/loyalty/coupons.ts';
import { earnPoints, listLots, redeemPoints } from '../src/loyalty/points-ledger.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';
import { expectLedgerConsistent, newCustomer } from './loyalty-helpers.ts';

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
const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });

/** Everything the ledger holds for a customer, to show that a refusal wrote nothing. */
async function ledgerState(customerId: number) {
  const { rows } = await sql<{ entries: number; allocations: number; lots: number; members: number }>`
    select (select count(*) from point_entry where workspace_id = ${ws} and customer_id = ${customerId})::int as entries,
      (select count(*) from point_allocation a join point_entry e on e.workspace_id = a.workspace_id and e.id = a.entry_id
        where e.workspace_id = ${ws} and e.customer_id = ${customerId})::int as allocations,
      (select coalesce(sum(remaining), 0) from point_lot where workspace_id = ${ws} and customer_id = ${customerId})::int as lots,
      (select count(*) from loyalty_member where workspace_id = ${ws} and customer_id = ${customerId})::int as members`.execute(
    t.database.db,
  );
  return rows[0]!;
}

describe('points in one statement', () => {
  it('a first earn enrols the customer; the key replays; another customer cannot reuse it', async () => {
    const c = await newCustomer(t.database, ws);
    const earn = (customerId: number) =>
      earnPoints(t.database.db, ws, {
        customerId,
        points: 120,
        actor: 'test',
        reason: '来店',
        idempotencyKey: `join-${c}`,
        validityMonths: 12,
      });
    const first = await earn(c);
    expect(first).toMatchObject({ customerId: c, points: 120, balance: 120, replayed: false });
    expect(await earn(c)).toEqual({ ...first, replayed: true });
    const other = await newCustomer(t.database, ws);
    await earnPoints(t.database.db, ws, { customerId: other, points: 1, actor: 'test', validityMonths: 12 });
    await expect(earn(other)).rejects.toThrow(/already used for another customer/);
    expect(await ledgerState(c)).toEqual({ entries: 1, allocations: 0, lots: 120, members: 1 });
    expect(await ledgerState(other)).toEqual({ entries: 1, allocations: 0, lots: 1, members: 1 });
  });

  it('a redemption draws from the soonest-expiring lots and records each draw', async () => {
    const c = await newCustomer(t.database, ws);
    const lotIds: Record<number, number> = {};
    for (const daysAgo of [10, 40, 20]) {
      const e = await earnPoints(t.database.db, ws, {
        customerId: c,
        points: 50,
        actor: 'test',
        earnedAt: new Date(Date.now() - daysAgo * DAY),
        validityMonths: 12,
      });
      lotIds[daysAgo] = (
        await sql<{ id: number }>`select id from point_lot
        where workspace_id = ${ws} and entry_id = ${e.entryId}`.execute(t.database.db)
      ).rows[0]!.id;
    }
    const r = await redeemPoints(t.database.db, ws, {
      customerId: c,
      points: 70,
      actor: 'till:1',
      idempotencyKey: `fifo-${c}`,
      storeCode: 'SHIBUYA',
      reason: 'お会計',
    });
    expect(r).toMatchObject({ customerId: c, points: -70, balance: 80, replayed: false });
    const { rows: entry } = await sql<{ kind: string; actor: string; reason: string; detail: object }>`
      select kind, actor, reason, detail from point_entry where workspace_id = ${ws} and id = ${r.entryId}`.execute(
      t.database.db,
    );
    expect(entry).toEqual([
      { kind: 'redeem', actor: 'till:1', reason: 'お会計', detail: { storeCode: 'SHIBUYA' } },
    ]);
    const { rows: drawn } = await sql<{
      lot_id: number;
      points: number;
    }>`select lot_id, points from point_allocation
      where workspace_id = ${ws} and entry_id = ${r.entryId} order by points desc`.execute(t.database.db);
    expect(drawn).toEqual([
      { lot_id: lotIds[40], points: 50 },
      { lot_id: lotIds[20], points: 20 },
    ]);
    expect((await listLots(t.database.db, ws, c)).map((l) => [l.id, l.remaining])).toEqual([
      [lotIds[20], 30],
      [lotIds[10], 50],
    ]);
  });

  it('replays a redemption by key, and refuses without writing anything', async () => {
    const c = await newCustomer(t.database, ws);
    await earnPoints(t.database.db, ws, { customerId: c, points: 100, actor: 'test', validityMonths: 12 });
    const spend = { customerId: c, points: 40, actor: 'test', idempotencyKey: `once-${c}` };
    const first = await redeemPoints(t.database.db, ws, spend);
    const before = await ledgerState(c);
    expect(await redeemPoints(t.database.db, ws, spend)).toEqual({ ...first, replayed: true });
    await expect(
      redeemPoints(t.database.db, ws, { ...spend, points: 61, idempotencyKey: `big-${c}` }),
    ).rejects.toThrow('not enough points (has 60, needs 61)');
    const other = await newCustomer(t.database, ws);
    const reused = await api('POST', `/v1/loyalty/members/${other}/redemptions`, {
      points: 1,
      idempotencyKey: `once-${c}`,
    });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.message).toMatch(/another customer/);
    const zero = await api('POST', `/v1/loyalty/members/${c}/redemptions`, {
      points: 0,
      idempotencyKey: 'z',
    });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().error.message).toMatch(/points/);
    expect(await ledgerState(c)).toEqual(before);
    expect(await ledgerState(other)).toEqual({ entries: 0, allocations: 0, lots: 0, members: 0 });
  });

  it('a customer who is not a member has 0 points; one of another workspace is not found', async () => {
    const c = await newCustomer(t.database, ws);
    const none = await api('POST', `/v1/loyalty/members/${c}/redemptions`, {
      points: 5,
      idempotencyKey: `n-${c}`,
    });
    expect(none.statusCode).toBe(409);
    expect(none.json().error.message).toBe('not enough points (has 0, needs 5)');
    expect(await ledgerState(c)).toEqual({ entries: 0, allocations: 0, lots: 0, members: 0 });
    const elsewhere = await newCustomer(t.database, (await newWorkspace(t.database)).workspaceId);
    const foreign = await api('POST', `/v1/loyalty/members/${elsewhere}/redemptions`, {
      points: 5,
      idempotencyKey: `f-${elsewhere}`,
    });
    expect(foreign.statusCode).toBe(404);
  });
});

describe('coupon redemption in one statement', () => {
  let customer: number;
  let templateId: number;
  beforeAll(async () => {
    customer = await newCustomer(t.database, ws);
    const res = await api('POST', '/v1/loyalty/coupon-templates', {
      name: '渋谷店限定300円引き',
      kind: 'amount_off',
      value: 300,
      minSpend: 1000,
      storeCodes: ['SHIBUYA'],
    });
    templateId = res.json().id;
  });

  async function couponState(couponId: number) {
    const { rows } = await sql<{ status: string; redeemed_store_code: string | null; events: string[] }>`
      select c.status, c.redeemed_store_code, array(select kind || ':' || coalesce(store_code, '-') from coupon_event e
        where e.workspace_id = c.workspace_id and e.coupon_id = c.id order by e.id) as events
      from coupon c where c.workspace_id = ${ws} and c.id = ${couponId}`.execute(t.database.db);
    return rows[0]!;
  }

  it('refuses with the reason that applies, writing nothing; then redeems with one event', async () => {
    const coupon = await grantCoupon(t.database.db, ws, {
      templateId,
      customerId: customer,
      source: 'test',
      actor: 'test',
    });
    const redeem = (payload: object) => api('POST', `/v1/loyalty/coupons/${coupon.code}/redeem`, payload);
    const noStore = await redeem({ orderTotal: 2000 });
    expect([noStore.statusCode, noStore.json().error.message]).toEqual([
      409,
      `coupon ${coupon.code} is only valid at stores SHIBUYA`,
    ]);
    const noTotal = await redeem({ storeCode: 'SHIBUYA' });
    expect(noTotal.statusCode).toBe(400);
    expect(noTotal.json().error.problems.map((p: { path: string }) => p.path)).toEqual(['orderTotal']);
    const small = await redeem({ storeCode: 'SHIBUYA', orderTotal: 999 });
    expect([small.statusCode, small.json().error.message]).toEqual([
      409,
      `coupon ${coupon.code} needs a minimum spend of ¥1000`,
    ]);
    await expect(
      redeemCoupon(t.database.db, ws, {
        code: coupon.code,
        actor: 'till',
        customerId: await newCustomer(t.database, ws),
        storeCode: 'SHIBUYA',
        orderTotal: 2000,
      }),
    ).rejects.toThrow(`coupon ${coupon.code} not found`);
    expect(await couponState(coupon.id)).toEqual({
      status: 'active',
      redeemed_store_code: null,
      events: ['granted:-'],
    });
    const ok = await redeem({ storeCode: 'SHIBUYA', orderTotal: 1000, idempotencyKey: 'sale-9' });
    expect(ok.json()).toMatchObject({
      couponId: coupon.id,
      discount: 300,
      customerId: customer,
      replayed: false,
    });
    expect(await couponState(coupon.id)).toEqual({
      status: 'redeemed',
      redeemed_store_code: 'SHIBUYA',
      events: ['granted:-', 'redeemed:SHIBUYA'],
    });
  });

  it('refuses a coupon before its window and an unknown code', async () => {
    const later = await api('POST', '/v1/loyalty/coupon-templates', {
      name: '来月から使えるドリンク無料',
      kind: 'free_item',
      freeItem: 'ドリンク',
      validFrom: new Date(Date.now() + 30 * DAY).toISOString(),
    });
    const coupon = await grantCoupon(t.database.db, ws, {
      templateId: later.json().id,
      customerId: customer,
      source: 'test',
      actor: 'test',
    });
    await expect(redeemCoupon(t.database.db, ws, { code: coupon.code, actor: 'till' })).rejects.toThrow(
      /is not valid until/,
    );
    expect((await couponState(coupon.id)).events).toEqual(['granted:-']);
    expect(
      await redeemCoupon(t.database.db, ws, {
        code: coupon.code,
        actor: 'till',
        at: new Date(Date.now() + 31 * DAY),
      }),
    ).toMatchObject({ kind: 'free_item', freeItem: 'ドリンク', discount: null });
    expect((await api('POST', '/v1/loyalty/coupons/ZZZZ-ZZZZ-ZZZZ/redeem', {})).statusCode).toBe(404);
  });
});
