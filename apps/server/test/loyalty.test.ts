import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCoupon, redeemCoupon } from '../src/loyalty/coupons.ts';
import { expirePoints, recordExpiringSoon } from '../src/loyalty/expire-points.ts';
import {
  addMonths,
  earnPoints,
  listLots,
  redeemPoints,
  voidRedemption,
} from '../src/loyalty/points-ledger.ts';
import { saveRules } from '../src/loyalty/rules.ts';
import { evaluateAllTiers } from '../src/loyalty/tiers.ts';
import { createApiKey } from '../src/workspaces/api-keys.ts';
import { createTestApp, type TestApp } from './helpers.ts';
import { expectLedgerConsistent, loyaltyEvents, newCustomer } from './loyalty-helpers.ts';

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

const api = (
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = t.auth,
) => t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

const postOrder = (order: Record<string, unknown>) => api('POST', '/v1/orders', { orders: [order] });

describe('points lots', () => {
  it('spends the soonest-expiring lot first and never an expired one', async () => {
    const c = await newCustomer(t.database, ws);
    const now = new Date('2026-06-01T03:00:00Z');
    // Earned in March (expires in 3 months: 2026-06-10), January (2026-07-10) and May (2026-08-10).
    const earn = (points: number, earnedAt: string, key: string) =>
      earnPoints(t.database.db, ws, {
        customerId: c,
        points,
        actor: 'test',
        idempotencyKey: key,
        earnedAt: new Date(earnedAt),
        validityMonths: 3,
      });
    await earn(100, '2026-04-10T00:00:00Z', 'lot-b');
    await earn(50, '2026-03-10T00:00:00Z', 'lot-a');
    await earn(70, '2026-05-10T00:00:00Z', 'lot-c');
    await earn(30, '2026-02-01T00:00:00Z', 'lot-expired'); // expired on 2026-05-01
    const r = await redeemPoints(t.database.db, ws, {
      customerId: c,
      points: 120,
      actor: 'test',
      idempotencyKey: 'spend-1',
      at: now,
    });
    expect(r.balance).toBe(100); // 250 − 30 expired − 120
    const lots = await listLots(t.database.db, ws, c);
    expect(lots.map((l) => [l.earned, l.remaining])).toEqual([
      [100, 30], // the March lot (50) went first, then 70 of this one
      [70, 70],
    ]);
    const ledger = await api('GET', `/v1/loyalty/members/${c}/ledger`);
    expect(ledger.json().entries.map((e: { kind: string; points: number }) => [e.kind, e.points])).toEqual([
      ['redeem', -120],
      ['expire', -30],
      ['earn', 30],
      ['earn', 70],
      ['earn', 50],
      ['earn', 100],
    ]);
    await expect(
      redeemPoints(t.database.db, ws, {
        customerId: c,
        points: 101,
        actor: 'test',
        idempotencyKey: 'spend-2',
        at: now,
      }),
    ).rejects.toThrow(/not enough points/);
  });

  it('expires lots in the job, records "expiring soon" once, and a void returns points to their lots', async () => {
    const c = await newCustomer(t.database, ws);
    await earnPoints(t.database.db, ws, {
      customerId: c,
      points: 40,
      actor: 'test',
      earnedAt: new Date('2025-01-05T00:00:00Z'),
      validityMonths: 12,
    });
    await earnPoints(t.database.db, ws, {
      customerId: c,
      points: 60,
      actor: 'test',
      earnedAt: new Date('2025-02-01T00:00:00Z'),
      validityMonths: 12,
    });
    const at = new Date('2026-01-10T00:00:00Z');
    const spent = await redeemPoints(t.database.db, ws, {
      customerId: c,
      points: 50,
      actor: 'test',
      idempotencyKey: `v-${c}`,
      at,
    });
    await voidRedemption(t.database.db, ws, { entryId: spent.entryId, reason: 'mistake', actor: 'test' });
    await expect(
      voidRedemption(t.database.db, ws, { entryId: spent.entryId, reason: 'again', actor: 'test' }),
    ).rejects.toThrow(/already voided/);
    await recordExpiringSoon(t.database.db, { at, workspaceId: ws });
    await recordExpiringSoon(t.database.db, { at, workspaceId: ws });
    const soon = (await loyaltyEvents(t.database, ws, c)).filter((e) => e.type === 'loyalty.points_expiring');
    expect(soon.map((e) => e.payload.points)).toEqual([60]);
    const expired = await expirePoints(t.database.db, {
      at: new Date('2026-02-02T00:00:00Z'),
      workspaceId: ws,
    });
    expect(expired.points).toBeGreaterThanOrEqual(60);
    const summary = (await api('GET', `/v1/loyalty/members/${c}`)).json();
    expect(summary.points).toBe(0);
  });

  it('manual adjustments need a reason and a staff member, and cannot go below zero', async () => {
    const c = await newCustomer(t.database, ws);
    const missing = await api('POST', `/v1/loyalty/members/${c}/adjustments`, {
      points: 10,
      reason: 'お詫び',
    });
    expect(missing.statusCode).toBe(400);
    const ok = await api('POST', `/v1/loyalty/members/${c}/adjustments`, {
      points: 10,
      reason: 'お詫び',
      staff: '佐藤',
    });
    expect(ok.json()).toMatchObject({ points: 10, balance: 10 });
    const tooMuch = await api('POST', `/v1/loyalty/members/${c}/adjustments`, {
      points: -11,
      reason: '訂正',
      staff: '佐藤',
    });
    expect(tooMuch.statusCode).toBe(409);
    const entry = (await api('GET', `/v1/loyalty/members/${c}/ledger`)).json().entries[0];
    expect(entry).toMatchObject({
      kind: 'adjust',
      reason: 'お詫び',
      detail: { staff: '佐藤' },
      actor: expect.stringMatching(/^api_key:/),
    });
  });
});

describe('earning per order', () => {
  let c: number;
  let order: Record<string, unknown>;
  beforeAll(async () => {
    c = await newCustomer(t.database, ws);
    await api('PUT', '/v1/stores/shibuya', { name: '渋谷店' });
    order = {
      id: 'L-1',
      customer: { email: 'points@example.jp' },
      storeCode: 'shibuya',
      orderedAt: new Date(Date.now() - 86_400_000).toISOString(),
      total: 10000,
      lines: [
        { sku: 'BEANS', name: '豆', quantity: 1, unitPrice: 9000 },
        { sku: 'GIFTCARD', name: 'ギフト券', quantity: 1, unitPrice: 1000 },
      ],
    };
    await saveRules(
      t.database.db,
      ws,
      {
        pointsPerYen: 0.01,
        excludedSkus: ['GIFTCARD'],
        tiers: [{ code: 'regular', name: 'レギュラー', threshold: 0, multiplier: 1 }],
      },
      'test',
    );
    expect((await postOrder(order)).statusCode).toBe(200);
  });

  it('earns once per order, however often it is asked (idempotent earn)', async () => {
    const first = await api('POST', '/v1/loyalty/orders/L-1/earn');
    expect(first.json()).toMatchObject({ earned: 90 }); // 9,000 eligible (gift card excluded) × 0.01
    const again = await api('POST', '/v1/loyalty/orders/L-1/earn');
    expect(again.json()).toMatchObject({ earned: 0, reversed: 0 });
    await postOrder(order); // the order re-sent unchanged
    const customerId = again.json().customerId;
    const summary = (await api('GET', `/v1/loyalty/members/${customerId}`)).json();
    expect(summary.points).toBe(90);
  });

  it('reverses points on a partial refund, then the rest on a full refund', async () => {
    await postOrder({ ...order, refundedAmount: 5000 });
    const partial = (await api('POST', '/v1/loyalty/orders/L-1/earn')).json();
    expect(partial).toMatchObject({ reversed: 45 }); // keeps floor(90 × 5,000 / 10,000)
    await postOrder({ ...order, status: 'refunded', refundedAmount: 10000 });
    const full = (await api('POST', '/v1/loyalty/orders/L-1/earn')).json();
    expect(full).toMatchObject({ reversed: 45, unrecovered: 0 });
    expect((await api('GET', `/v1/loyalty/members/${full.customerId}`)).json().points).toBe(0);
    expect(c).toBeGreaterThan(0);
  });

  it('claws back spent points from the rest of the balance, never below zero', async () => {
    const o = {
      ...order,
      id: 'L-2',
      customer: { email: 'spender@example.jp' },
      lines: undefined,
      total: 20000,
    };
    await postOrder(o);
    const earned = (await api('POST', '/v1/loyalty/orders/L-2/earn')).json();
    expect(earned.earned).toBe(200);
    const customerId = earned.customerId;
    await api('POST', `/v1/loyalty/members/${customerId}/adjustments`, {
      points: 30,
      reason: 'キャンペーン',
      staff: '佐藤',
    });
    await redeemPoints(t.database.db, ws, {
      customerId,
      points: 180,
      actor: 'test',
      idempotencyKey: 'spend-l2',
    });
    await postOrder({ ...o, status: 'cancelled' });
    const reversed = (await api('POST', '/v1/loyalty/orders/L-2/earn')).json();
    // 200 to reverse; 20 left of the order's lot, 30 from the other lot, 150 could not be recovered.
    expect(reversed).toMatchObject({ reversed: 50, unrecovered: 150 });
    expect((await api('GET', `/v1/loyalty/members/${customerId}`)).json().points).toBe(0);
    expect((await api('POST', '/v1/loyalty/orders/L-2/earn')).json()).toMatchObject({ reversed: 0 });
  });
});

describe('coupons', () => {
  let c: number;
  let templateId: number;
  beforeAll(async () => {
    c = await newCustomer(t.database, ws);
    const res = await api('POST', '/v1/loyalty/coupon-templates', {
      name: '次回使える300円引き',
      kind: 'amount_off',
      value: 300,
      minSpend: 1000,
      validDays: 30,
      perCustomerLimit: 2,
    });
    expect(res.statusCode).toBe(201);
    templateId = res.json().id;
  });

  it('grants an unguessable code, redeems it once, and a void restores it', async () => {
    const granted = (
      await api('POST', `/v1/loyalty/coupon-templates/${templateId}/grants`, {
        customerId: c,
        grantKey: 'welcome',
      })
    ).json();
    expect(granted.code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    const again = (
      await api('POST', `/v1/loyalty/coupon-templates/${templateId}/grants`, {
        customerId: c,
        grantKey: 'welcome',
      })
    ).json();
    expect(again).toMatchObject({ code: granted.code, replayed: true });
    const code = granted.code.toLowerCase().replace(/-/g, ' ');
    expect(
      (await api('POST', `/v1/loyalty/coupons/${encodeURIComponent(code)}/redeem`, { orderTotal: 800 }))
        .statusCode,
    ).toBe(409);
    const redeemed = await api('POST', `/v1/loyalty/coupons/${granted.code}/redeem`, {
      orderTotal: 1500,
      idempotencyKey: 'sale-1',
    });
    expect(redeemed.json()).toMatchObject({ discount: 300, replayed: false });
    expect(
      (
        await api('POST', `/v1/loyalty/coupons/${granted.code}/redeem`, {
          orderTotal: 1500,
          idempotencyKey: 'sale-1',
        })
      ).json().replayed,
    ).toBe(true);
    const twice = await api('POST', `/v1/loyalty/coupons/${granted.code}/redeem`, { orderTotal: 1500 });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toMatch(/already been used/);
    expect(
      (await api('POST', `/v1/loyalty/coupons/${granted.code}/void`, { reason: 'レジ打ち間違い' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await api('POST', `/v1/loyalty/coupons/${granted.code}/redeem`, { orderTotal: 1500 })).statusCode,
    ).toBe(200);
  });

  it('enforces the per-customer limit and builds a LINE flex message', async () => {
    const second = await grantCoupon(t.database.db, ws, {
      templateId,
      customerId: c,
      source: 'test',
      actor: 'test',
    });
    await expect(
      grantCoupon(t.database.db, ws, { templateId, customerId: c, source: 'test', actor: 'test' }),
    ).rejects.toThrow(/limit 2/);
    const flex = (
      await api('GET', `/v1/loyalty/coupons/${second.code}/flex?shopName=${encodeURIComponent('喫茶きずな')}`)
    ).json();
    expect(flex.type).toBe('flex');
    expect(flex.altText).toBe('喫茶きずな: 次回使える300円引き ¥300 OFF');
    expect(flex.contents.type).toBe('bubble');
    expect(JSON.stringify(flex.contents.body)).toContain(second.code);
  });

  it('refuses an expired coupon', async () => {
    const coupon = await grantCoupon(t.database.db, ws, {
      templateId,
      customerId: await newCustomer(t.database, ws),
      source: 'test',
      actor: 'test',
      at: new Date('2026-01-01T00:00:00Z'),
    });
    await expect(
      redeemCoupon(t.database.db, ws, {
        code: coupon.code,
        actor: 'test',
        orderTotal: 5000,
        at: new Date('2026-02-01T00:00:00Z'),
      }),
    ).rejects.toThrow(/expired/);
  });
});

describe('stamp cards', () => {
  it('completes a card, grants its coupons at the midpoint and the goal, and starts a new card', async () => {
    const c = await newCustomer(t.database, ws);
    const coupon = (
      await api('POST', '/v1/loyalty/coupon-templates', {
        name: 'ドリンク1杯無料',
        kind: 'free_item',
        freeItem: 'ドリンク',
      })
    ).json();
    const half = (
      await api('POST', '/v1/loyalty/coupon-templates', { name: '100円引き', kind: 'amount_off', value: 100 })
    ).json();
    const card = (
      await api('POST', '/v1/loyalty/stamp-cards', {
        name: 'コーヒーカード',
        stampsRequired: 4,
        maxPerDay: 1,
        rewards: [
          { at: 2, couponTemplateId: half.id },
          { at: 4, couponTemplateId: coupon.id },
        ],
      })
    ).json();
    const stamp = (key: string) =>
      api('POST', `/v1/loyalty/members/${c}/stamps`, { templateId: card.id, idempotencyKey: key });
    expect((await stamp('d1')).json()).toMatchObject({ added: 1, stamps: 1 });
    expect((await stamp('d1b')).json()).toMatchObject({ added: 0, stamps: 1, limited: true }); // one a day
    // The next stamps on later days, through the domain with an explicit time.
    const { addStamps } = await import('../src/loyalty/stamp-cards.ts');
    const day = (n: number) => new Date(Date.now() - n * 86_400_000);
    expect(
      await addStamps(t.database.db, ws, {
        templateId: card.id,
        customerId: c,
        source: 'test',
        actor: 'test',
        idempotencyKey: 'd2',
        at: day(1),
      }),
    ).toMatchObject({ stamps: 2, grantedCoupons: [expect.any(String)] });
    expect(
      await addStamps(t.database.db, ws, {
        templateId: card.id,
        customerId: c,
        source: 'test',
        actor: 'test',
        idempotencyKey: 'd2',
        at: day(1),
      }),
    ).toMatchObject({ replayed: true, stamps: 2 });
    await addStamps(t.database.db, ws, {
      templateId: card.id,
      customerId: c,
      source: 'test',
      actor: 'test',
      idempotencyKey: 'd3',
      at: day(2),
    });
    const done = await addStamps(t.database.db, ws, {
      templateId: card.id,
      customerId: c,
      source: 'test',
      actor: 'test',
      idempotencyKey: 'd4',
      at: day(3),
    });
    expect(done).toMatchObject({ completedCards: 1, stamps: 0, grantedCoupons: [expect.any(String)] });
    const summary = (await api('GET', `/v1/loyalty/members/${c}`)).json();
    expect(summary.coupons.map((x: { name: string }) => x.name).sort()).toEqual([
      '100円引き',
      'ドリンク1杯無料',
    ]);
    expect(summary.stamps.find((s: { templateId: number }) => s.templateId === card.id)).toMatchObject({
      stamps: 0,
      required: 4,
    });
    const types = (await loyaltyEvents(t.database, ws, c)).map((e) => e.type);
    expect(types).toContain('loyalty.stamp_card_one_to_go');
    expect(types).toContain('loyalty.stamp_card_completed');
  });
});

describe('tiers', () => {
  it('moves a member up on an order and down when the spend leaves the 12-month window', async () => {
    const other = await newWorkspaceWithRules();
    const res = await other.post({
      id: 'T-1',
      customer: { email: 'tier@example.jp' },
      orderedAt: new Date(Date.now() - 86_400_000).toISOString(),
      total: 40000,
    });
    expect(res.statusCode).toBe(200);
    const earn = (await other.api('POST', '/v1/loyalty/orders/T-1/earn')).json();
    expect(earn.tier).toBe('silver');
    const c = earn.customerId;
    const down = await evaluateAllTiers(t.database.db, other.ws, {
      actor: 'test',
      at: addMonths(new Date(), 13),
    });
    expect(down).toEqual([{ customerId: c, from: 'silver', to: 'regular', value: 0, changed: true }]);
    const changes = (await loyaltyEvents(t.database, other.ws, c)).filter(
      (e) => e.type === 'loyalty.tier_changed',
    );
    expect(changes.map((e) => [e.payload.from, e.payload.to, e.payload.direction])).toEqual([
      [null, 'silver', 'up'],
      ['silver', 'regular', 'down'],
    ]);
    // The silver perk coupon was granted on the way up.
    const coupons = await sql<{
      source: string;
    }>`select source from coupon where workspace_id = ${other.ws} and customer_id = ${c}`.execute(
      t.database.db,
    );
    expect(coupons.rows).toEqual([{ source: 'tier:silver' }]);
    await expectLedgerConsistent(t.database, other.ws);
  });
});

async function newWorkspaceWithRules() {
  const { newWorkspace } = await import('./helpers.ts');
  const w = await newWorkspace(t.database, '別の店');
  const headers = { authorization: `Bearer ${w.apiKey}` };
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    api(method, url, payload, headers);
  const perk = (
    await call('POST', '/v1/loyalty/coupon-templates', {
      name: 'シルバー特典',
      kind: 'percent_off',
      value: 10,
    })
  ).json();
  const rules = await call('PUT', '/v1/loyalty/rules', {
    tiers: [
      { code: 'regular', name: 'レギュラー', threshold: 0, multiplier: 1 },
      { code: 'silver', name: 'シルバー', threshold: 30000, multiplier: 1.5, couponTemplateId: perk.id },
    ],
  });
  expect(rules.statusCode).toBe(200);
  return {
    ws: w.workspaceId,
    api: call,
    post: (o: Record<string, unknown>) => call('POST', '/v1/orders', { orders: [o] }),
  };
}

describe('membership card and till', () => {
  let c: number;
  let staff: Record<string, string>;
  beforeAll(async () => {
    c = await newCustomer(t.database, ws, ['鈴木', '一郎']);
    await sql`update customer set family_name_kana = 'スズキ', given_name_kana = 'イチロウ' where id = ${c}`.execute(
      t.database.db,
    );
    const key = await createApiKey(t.database.db, {
      workspaceId: ws,
      name: 'レジ1',
      scopes: ['read', 'till'],
    });
    staff = { authorization: `Bearer ${key.token}` };
    await api('POST', `/v1/loyalty/members/${c}/adjustments`, { points: 500, reason: '移行', staff: '佐藤' });
  });

  it('scans a fresh card into a summary; refuses a forged or expired one', async () => {
    const card = (await api('POST', `/v1/loyalty/members/${c}/card`)).json();
    expect(card.payload).toMatch(/^KZM1\.\d{12}\.\d+\./);
    const scan = await api('POST', '/v1/loyalty/till/scan', { qr: card.payload }, staff);
    expect(scan.json()).toMatchObject({
      customerId: c,
      name: '鈴木 一郎',
      nameKana: 'スズキ イチロウ',
      points: 500,
      memberNo: card.memberNo,
    });
    const [p, no, iat, sig] = card.payload.split('.');
    const forged = [
      `${p}.${no}.${Number(iat) + 600}.${sig}`,
      `${p}.${no}.${iat}.${sig.slice(0, -2)}AA`,
      `${p}.999999999999.${iat}.${sig}`,
    ];
    for (const qr of forged) {
      const res = await api('POST', '/v1/loyalty/till/scan', { qr }, staff);
      expect(res.statusCode, qr).toBe(400);
      expect(res.json().error.message).toMatch(/signature is not valid/);
    }
    // An expired payload: issued ten minutes ago under a key this test holds (another workspace,
    // since each workspace's card key is sealed by whichever box created it).
    const { issueCardPayload, verifyCardPayload } = await import('../src/loyalty/member-card.ts');
    const { createSecretBox } = await import('../src/shared/secret-box.ts');
    const { newWorkspace } = await import('./helpers.ts');
    const box = createSecretBox(Buffer.alloc(32, 7));
    const w2 = (await newWorkspace(t.database, 'QR店')).workspaceId;
    const c2 = await newCustomer(t.database, w2);
    const old = await issueCardPayload(t.database.db, w2, c2, box, new Date(Date.now() - 10 * 60_000));
    await expect(verifyCardPayload(t.database.db, w2, old.payload, box)).rejects.toThrow(
      /expired \d+ s ago; ask the customer to refresh/,
    );
    const fresh = await issueCardPayload(t.database.db, w2, c2, box);
    expect(await verifyCardPayload(t.database.db, w2, fresh.payload, box)).toEqual({
      customerId: c2,
      memberNo: fresh.memberNo,
    });
    // A genuine payload of workspace 2 is refused by workspace 1's till.
    expect((await api('POST', '/v1/loyalty/till/scan', { qr: fresh.payload }, staff)).statusCode).toBe(400);
    await expect(verifyCardPayload(t.database.db, w2, 'hello', box)).rejects.toThrow(
      /not a Kizuna membership card/,
    );
  });

  it('stamps, earns, redeems points and a coupon in one idempotent call; staff cannot change rules', async () => {
    const coupon = await grantCoupon(t.database.db, ws, {
      templateId: (await firstTemplate()).id,
      customerId: c,
      source: 'test',
      actor: 'test',
    });
    const card = (await api('POST', `/v1/loyalty/members/${c}/card`)).json();
    const body = {
      idempotencyKey: 'till-1-0001',
      qr: card.payload,
      orderTotal: 2000,
      earn: true,
      redeemPoints: 100,
      couponCode: coupon.code,
      stamp: {},
    };
    await api('POST', '/v1/loyalty/stamp-cards', { name: '来店スタンプ', stampsRequired: 10 });
    const first = await api('POST', '/v1/loyalty/till/transactions', body, staff);
    expect(first.statusCode).toBe(200);
    const r = first.json();
    expect(r).toMatchObject({
      earned: { points: 20 },
      redeemed: { points: -100 },
      coupon: { code: coupon.code, discount: 300 },
      stamp: { added: 1 },
      replayed: false,
    });
    expect(r.summary.points).toBe(420);
    const again = await api('POST', '/v1/loyalty/till/transactions', body, staff);
    expect(again.json()).toMatchObject({ replayed: true, summary: { points: 420 } });
    const reused = await api('POST', '/v1/loyalty/till/transactions', { ...body, redeemPoints: 5 }, staff);
    expect(reused.statusCode).toBe(409);
    const rules = await api('PUT', '/v1/loyalty/rules', { pointsPerYen: 1 }, staff);
    expect(rules.statusCode).toBe(403);
    const template = await api(
      'POST',
      '/v1/loyalty/coupon-templates',
      { name: 'x', kind: 'amount_off', value: 1 },
      staff,
    );
    expect(template.statusCode).toBe(403);
  });
});

async function firstTemplate() {
  const { rows } = await sql<{
    id: number;
  }>`select id from coupon_template where workspace_id = ${ws} and kind = 'amount_off' order by id limit 1`.execute(
    t.database.db,
  );
  return rows[0]!;
}

describe('kizuna loyalty (operator commands)', () => {
  it('shows rules, adjusts points with a reason and staff, and refuses an adjustment without them', async () => {
    const { runLoyaltyCommand } = await import('../src/loyalty/cli.ts');
    const c = await newCustomer(t.database, ws);
    const out: string[] = [];
    const run = (...argv: string[]) =>
      runLoyaltyCommand(t.database, [...argv, '--workspace', ws], (l) => out.push(l));
    expect(await run('rules', 'show')).toBe(0);
    expect(JSON.parse(out.pop()!)).toMatchObject({ pointsPerYen: 0.01 });
    expect(await run('adjust', String(c), '25', '--reason', '来店お礼', '--staff', '田中')).toBe(0);
    expect(out.pop()).toMatch(/\+25 points, balance 25$/);
    await expect(run('adjust', String(c), '25')).rejects.toThrow(/--reason and --staff/);
    expect(await run('member', String(c))).toBe(0);
    expect(JSON.parse(out.pop()!)).toMatchObject({ customerId: c, points: 25 });
  });
});

describe('earn rules and status-based grants', () => {
  it('applies tier multipliers, bonus periods, excluded stores and rounding', async () => {
    const { computeOrderPoints } = await import('../src/loyalty/order-points.ts');
    const { parseRules } = await import('../src/loyalty/rules.ts');
    const rules = parseRules({
      rounding: 'floor',
      excludedStoreCodes: ['outlet'],
      bonusPeriods: [
        { from: '2026-12-01T00:00:00+09:00', until: '2026-12-26T00:00:00+09:00', multiplier: 2 },
      ],
    });
    const order = (at: string, store: string | null = null) => ({
      total: 1540,
      refunded_amount: 0,
      ordered_at: new Date(at),
      store_code: store,
    });
    expect(computeOrderPoints(rules, order('2026-11-01T12:00:00+09:00'), [], 'silver').points).toBe(23); // 15.4 × 1.5 = 23.1
    expect(computeOrderPoints(rules, order('2026-12-24T12:00:00+09:00'), [], 'silver').points).toBe(46); // × 2 in December
    expect(computeOrderPoints(rules, order('2026-12-24T12:00:00+09:00', 'outlet'), [], 'gold').points).toBe(
      0,
    );
    expect(() => parseRules({ pointsPerYen: 2 })).toThrow(/rules.pointsPerYen/);
  });

  it('grants the birthday coupon once a year to customers whose birthday month it is (JST)', async () => {
    const { runStatusGrants } = await import('../src/loyalty/status-grants.ts');
    const { newWorkspace } = await import('./helpers.ts');
    const w = (await newWorkspace(t.database, '誕生日の店')).workspaceId;
    const birthday = await newCustomer(t.database, w);
    const other = await newCustomer(t.database, w);
    await sql`update customer set birthday = '1990-03-15' where workspace_id = ${w} and id = ${birthday}`.execute(
      t.database.db,
    );
    await sql`update customer set birthday = '1990-04-01' where workspace_id = ${w} and id = ${other}`.execute(
      t.database.db,
    );
    const { createCouponTemplate } = await import('../src/loyalty/coupons.ts');
    const template = await createCouponTemplate(t.database.db, w, {
      name: 'お誕生日クーポン',
      kind: 'percent_off',
      value: 20,
      validDays: 31,
    });
    await saveRules(
      t.database.db,
      w,
      { statusGrants: [{ trigger: 'birthday', couponTemplateId: template.id }] },
      'test',
    );
    // 2026-02-28 16:00 UTC is already 1 March in Japan.
    const at = new Date('2026-02-28T16:00:00Z');
    expect(await runStatusGrants(t.database.db, w, { actor: 'test', at })).toEqual({
      granted: 1,
      skipped: 0,
      skipReasons: {},
    });
    expect(await runStatusGrants(t.database.db, w, { actor: 'test', at })).toEqual({
      granted: 0,
      skipped: 1,
      skipReasons: {},
    });
    const { rows } = await sql<{
      customer_id: number;
      source: string;
    }>`select customer_id, source from coupon where workspace_id = ${w}`.execute(t.database.db);
    expect(rows).toEqual([{ customer_id: birthday, source: 'status:birthday' }]);
  });
});
