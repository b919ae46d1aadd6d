// Status grants read the workspace's segments: "lapsed" is the definition of the shop's lapsed
// segment, so editing it changes who gets the win-back coupon.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCouponTemplate } from '../src/loyalty/coupons.ts';
import { runStatusGrants } from '../src/loyalty/status-grants.ts';
import { createSegment, updateSegment } from '../src/segments/segment-store.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const DAY = 86_400_000;

async function shop(name: string) {
  const { workspaceId, apiKey } = await newWorkspace(t.database, name);
  const headers = { authorization: `Bearer ${apiKey}` };
  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  /** A customer whose only order was `daysAgo` days ago. */
  const buyer = async (key: string, daysAgo: number) => {
    const orderedAt = new Date(Date.now() - daysAgo * DAY).toISOString();
    const res = await api('POST', '/v1/orders', {
      orders: [{ id: key, customer: { email: `${key}@example.jp` }, orderedAt, total: 3000 }],
    });
    expect(res.json().accepted).toHaveLength(1);
    const { rows } = await sql<{ customer_id: number }>`select customer_id from customer_order
      where workspace_id = ${workspaceId} and external_id = ${key}`.execute(t.database.db);
    return Number(rows[0]!.customer_id);
  };
  const coupon = await createCouponTemplate(t.database.db, workspaceId, {
    name: 'おかえりなさいクーポン',
    kind: 'amount_off',
    value: 500,
  });
  const grantedTo = async () =>
    (
      await sql<{ customer_id: number }>`select customer_id from coupon
        where workspace_id = ${workspaceId} and template_id = ${coupon.id} order by customer_id`.execute(
        t.database.db,
      )
    ).rows.map((r) => Number(r.customer_id));
  return { workspaceId, api, buyer, coupon, grantedTo };
}

describe('status grants', () => {
  it('grant the win-back coupon to the lapsed segment, and follow an edit of its definition', async () => {
    const s = await shop('休眠の店');
    const long = await s.buyer('wb-long', 200);
    const recent = await s.buyer('wb-recent', 100);
    await s.buyer('wb-active', 10);
    const saved = await s.api('PUT', '/v1/loyalty/rules', {
      statusGrants: [{ trigger: 'lapsed', couponTemplateId: s.coupon.id }],
    });
    expect(saved.statusCode).toBe(200);
    // Saving the rule made the shop's lapsed segment from its template, to be edited there.
    const segments = (await s.api('GET', '/v1/segments')).json().items;
    const lapsed = segments.find((x: { template: string }) => x.template === 'lapsed_180d');
    expect(lapsed).toBeDefined();

    const actor = 'test';
    expect(await runStatusGrants(t.database.db, s.workspaceId, { actor })).toEqual({
      granted: 1,
      skipped: 0,
      skipReasons: {},
    });
    expect(await s.grantedTo()).toEqual([long]);

    // The shop decides that 90 days without an order is lapsed.
    const definition = JSON.parse(JSON.stringify(lapsed.definition).replaceAll('"days":180', '"days":90'));
    await updateSegment(t.database.db, s.workspaceId, lapsed.id, { definition });
    expect(await runStatusGrants(t.database.db, s.workspaceId, { actor })).toEqual({
      granted: 1,
      skipped: 1,
      skipReasons: {},
    });
    // One coupon each: the long-lapsed customer's spell did not end with the edit.
    expect(await s.grantedTo()).toEqual([long, recent].sort((a, b) => a - b));
  });

  it('grant to any segment named by id, and name the field of a rule that is wrong', async () => {
    const s = await shop('セグメントの店');
    const big = await s.buyer('seg-big', 5);
    const segment = await createSegment(t.database.db, s.workspaceId, {
      name: '購入者',
      definition: { aggregate: { of: 'orders', measure: 'count' }, op: 'gte', value: 1 },
    });
    const both = await s.api('PUT', '/v1/loyalty/rules', {
      statusGrants: [{ trigger: 'lapsed', segmentId: segment.id, couponTemplateId: s.coupon.id }],
    });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.problems).toEqual([
      { path: 'rules.statusGrants[0]', message: 'names both trigger and segmentId; name one' },
    ]);
    const unknown = await s.api('PUT', '/v1/loyalty/rules', {
      statusGrants: [{ segmentId: 987654321, couponTemplateId: s.coupon.id }],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.problems.map((p: { path: string }) => p.path)).toEqual([
      'rules.statusGrants[0].segmentId',
    ]);
    const ok = await s.api('PUT', '/v1/loyalty/rules', {
      statusGrants: [{ segmentId: segment.id, couponTemplateId: s.coupon.id }],
    });
    expect(ok.statusCode).toBe(200);
    expect(await runStatusGrants(t.database.db, s.workspaceId, { actor: 'test' })).toEqual({
      granted: 1,
      skipped: 0,
      skipReasons: {},
    });
    expect(await s.grantedTo()).toEqual([big]);
  });
});
