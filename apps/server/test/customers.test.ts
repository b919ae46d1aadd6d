import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, lineUserId, newWorkspace, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function upsert(customers: unknown[], query = '') {
  return t.app.inject({
    method: 'POST',
    url: `/v1/customers${query}`,
    headers: t.auth,
    payload: { customers },
  });
}

describe('customers', () => {
  it('creates a customer with normalised identities and reads it back', async () => {
    const res = await upsert([
      {
        email: ' Hanako.Yamada@Example.JP ',
        phone: '０９０-１２３４-５６７８',
        familyName: '山田',
        givenName: '花子',
        familyNameKana: 'ﾔﾏﾀﾞ',
        birthday: '1990-04-01',
        prefecture: '東京都',
        tags: ['vip', 'vip'],
        attributes: { skinType: 'dry' },
      },
    ]);
    expect(res.statusCode).toBe(200);
    const [created] = res.json().accepted;
    expect(created).toMatchObject({ index: 0, created: true, mergedIds: [] });
    const got = (await t.app.inject({ url: `/v1/customers/${created.id}`, headers: t.auth })).json();
    expect(got.identities).toEqual([
      { kind: 'email', namespace: '', value: 'hanako.yamada@example.jp' },
      { kind: 'phone', namespace: '', value: '+819012345678' },
    ]);
    expect(got).toMatchObject({
      familyName: '山田',
      familyNameKana: 'ヤマダ',
      birthday: '1990-04-01',
      tags: ['vip'],
      attributes: { skinType: 'dry' },
    });
  });

  it('merges two customers deterministically into the older one when an upsert ties them together', async () => {
    const a = (await upsert([{ lineUserId: lineUserId(1), givenName: '太郎', tags: ['line'] }])).json()
      .accepted[0];
    const b = (
      await upsert([
        { external: [{ namespace: 'member_no', value: 'M-0001' }], familyName: '佐藤', tags: ['card'] },
      ])
    ).json().accepted[0];
    await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: t.auth,
      payload: {
        orders: [
          { id: 'merge-o1', customer: { id: b.id }, orderedAt: '2026-01-05T10:00:00+09:00', total: 1200 },
        ],
      },
    });
    const res = await upsert([
      {
        lineUserId: lineUserId(1),
        external: [{ namespace: 'member_no', value: 'M-0001' }],
        givenName: '太郎',
      },
    ]);
    const merged = res.json().accepted[0];
    expect(merged.id).toBe(Math.min(a.id, b.id));
    expect(merged.mergedIds).toEqual([Math.max(a.id, b.id)]);
    const survivor = (await t.app.inject({ url: `/v1/customers/${merged.id}`, headers: t.auth })).json();
    expect(survivor).toMatchObject({ familyName: '佐藤', givenName: '太郎' });
    expect(survivor.tags.sort()).toEqual(['card', 'line']);
    expect(survivor.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['external', 'line']);
    // The merged id still answers, with the survivor; its order moved along.
    const viaOld = (
      await t.app.inject({ url: `/v1/customers/${Math.max(a.id, b.id)}`, headers: t.auth })
    ).json();
    expect(viaOld.id).toBe(merged.id);
    const orders = await t.database.db
      .selectFrom('customer_order')
      .select('customer_id')
      .where('external_id', '=', 'merge-o1')
      .execute();
    expect(orders).toEqual([{ customer_id: merged.id }]);
    const log = await t.database.db
      .selectFrom('customer_merge')
      .selectAll()
      .where('workspace_id', '=', t.workspace.workspaceId)
      .execute();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ survivor_id: merged.id, merged_id: Math.max(a.id, b.id) });
  });

  it('keeps consent as history: grant, revoke, re-grant, and ignores a repeated change', async () => {
    const { id } = (
      await upsert([
        {
          email: 'consent@example.jp',
          consents: [
            {
              channel: 'email',
              purpose: 'marketing',
              status: 'granted',
              source: 'web_form',
              occurredAt: '2026-01-01T00:00:00Z',
            },
          ],
        },
      ])
    ).json().accepted[0];
    const post = (status: string, occurredAt: string) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/customers/${id}/consents`,
        headers: t.auth,
        payload: { channel: 'email', purpose: 'marketing', status, source: 'unsubscribe_link', occurredAt },
      });
    expect((await post('revoked', '2026-02-01T00:00:00Z')).json()).toEqual({ recorded: true });
    expect((await post('revoked', '2026-02-01T00:00:00Z')).json()).toEqual({ recorded: false });
    expect((await post('granted', '2026-03-01T00:00:00Z')).json()).toEqual({ recorded: true });
    const history = (await t.app.inject({ url: `/v1/customers/${id}/consents`, headers: t.auth })).json()
      .items;
    expect(history.map((h: { status: string }) => h.status)).toEqual(['granted', 'revoked', 'granted']);
    expect(history[1]).toMatchObject({
      source: 'unsubscribe_link',
      actor: expect.stringMatching(/^api_key:/),
    });
    const current = (await t.app.inject({ url: `/v1/customers/${id}`, headers: t.auth })).json().consents;
    expect(current).toEqual([
      {
        channel: 'email',
        purpose: 'marketing',
        status: 'granted',
        source: 'unsubscribe_link',
        occurredAt: '2026-03-01T00:00:00.000Z',
      },
    ]);
  });

  it('names every bad field and stores nothing from a rejected batch', async () => {
    const before = await t.database.db
      .selectFrom('customer')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await upsert([
      { email: 'ok@example.jp' },
      { email: 'not-an-email', birthday: '1990-13-45' },
      { familyName: 'no identity' },
      { lineUserId: 'Uxyz', gender: 'robot' },
    ]);
    expect(res.statusCode).toBe(400);
    const paths = res
      .json()
      .error.problems.map((p: { path: string; message: string }) => `${p.path}: ${p.message}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'customers[1].birthday: not a date (YYYY-MM-DD)',
        expect.stringMatching(/^customers\[3\]\.gender: /),
      ]),
    );
    const after = await t.database.db
      .selectFrom('customer')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('reports identity problems after the schema passes, with paths', async () => {
    const res = await upsert([
      { email: 'not-an-email' },
      { familyName: 'no identity' },
      { lineUserId: 'Uxyz' },
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.problems).toEqual([
      { index: 0, path: 'customers[0].email', message: 'not an email address' },
      {
        index: 1,
        path: 'customers[1]',
        message: 'needs at least one identity: lineUserId, email, phone or external',
      },
      {
        index: 2,
        path: 'customers[2].lineUserId',
        message: 'not a LINE userId (U followed by 32 hex digits)',
      },
    ]);
    expect(res.json().error.message).toMatch(/^customers\[0\]\.email: not an email address; /);
  });

  it('accepts the valid items with ?partial=true and reports the rest', async () => {
    const res = await upsert(
      [{ email: 'partial-ok@example.jp' }, { email: 'bad' }, { phone: '12' }],
      '?partial=true',
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accepted.map((a: { index: number }) => a.index)).toEqual([0]);
    expect(body.rejected).toEqual([
      { index: 1, problems: [{ path: 'customers[1].email', message: 'not an email address' }] },
      {
        index: 2,
        problems: [
          { path: 'customers[2].phone', message: 'not a valid phone number (Japanese numbers may omit +81)' },
        ],
      },
    ]);
  });

  it('refuses another workspace’s customer with 404', async () => {
    const { id } = (await upsert([{ email: 'private@example.jp' }])).json().accepted[0];
    const other = await newWorkspace(t.database, '他社');
    const res = await t.app.inject({
      url: `/v1/customers/${id}`,
      headers: { authorization: `Bearer ${other.apiKey}` },
    });
    expect(res.statusCode).toBe(404);
    const consent = await t.app.inject({
      method: 'POST',
      url: `/v1/customers/${id}/consents`,
      headers: { authorization: `Bearer ${other.apiKey}` },
      payload: { channel: 'line', purpose: 'marketing', status: 'granted', source: 'x' },
    });
    expect(consent.statusCode).toBe(404);
    const order = await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { authorization: `Bearer ${other.apiKey}` },
      payload: { orders: [{ id: 'x-1', customer: { id }, orderedAt: '2026-01-01T00:00:00Z', total: 100 }] },
    });
    expect(order.statusCode).toBe(400);
    expect(order.json().error.problems).toEqual([
      { index: 0, path: 'orders[0].customer.id', message: `no customer ${id} in this workspace` },
    ]);
  });

  it('pages through customers with a cursor', async () => {
    const page1 = (await t.app.inject({ url: '/v1/customers?limit=2', headers: t.auth })).json();
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = (
      await t.app.inject({ url: `/v1/customers?limit=2&cursor=${page1.nextCursor}`, headers: t.auth })
    ).json();
    expect(page2.items[0].id).toBeLessThan(page1.items[1].id);
  });
});

describe('concurrent upserts', () => {
  it('gives 12 simultaneous requests for one new identity a single customer', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => upsert([{ email: 'race@example.jp', tags: [`t${i}`] }])),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
    const ids = new Set(results.map((r) => r.json().accepted[0].id));
    expect(ids.size).toBe(1);
    const live = await t.database.db
      .selectFrom('customer as c')
      .innerJoin('customer_identity as i', (j) =>
        j.onRef('i.customer_id', '=', 'c.id').onRef('i.workspace_id', '=', 'c.workspace_id'),
      )
      .select('c.id')
      .where('i.value', '=', 'race@example.jp')
      .execute();
    expect(live).toHaveLength(1);
  });
});
