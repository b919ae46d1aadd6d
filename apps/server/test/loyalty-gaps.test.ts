// Loyalty gaps (issue #17 item 7): next-purchase coupons granted by the order job and refused on
// their own order; tier-restricted coupons, refused at grant and at redemption (also after the
// member's tier drops); tier perks in the member summary; rule grants the coupon refuses are
// skipped with the reason recorded.
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueuedJob } from '../src/jobs/job-types.ts';
import { syncOrderBatch } from '../src/loyalty/jobs.ts';
import { runStatusGrants } from '../src/loyalty/status-grants.ts';
import { evaluateAllTiers } from '../src/loyalty/tiers.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';
import { expectLedgerConsistent } from './loyalty-helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const DAY = 86_400_000;
const context = () => ({ database: t.database, logger: pino({ level: 'silent' }), secrets: t.secrets });

async function shop(name: string) {
  const { workspaceId, apiKey } = await newWorkspace(t.database, name);
  const headers = { authorization: `Bearer ${apiKey}` };
  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  const template = async (payload: object) => {
    const res = await api('POST', '/v1/loyalty/coupon-templates', payload);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as number;
  };
  /** Posts orders through the API; returns their ids by external id. */
  const post = async (...orders: object[]) => {
    const res = await api('POST', '/v1/orders', { orders });
    expect(res.statusCode, res.body).toBe(200);
    const { rows } = await sql<{ id: number; external_id: string; customer_id: number }>`
      select id, external_id, customer_id from customer_order where workspace_id = ${workspaceId}`.execute(
      t.database.db,
    );
    return new Map(rows.map((r) => [r.external_id, { id: Number(r.id), customerId: Number(r.customer_id) }]));
  };
  /** The loyalty-orders job's batch handler over these orders, as jobs (duplicates allowed). */
  const runJob = async (orderIds: number[]) => {
    const jobs: QueuedJob[] = orderIds.map((id, i) => ({
      id: `j${i}`,
      data: { workspaceId, orderIds: [id] },
      retryCount: 0,
    }));
    expect([...(await syncOrderBatch(jobs, context())).entries()]).toEqual([]);
  };
  const coupons = async (customerId: number) =>
    (
      await sql<{ code: string; template_id: number; granted_order_id: number | null; valid_from: Date }>`
        select code, template_id, granted_order_id, valid_from from coupon
        where workspace_id = ${workspaceId} and customer_id = ${customerId} order by id`.execute(
        t.database.db,
      )
    ).rows.map((r) => ({
      ...r,
      template_id: Number(r.template_id),
      granted_order_id: r.granted_order_id && Number(r.granted_order_id),
    }));
  return { workspaceId, api, template, post, runJob, coupons };
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

describe('next-purchase coupons', () => {
  it('are granted once per order under re-sends and repeated jobs, refused on that order and accepted on the next', async () => {
    const s = await shop('次回クーポンの店');
    const tpl = await s.template({ name: '次回500円引き', kind: 'amount_off', value: 500, validDays: 30 });
    const rules = await s.api('PUT', '/v1/loyalty/rules', {
      nextPurchaseCoupons: [{ couponTemplateId: tpl, minOrderTotal: 3000 }],
    });
    expect(rules.statusCode, rules.body).toBe(200);
    const buyer = { email: 'np@example.jp' };
    const first = { id: 'NP-1', customer: buyer, orderedAt: hoursAgo(2), total: 5000 };
    await s.post(first, {
      id: 'NP-small',
      customer: { email: 'small@example.jp' },
      orderedAt: hoursAgo(2),
      total: 2999,
    });
    const orders = await s.post(first); // re-sent
    const np1 = orders.get('NP-1')!;
    // The same order twice in one batch, and the job run twice.
    await s.runJob([np1.id, np1.id, orders.get('NP-small')!.id]);
    await s.runJob([np1.id]);

    const held = await s.coupons(np1.customerId);
    expect(held.map((c) => [c.template_id, c.granted_order_id])).toEqual([[tpl, np1.id]]);
    expect(held[0]!.valid_from.getTime()).toBeGreaterThan(new Date(first.orderedAt).getTime());
    expect(await s.coupons(orders.get('NP-small')!.customerId)).toEqual([]);
    const { rows: events } = await sql<{ n: number }>`select count(*)::int as n from domain_event
      where workspace_id = ${s.workspaceId} and customer_id = ${np1.customerId} and type = 'loyalty.coupon_granted'`.execute(
      t.database.db,
    );
    expect(events[0]!.n).toBe(1);
    const detail = (await s.api('GET', `/v1/loyalty/coupons/${held[0]!.code}`)).json();
    expect(detail.grantedOrderId).toBe(np1.id);
    expect(new Date(detail.validUntil).getTime() - new Date(detail.validFrom).getTime()).toBe(30 * DAY);

    // On the order that granted it: refused, with a stable reason and a Japanese message.
    const same = await s.api('POST', `/v1/loyalty/coupons/${held[0]!.code}/redeem`, {
      orderExternalId: 'NP-1',
    });
    expect(same.statusCode).toBe(409);
    expect(same.json().error.reason).toBe('coupon_granting_order');
    expect(same.json().error.message).toMatch(/次回以降のお買い物/);
    // The till refuses it the same way, and nothing of the till call is kept.
    const till = await s.api('POST', '/v1/loyalty/till/transactions', {
      idempotencyKey: 'np-till-1',
      customerId: np1.customerId,
      couponCode: held[0]!.code,
      orderExternalId: 'NP-1',
    });
    expect(till.statusCode).toBe(409);
    expect(till.json().error.reason).toBe('coupon_granting_order');

    // On the next order: accepted.
    const next = await s.api('POST', '/v1/loyalty/till/transactions', {
      idempotencyKey: 'np-till-1',
      customerId: np1.customerId,
      couponCode: held[0]!.code,
      orderExternalId: 'NP-2',
      orderTotal: 2000,
    });
    expect(next.statusCode, next.body).toBe(200);
    expect(next.json().coupon).toMatchObject({ code: held[0]!.code, discount: 500 });
    // The job once more: the order still has its one coupon.
    await s.runJob([np1.id]);
    expect(await s.coupons(np1.customerId)).toHaveLength(1);
    await expectLedgerConsistent(t.database, s.workspaceId);
  });

  it('grant when an order becomes completed, only for the first order with firstOrderOnly, not for old history', async () => {
    const s = await shop('初回クーポンの店');
    const tpl = await s.template({
      name: '2回目来店500円引き',
      kind: 'amount_off',
      value: 500,
      validDays: 60,
    });
    const other = await s.template({ name: 'お茶の次回割', kind: 'percent_off', value: 10 });
    await s.api('PUT', '/v1/loyalty/rules', {
      nextPurchaseCoupons: [
        { couponTemplateId: tpl, firstOrderOnly: true },
        { couponTemplateId: other, sku: 'TEA-01' },
      ],
    });
    const buyer = { email: 'first@example.jp' };
    const old = {
      id: 'F-old',
      customer: { email: 'old@example.jp' },
      orderedAt: hoursAgo(24 * 30),
      total: 4000,
    };
    const cancelled = {
      id: 'F-1',
      customer: buyer,
      orderedAt: hoursAgo(5),
      total: 4000,
      status: 'cancelled',
    };
    let orders = await s.post(cancelled, old);
    const f1 = orders.get('F-1')!;
    await s.runJob([f1.id, orders.get('F-old')!.id]);
    expect(await s.coupons(f1.customerId)).toEqual([]);
    // Imported history (30 days old, rules.nextPurchaseMaxOrderAgeDays is 7) grants nothing.
    expect(await s.coupons(orders.get('F-old')!.customerId)).toEqual([]);

    // The order changes to completed: the next sync grants, as it earns the points.
    orders = await s.post({ ...cancelled, status: 'completed' });
    await s.runJob([f1.id]);
    expect((await s.coupons(f1.customerId)).map((c) => c.template_id)).toEqual([tpl]);

    // A second order is not the first: only the SKU rule can grant, and only with the SKU.
    const tea = { name: '煎茶', quantity: 1, unitPrice: 1200 };
    orders = await s.post(
      { id: 'F-2', customer: buyer, orderedAt: hoursAgo(3), total: 1200, lines: [{ ...tea, sku: 'TEA-99' }] },
      { id: 'F-3', customer: buyer, orderedAt: hoursAgo(2), total: 1200, lines: [{ ...tea, sku: 'TEA-01' }] },
    );
    await s.runJob([orders.get('F-2')!.id, orders.get('F-3')!.id]);
    expect((await s.coupons(f1.customerId)).map((c) => [c.template_id, c.granted_order_id])).toEqual([
      [tpl, f1.id],
      [other, orders.get('F-3')!.id],
    ]);
  });
});

describe('tier-restricted coupons and tier perks', () => {
  it('refuse a grant and a redemption outside the tiers, also after a tier drops; perks are listed and granted', async () => {
    const s = await shop('ランク限定の店');
    const shipping = await s.template({ name: 'ゴールド会員送料無料', kind: 'free_item', freeItem: '送料' });
    const badPerk = await s.api('PUT', '/v1/loyalty/rules', {
      tiers: [
        { code: 'regular', name: 'レギュラー', threshold: 0, multiplier: 1 },
        {
          code: 'gold',
          name: 'ゴールド',
          threshold: 100000,
          multiplier: 2,
          perks: [{ nameJa: '送料無料', couponTemplateId: 999999 }],
        },
      ],
    });
    expect(badPerk.statusCode).toBe(400);
    expect(badPerk.json().error.problems[0].path).toBe('rules.tiers[1].perks[0].couponTemplateId');
    const perks = [
      { nameJa: '送料無料', nameEn: 'Free shipping', couponTemplateId: shipping },
      { nameJa: '優先予約' },
    ];
    const saved = await s.api('PUT', '/v1/loyalty/rules', {
      tiers: [
        { code: 'regular', name: 'レギュラー', threshold: 0, multiplier: 1 },
        { code: 'gold', name: 'ゴールド', threshold: 100000, multiplier: 2, perks },
      ],
    });
    expect(saved.statusCode, saved.body).toBe(200);

    const typo = await s.api('POST', '/v1/loyalty/coupon-templates', {
      name: 'x',
      kind: 'amount_off',
      value: 100,
      tierCodes: ['gold', 'platinum'],
    });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error.problems).toEqual([
      { path: 'tierCodes[1]', message: expect.stringContaining('platinum') },
    ]);
    const goldOnly = await s.template({
      name: 'ゴールド限定1000円引き',
      kind: 'amount_off',
      value: 1000,
      tierCodes: ['gold'],
    });
    const templates = (await s.api('GET', '/v1/loyalty/coupon-templates')).json().items;
    expect(templates.find((x: { id: number }) => x.id === goldOnly).tierCodes).toEqual(['gold']);
    // A next-purchase rule with the gold-only coupon: a regular member's order skips it, with the reason.
    await s.api('PUT', '/v1/loyalty/rules', {
      ...saved.json(),
      nextPurchaseCoupons: [{ couponTemplateId: goldOnly }],
    });

    const orderedAt = new Date(Date.now() - 300 * DAY).toISOString();
    const orders = await s.post(
      { id: 'G-1', customer: { email: 'gold@example.jp' }, orderedAt: hoursAgo(1), total: 120000 },
      { id: 'R-1', customer: { email: 'regular@example.jp' }, orderedAt: hoursAgo(1), total: 5000 },
      { id: 'D-1', customer: { email: 'drop@example.jp' }, orderedAt, total: 150000 },
    );
    const gold = orders.get('G-1')!.customerId;
    const regular = orders.get('R-1')!.customerId;
    const drop = orders.get('D-1')!.customerId;
    await s.runJob([orders.get('G-1')!.id, orders.get('R-1')!.id, orders.get('D-1')!.id]);

    // Reaching gold granted the perk's coupon (once) and the next-purchase coupon; regular got neither.
    expect((await s.coupons(gold)).map((c) => c.template_id).sort()).toEqual([shipping, goldOnly].sort());
    expect(await s.coupons(regular)).toEqual([]);
    const skips = (await s.api('GET', `/v1/loyalty/members/${regular}/coupon-grant-skips`)).json().items;
    expect(skips).toEqual([
      expect.objectContaining({
        templateId: goldOnly,
        reason: 'tier_restricted',
        grantKey: `order:${orders.get('R-1')!.id}:next`,
      }),
    ]);
    await s.runJob([orders.get('R-1')!.id]);
    expect(
      (await s.api('GET', `/v1/loyalty/members/${regular}/coupon-grant-skips`)).json().items,
    ).toHaveLength(1);

    // Perks come with the member's tier.
    const summary = (await s.api('GET', `/v1/loyalty/members/${gold}`)).json();
    expect(summary.tier).toEqual({
      code: 'gold',
      name: 'ゴールド',
      perks: [
        { nameJa: '送料無料', nameEn: 'Free shipping', couponTemplateId: shipping },
        { nameJa: '優先予約', nameEn: null, couponTemplateId: null },
      ],
    });
    expect((await s.api('GET', `/v1/loyalty/members/${regular}`)).json().tier.perks).toEqual([]);

    // Granting by hand outside the tiers is refused; inside them it works.
    const refused = await s.api('POST', `/v1/loyalty/coupon-templates/${goldOnly}/grants`, {
      customerId: regular,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.reason).toBe('coupon_tier_restricted');
    expect(await s.coupons(regular)).toEqual([]);
    const grant = async (customerId: number, grantKey: string) => {
      const res = await s.api('POST', `/v1/loyalty/coupon-templates/${goldOnly}/grants`, {
        customerId,
        grantKey,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().code as string;
    };
    const now = await grant(drop, 'a');
    const later = await grant(drop, 'b');
    expect((await s.api('POST', `/v1/loyalty/coupons/${now}/redeem`, {})).statusCode).toBe(200);

    // 70 days on, D-1 has left the 12-month window: the daily evaluation moves the member down.
    const moved = await evaluateAllTiers(t.database.db, s.workspaceId, {
      actor: 'test',
      at: new Date(Date.now() + 70 * DAY),
    });
    expect(moved.map((m) => [m.customerId, m.to])).toEqual([[drop, 'regular']]);
    const afterDrop = await s.api('POST', `/v1/loyalty/coupons/${later}/redeem`, {});
    expect(afterDrop.statusCode).toBe(409);
    expect(afterDrop.json().error.reason).toBe('coupon_tier_restricted');
    expect(afterDrop.json().error.message).toMatch(/ランクの会員様限定/);
    const { rows } = await sql<{ status: string }>`select status from coupon
      where workspace_id = ${s.workspaceId} and code = ${later}`.execute(t.database.db);
    expect(rows[0]!.status).toBe('active');
    // Nor does the member's coupon list offer it any longer.
    const codes = (await s.api('GET', `/v1/loyalty/members/${drop}`))
      .json()
      .coupons.map((c: { code: string }) => c.code);
    expect(codes).not.toContain(later);
  });

  it("status grants skip members outside the coupon's tiers and record why, once per spell", async () => {
    const s = await shop('ランク限定の休眠クーポン');
    const goldOnly = await s.template({
      name: 'ゴールド様おかえりクーポン',
      kind: 'amount_off',
      value: 800,
      tierCodes: ['gold'],
    });
    const orders = await s.post({
      id: 'L-1',
      customer: { email: 'lapsed@example.jp' },
      orderedAt: hoursAgo(24 * 200),
      total: 3000,
    });
    const lapsed = orders.get('L-1')!.customerId;
    const saved = await s.api('PUT', '/v1/loyalty/rules', {
      statusGrants: [{ trigger: 'lapsed', couponTemplateId: goldOnly }],
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const expected = { granted: 0, skipped: 1, skipReasons: { tier_restricted: 1 } };
    expect(await runStatusGrants(t.database.db, s.workspaceId, { actor: 'test' })).toEqual(expected);
    expect(await runStatusGrants(t.database.db, s.workspaceId, { actor: 'test' })).toEqual(expected);
    expect(await s.coupons(lapsed)).toEqual([]);
    const skips = (await s.api('GET', `/v1/loyalty/members/${lapsed}/coupon-grant-skips`)).json().items;
    expect(skips).toEqual([
      {
        templateId: goldOnly,
        source: 'status:lapsed',
        grantKey: expect.stringMatching(/^status:lapsed:/),
        reason: 'tier_restricted',
        message: expect.stringContaining('ゴールド'),
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });
});
