// A customer merge keeps every point and coupon: the survivor's balance is the sum, lots keep
// their own expiry dates, stamp cards and coupons move, the tier is re-evaluated and both
// ledgers record the merge. The merge goes through the public path: an upsert whose identities
// belong to two customers.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transact } from '../src/db/transact.ts';
import { mergeLoyalty } from '../src/loyalty/merge-loyalty.ts';
import { earnPoints } from '../src/loyalty/points-ledger.ts';
import { saveRules } from '../src/loyalty/rules.ts';
import { evaluateAllTiers, evaluateTier } from '../src/loyalty/tiers.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';
import { expectLedgerConsistent } from './loyalty-helpers.ts';

let t: TestApp;
let ws: string;
beforeAll(async () => {
  t = await createTestApp();
  ws = t.workspace.workspaceId;
  await saveRules(
    t.database.db,
    ws,
    {
      tiers: [
        { code: 'regular', name: 'レギュラー', threshold: 0, multiplier: 1 },
        { code: 'silver', name: 'シルバー', threshold: 20000, multiplier: 1 },
        { code: 'gold', name: 'ゴールド', threshold: 40000, multiplier: 1 },
      ],
    },
    'test',
  );
});
afterAll(async () => t?.close());

const DAY = 86_400_000;
const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth, ...(payload === undefined ? {} : { payload }) });

async function customer(fields: object): Promise<number> {
  const res = await api('POST', '/v1/customers', { customers: [fields] });
  expect(res.statusCode).toBe(200);
  return res.json().accepted[0].id;
}

async function order(id: string, customerId: number, total: number) {
  const orderedAt = new Date(Date.now() - 30 * DAY).toISOString();
  const res = await api('POST', '/v1/orders', {
    orders: [{ id, customer: { id: customerId }, orderedAt, total }],
  });
  expect(res.statusCode).toBe(200);
}

/** A lot of `points` earned `monthsAgo` months ago, valid for 12 months. */
async function lot(customerId: number, points: number, monthsAgo: number, key: string) {
  await earnPoints(t.database.db, ws, {
    customerId,
    points,
    actor: 'test',
    idempotencyKey: key,
    earnedAt: new Date(Date.now() - monthsAgo * 30 * DAY),
    validityMonths: 12,
  });
}

async function couponTemplate(name: string): Promise<number> {
  const res = await api('POST', '/v1/loyalty/coupon-templates', { name, kind: 'amount_off', value: 300 });
  expect(res.statusCode).toBe(201);
  return res.json().id;
}

async function grant(templateId: number, customerId: number, grantKey?: string): Promise<string> {
  const res = await api('POST', `/v1/loyalty/coupon-templates/${templateId}/grants`, {
    customerId,
    ...(grantKey ? { grantKey } : {}),
  });
  expect(res.statusCode).toBeLessThan(300);
  return res.json().code;
}

async function stamp(customerId: number, templateId: number, count: number, key: string) {
  const res = await api('POST', `/v1/loyalty/members/${customerId}/stamps`, {
    templateId,
    count,
    idempotencyKey: key,
  });
  expect(res.statusCode).toBe(200);
}

async function loyaltyRows(customerId: number) {
  const { rows } = await sql<{
    members: number;
    lots: number;
    coupons: number;
    cards: number;
    ledger: number;
  }>`
    select (select count(*) from loyalty_member where workspace_id = ${ws} and customer_id = ${customerId})::int as members,
      (select count(*) from point_lot where workspace_id = ${ws} and customer_id = ${customerId})::int as lots,
      (select count(*) from coupon where workspace_id = ${ws} and customer_id = ${customerId})::int as coupons,
      (select count(*) from stamp_card where workspace_id = ${ws} and customer_id = ${customerId})::int as cards,
      (select coalesce(sum(points), 0) from point_entry where workspace_id = ${ws} and customer_id = ${customerId})::int as ledger`.execute(
    t.database.db,
  );
  return rows[0]!;
}

describe('a customer merge', () => {
  it('leaves the survivor with all points, lots, coupons, stamps and the tier of the sums', async () => {
    const a = await customer({ lineUserId: `U${'a'.repeat(32)}`, givenName: '太郎' });
    const b = await customer({ external: [{ namespace: 'member_no', value: 'LM-1' }], familyName: '佐藤' });
    expect(a).toBeLessThan(b);
    // Spend: a 25,000 (silver), b 18,000 (regular); together 43,000 (gold).
    await order('lm-a1', a, 25000);
    await order('lm-b1', b, 18000);
    expect((await evaluateTier(t.database.db, ws, a, { actor: 'test' })).to).toBe('silver');
    expect((await evaluateTier(t.database.db, ws, b, { actor: 'test' })).to).toBe('regular');
    // Lots with different expiries: b's 9-month-old lot expires first, then a's two.
    await lot(a, 300, 1, 'lm:a:1');
    await lot(a, 120, 4, 'lm:a:2');
    await lot(b, 200, 9, 'lm:b:1');
    const expiries = (
      await sql<{ expires_at: Date }>`select expires_at from point_lot
        where workspace_id = ${ws} and customer_id in (${a}, ${b}) order by expires_at`.execute(t.database.db)
    ).rows.map((r) => r.expires_at.toISOString());
    // Stamps: a card of 10 with rewards at 5 and 10; a holds 4, b holds 6 (and b's reward at 5).
    const at5 = await couponTemplate('5個目の特典');
    const at10 = await couponTemplate('10個目の特典');
    const card = await api('POST', '/v1/loyalty/stamp-cards', {
      name: 'コーヒーカード',
      stampsRequired: 10,
      rewards: [
        { at: 5, couponTemplateId: at5 },
        { at: 10, couponTemplateId: at10 },
      ],
    });
    const cardId = card.json().id as number;
    await stamp(a, cardId, 4, 'lm:stamp:a');
    await stamp(b, cardId, 6, 'lm:stamp:b');
    // Coupons: both hold the welcome coupon under the same grant key; b also one it already used.
    const welcome = await couponTemplate('ようこそクーポン');
    const welcomeA = await grant(welcome, a, 'welcome');
    const welcomeB = await grant(welcome, b, 'welcome');
    const usedB = await grant(await couponTemplate('使用済み'), b);
    expect((await api('POST', `/v1/loyalty/coupons/${usedB}/redeem`, {})).statusCode).toBe(200);

    const res = await api('POST', '/v1/customers', {
      customers: [
        { lineUserId: `U${'a'.repeat(32)}`, external: [{ namespace: 'member_no', value: 'LM-1' }] },
      ],
    });
    expect(res.json().accepted[0]).toMatchObject({ id: a, mergedIds: [b] });

    const summary = (await api('GET', `/v1/loyalty/members/${a}`)).json();
    expect(summary.points).toBe(620);
    expect(summary.tier).toEqual({ code: 'gold', name: 'ゴールド', perks: [] });
    // 4 + 6 stamps complete a's card: the reward at 10 is granted, the one at 5 not again.
    expect(summary.stamps).toEqual([{ templateId: cardId, name: 'コーヒーカード', stamps: 0, required: 10 }]);
    const coupons = await sql<{
      code: string;
      template_id: number;
      status: string;
      grant_key: string | null;
    }>`
      select code, template_id, status, grant_key from coupon where workspace_id = ${ws} and customer_id = ${a}
      order by id`.execute(t.database.db);
    expect(coupons.rows.map((c) => c.template_id).sort()).toEqual(
      [at5, at10, welcome, welcome, coupons.rows.find((c) => c.code === usedB)!.template_id].sort(),
    );
    expect(coupons.rows.find((c) => c.code === usedB)?.status).toBe('redeemed');
    expect(coupons.rows.find((c) => c.code === welcomeA)?.grant_key).toBe('welcome');
    expect(coupons.rows.find((c) => c.code === welcomeB)?.grant_key).toBe(`welcome:merged-from:${b}`);
    const usable = summary.coupons.map((c: { code: string }) => c.code);
    expect(usable).toEqual(expect.arrayContaining([welcomeA, welcomeB]));
    expect(usable).not.toContain(usedB);
    const { rows: cards } = await sql<{
      status: string;
      stamps: number;
    }>`select status, stamps from stamp_card
      where workspace_id = ${ws} and customer_id = ${a} order by id`.execute(t.database.db);
    expect(cards).toEqual([
      { status: 'completed', stamps: 10 },
      { status: 'merged', stamps: 6 },
      { status: 'active', stamps: 0 },
    ]);
    // Lots keep their own expiries; nothing is left on the merged record.
    const ledger = (await api('GET', `/v1/loyalty/members/${a}/ledger`)).json();
    expect(ledger.lots.map((l: { expiresAt: string }) => l.expiresAt)).toEqual(expiries);
    expect(ledger.entries[0]).toMatchObject({ kind: 'merge', points: 200, balanceAfter: 620 });
    expect(await loyaltyRows(b)).toEqual({ members: 0, lots: 0, coupons: 0, cards: 0, ledger: 0 });
    const { rows: tiers } = await sql<{ from_tier: string; to_tier: string }>`select from_tier, to_tier
      from tier_change where workspace_id = ${ws} and customer_id = ${a} and reason = 'merge'`.execute(
      t.database.db,
    );
    expect(tiers).toEqual([{ from_tier: 'silver', to_tier: 'gold' }]);
    // The merged id's ledger answers with the survivor's and says so.
    const old = await api('GET', `/v1/loyalty/members/${b}/ledger`);
    expect(old.statusCode).toBe(200);
    expect(old.json()).toMatchObject({ customerId: a, mergedInto: a });
    expect((await api('GET', `/v1/loyalty/members/${b}`)).json()).toMatchObject({
      customerId: a,
      mergedInto: a,
      points: 620,
    });
    await expectLedgerConsistent(t.database, ws);

    // Repeating the loyalty merge changes nothing.
    await transact(t.database.db, (tx) => mergeLoyalty(tx, ws, a, [b]));
    expect((await api('GET', `/v1/loyalty/members/${a}`)).json().points).toBe(620);
    expect(await loyaltyRows(a)).toMatchObject({ lots: 3, coupons: 5, cards: 3, ledger: 620 });

    // At the till, a redemption spends b's lot (the soonest to expire) before a's.
    const till = await api('POST', '/v1/loyalty/till/transactions', {
      idempotencyKey: 'lm-till-1',
      customerId: a,
      redeemPoints: 250,
    });
    expect(till.statusCode).toBe(200);
    const { rows: drawn } = await sql<{ expires_at: Date; points: number }>`
      select l.expires_at, a.points from point_allocation a join point_lot l on l.workspace_id = a.workspace_id and l.id = a.lot_id
      where a.workspace_id = ${ws} and a.entry_id = ${till.json().redeemed.entryId} order by l.expires_at`.execute(
      t.database.db,
    );
    expect(drawn.map((d) => [d.expires_at.toISOString(), Number(d.points)])).toEqual([
      [expiries[0], 200],
      [expiries[1], 50],
    ]);
    expect(till.json().summary.points).toBe(370);
    await expectLedgerConsistent(t.database, ws);
  });

  it('loses no points to a till operation that races it, and refuses points for the merged id after', async () => {
    const a = await customer({ lineUserId: `U${'c'.repeat(32)}` });
    const b = await customer({ external: [{ namespace: 'member_no', value: 'LM-2' }] });
    await lot(a, 100, 1, 'lm2:a');
    await lot(b, 100, 1, 'lm2:b');
    const [merge, till] = await Promise.all([
      api('POST', '/v1/customers', {
        customers: [
          { lineUserId: `U${'c'.repeat(32)}`, external: [{ namespace: 'member_no', value: 'LM-2' }] },
        ],
      }),
      api('POST', '/v1/loyalty/till/transactions', {
        idempotencyKey: 'lm2-till',
        customerId: b,
        orderTotal: 5000,
        earn: true,
      }),
    ]);
    expect(merge.statusCode).toBe(200);
    // Either the sale came first (its 50 points moved with b's) or after (refused, naming a).
    if (till.statusCode === 200) expect(till.json().earned.points).toBe(50);
    else expect(till.json().error.message).toContain(`merged into customer ${a}`);
    const expected = 200 + (till.statusCode === 200 ? 50 : 0);
    expect((await api('GET', `/v1/loyalty/members/${a}`)).json().points).toBe(expected);
    expect(await loyaltyRows(b)).toMatchObject({ members: 0, lots: 0, ledger: 0 });
    const after = await api('POST', `/v1/loyalty/members/${b}/redemptions`, {
      points: 10,
      idempotencyKey: 'lm2-r',
    });
    expect(after.statusCode).toBe(409);
    expect(after.json().error.message).toContain(`merged into customer ${a}`);
    await expectLedgerConsistent(t.database, ws);
  });

  it('counts the merged record’s earned points towards the survivor’s tier when tiers go by points', async () => {
    const shop = await newWorkspace(t.database, 'ポイント基準の店');
    const w = shop.workspaceId;
    await saveRules(
      t.database.db,
      w,
      {
        tierBasis: 'points',
        tiers: [
          { code: 'regular', name: 'レギュラー', threshold: 0, multiplier: 1 },
          { code: 'silver', name: 'シルバー', threshold: 300, multiplier: 1 },
        ],
      },
      'test',
    );
    const headers = { authorization: `Bearer ${shop.apiKey}` };
    const upsert = async (fields: object) =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/customers',
          headers,
          payload: { customers: [fields] },
        })
      ).json().accepted[0];
    const a = (await upsert({ email: 'tier-a@example.jp' })).id as number;
    const b = (await upsert({ phone: '09011112222' })).id as number;
    for (const [id, key] of [
      [a, 'pt:a'],
      [b, 'pt:b'],
    ] as const)
      await earnPoints(t.database.db, w, {
        customerId: id,
        points: 200,
        actor: 'test',
        idempotencyKey: key,
        validityMonths: 12,
      });
    expect((await upsert({ email: 'tier-a@example.jp', phone: '09011112222' })).mergedIds).toEqual([b]);
    const member = async () =>
      (
        await sql<{
          tier_code: string;
        }>`select tier_code from loyalty_member where workspace_id = ${w} and customer_id = ${a}`.execute(
          t.database.db,
        )
      ).rows[0]?.tier_code;
    expect(await member()).toBe('silver');
    // The daily evaluation agrees: b's earn entries (still in b's ledger) count for a.
    expect(await evaluateAllTiers(t.database.db, w, { actor: 'test' })).toEqual([]);
    expect(await member()).toBe('silver');
  });
});
