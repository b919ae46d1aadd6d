import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEGMENT_JOBS } from '../src/segments/segment-jobs.ts';
import { createTestApp, lineUserId, newWorkspace, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ jobs: SEGMENT_JOBS, work: true });
});
afterAll(async () => t?.close());

async function post(url: string, payload: object) {
  const res = await t.app.inject({ method: 'POST', url, headers: t.auth, payload });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

async function members(segmentId: number): Promise<number[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/segments/${segmentId}/members`,
    headers: t.auth,
  });
  return res.json().items.map((m: { customerId: number }) => m.customerId);
}

const at = (day: number) => new Date(Date.now() - day * 86_400_000).toISOString();

describe('incremental membership', () => {
  it('customers enter and exit as orders, visits and profile changes arrive, without a full rebuild', async () => {
    const friends = await post('/v1/segments', { template: 'line_friends_never_bought' });
    const regulars = await post('/v1/segments', { template: 'regulars' });
    const tagged = await post('/v1/segments', {
      name: 'スタッフおすすめ',
      definition: { tag: 'staff_pick' },
    });
    expect([friends.memberCount, regulars.memberCount, tagged.memberCount]).toEqual([0, 0, 0]);

    // A first visit by a new LINE friend: visits.recorded → enters "LINE friends who never bought".
    const customer = { lineUserId: lineUserId(7) };
    await post('/v1/visits', { visits: [{ id: 'V1', customer, visitedAt: at(3) }] });
    const [customerId] = await until(async () => {
      const m = await members(friends.id);
      return m.length === 1 ? m : undefined;
    }, 'entry into line_friends_never_bought');
    expect(await members(regulars.id)).toEqual([]);

    // Two more visits: enters regulars.
    await post('/v1/visits', {
      visits: [
        { id: 'V2', customer, visitedAt: at(2) },
        { id: 'V3', customer, visitedAt: at(1) },
      ],
    });
    await until(async () => (await members(regulars.id)).length === 1, 'entry into regulars');
    expect(await members(regulars.id)).toEqual([customerId]);

    // A completed order: orders.changed → exits "never bought".
    await post('/v1/orders', { orders: [{ id: 'O1', customer, orderedAt: at(0), total: 1200 }] });
    await until(async () => (await members(friends.id)).length === 0, 'exit from line_friends_never_bought');

    // A profile change: customers.changed → enters the tag segment.
    await post('/v1/customers', { customers: [{ lineUserId: lineUserId(7), tags: ['staff_pick'] }] });
    await until(async () => (await members(tagged.id)).length === 1, 'entry into the tag segment');

    const events = await t.app.inject({
      method: 'GET',
      url: `/v1/segments/${friends.id}/events`,
      headers: t.auth,
    });
    expect(
      events.json().items.map((e: { kind: string; customerId: number }) => [e.kind, e.customerId]),
    ).toEqual([
      ['entered', customerId],
      ['exited', customerId],
    ]);
    const history = await t.database.db
      .selectFrom('segment_membership')
      .select(['segment_id', 'entered_at', 'exited_at'])
      .where('workspace_id', '=', t.workspace.workspaceId)
      .where('customer_id', '=', customerId ?? 0)
      .orderBy('entered_at')
      .orderBy('segment_id')
      .execute();
    expect(history.map((h) => [h.segment_id, h.exited_at === null])).toEqual([
      [friends.id, false],
      [regulars.id, true],
      [tagged.id, true],
    ]);
    // Only the touched customers were evaluated: the full evaluation time is still the one made
    // when the segment was saved.
    const after = await t.app.inject({ method: 'GET', url: `/v1/segments/${friends.id}`, headers: t.auth });
    expect(after.json().evaluatedAt).toBe(friends.evaluatedAt);
    expect(after.json().memberCount).toBe(0);
  });

  it('answers 404 for another workspace and lists templates in both languages', async () => {
    const seg = await post('/v1/segments', { template: 'vip' });
    const other = await newWorkspace(t.database, '別ブランド');
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/segments/${seg.id}/members`,
      headers: { authorization: `Bearer ${other.apiKey}` },
    });
    expect(res.statusCode).toBe(404);
    const templates = await t.app.inject({ method: 'GET', url: '/v1/segments/templates', headers: t.auth });
    const vip = templates.json().items.find((x: { key: string }) => x.key === 'vip');
    expect(vip.name).toEqual({ ja: 'VIP(予測LTV上位10%)', en: 'VIP (top 10% predicted CLV)' });
    expect(vip.definition).toEqual({ prediction: 'clv_percentile', op: 'gte', value: 90 });
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/segments/${seg.id}`, headers: t.auth });
    expect(del.statusCode).toBe(204);
  });
});
