// Editing a customer by hand (PATCH /v1/customers/:id) and merging a duplicate with a preview.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, lineUserId, type TestApp } from './helpers.ts';

let t: TestApp;
let n = 0;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function api(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) {
  return t.app.inject({
    method,
    url,
    headers: t.auth,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function newCustomer(fields: Record<string, unknown>): Promise<number> {
  const res = await api('POST', '/v1/customers', { customers: [fields] });
  expect(res.statusCode).toBe(200);
  return res.json().accepted[0].id;
}

describe('PATCH /v1/customers/:id', () => {
  it('edits names, kana (hiragana becomes katakana), birthday, gender, email, phone and tags', async () => {
    const id = await newCustomer({ email: `edit${++n}@example.jp`, familyName: '山田', tags: ['vip'] });
    const before = (await api('GET', `/v1/customers/${id}`)).json();
    const res = await api('PATCH', `/v1/customers/${id}`, {
      updatedAt: before.updatedAt,
      familyName: '佐藤',
      givenName: '花子',
      familyNameKana: 'さとう',
      givenNameKana: 'ﾊﾅｺ',
      birthday: '1991-02-03',
      gender: 'female',
      email: ` Hanako${n}@Example.JP `,
      phone: '０９０-５５５５-１２３４',
      tags: ['常連', 'vip', '常連'],
    });
    expect(res.statusCode).toBe(200);
    const after = res.json();
    expect(after).toMatchObject({
      familyName: '佐藤',
      givenName: '花子',
      familyNameKana: 'サトウ',
      givenNameKana: 'ハナコ',
      birthday: '1991-02-03',
      gender: 'female',
      tags: ['常連', 'vip'],
    });
    expect(after.identities).toEqual([
      { kind: 'email', namespace: '', value: `hanako${n}@example.jp` },
      { kind: 'phone', namespace: '', value: '+819055551234' },
    ]);
    expect(after.updatedAt > before.updatedAt).toBe(true);
    // The old address no longer finds the customer; the new one does.
    expect((await api('GET', `/v1/customers/lookup?kind=email&value=edit${n}@example.jp`)).statusCode).toBe(
      404,
    );
    expect((await api('GET', `/v1/customers/lookup?kind=email&value=hanako${n}@example.jp`)).json().id).toBe(
      id,
    );
  });

  it('edits prefecture (any spelling), postal code, interests and custom attributes (null removes a key, others kept)', async () => {
    const id = await newCustomer({
      email: `attrs${++n}@example.jp`,
      prefecture: '大阪府',
      interests: ['珈琲'],
      attributes: { rank: 'B', visits: 3, memo: '窓際の席' },
    });
    const res = await api('PATCH', `/v1/customers/${id}`, {
      prefecture: 'Tokyo',
      postalCode: '〒１５００００２',
      interests: [' 紅茶 ', '焼き菓子', '紅茶'],
      attributes: { rank: 'A', memo: null, favourite: 'ほうじ茶ラテ' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      prefecture: '東京都',
      postalCode: '150-0002',
      interests: ['紅茶', '焼き菓子'],
      attributes: { rank: 'A', visits: 3, favourite: 'ほうじ茶ラテ' },
    });
    expect(res.json().attributes).not.toHaveProperty('memo');
    // null clears the prefecture and the postal code; an empty list clears the interests.
    const cleared = await api('PATCH', `/v1/customers/${id}`, {
      prefecture: null,
      postalCode: '',
      interests: [],
    });
    expect(cleared.json()).toMatchObject({ prefecture: null, postalCode: null, interests: [] });
    const bad = await api('PATCH', `/v1/customers/${id}`, {
      prefecture: '東京県',
      postalCode: '150-00',
      attributes: { ' ': 1 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.problems.map((p: { path: string }) => p.path)).toEqual([
      'attributes. ',
      'prefecture',
      'postalCode',
    ]);
  });

  it('names every bad field in one 400 and changes nothing', async () => {
    const id = await newCustomer({ email: `bad${++n}@example.jp`, familyName: '田中' });
    const res = await api('PATCH', `/v1/customers/${id}`, {
      familyName: '鈴木',
      familyNameKana: 'Suzuki',
      email: 'not-an-address',
      phone: '12',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.problems.map((p: { path: string }) => p.path)).toEqual([
      'familyNameKana',
      'email',
      'phone',
    ]);
    expect((await api('GET', `/v1/customers/${id}`)).json().familyName).toBe('田中');
    const badDate = await api('PATCH', `/v1/customers/${id}`, { birthday: '1990-13-40' });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().error.message).toContain('birthday');
  });

  it('refuses a stale updatedAt with 409 customer_changed (someone else saved first)', async () => {
    const id = await newCustomer({ email: `race${++n}@example.jp` });
    const opened = (await api('GET', `/v1/customers/${id}`)).json().updatedAt;
    expect(
      (await api('PATCH', `/v1/customers/${id}`, { updatedAt: opened, givenName: '一郎' })).statusCode,
    ).toBe(200);
    const second = await api('PATCH', `/v1/customers/${id}`, { updatedAt: opened, givenName: '二郎' });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.reason).toBe('customer_changed');
    expect((await api('GET', `/v1/customers/${id}`)).json().givenName).toBe('一郎');
  });

  it('lets exactly one of two simultaneous edits from the same opened karte through', async () => {
    const id = await newCustomer({ email: `both${++n}@example.jp` });
    const opened = (await api('GET', `/v1/customers/${id}`)).json().updatedAt;
    const answers = await Promise.all(
      ['一郎', '二郎'].map((givenName) =>
        api('PATCH', `/v1/customers/${id}`, { updatedAt: opened, givenName }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.statusCode === 200)!.json().givenName;
    expect((await api('GET', `/v1/customers/${id}`)).json().givenName).toBe(winner);
  });

  it("refuses another customer's email with 409 identity_taken, and removing the last identity", async () => {
    const taken = `taken${++n}@example.jp`;
    const holder = await newCustomer({ email: taken });
    const id = await newCustomer({ email: `other${n}@example.jp` });
    const res = await api('PATCH', `/v1/customers/${id}`, { email: taken.toUpperCase() });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      reason: 'identity_taken',
      problems: [{ path: 'email', message: `belongs to customer ${holder}` }],
    });
    const last = await api('PATCH', `/v1/customers/${id}`, { email: null });
    expect(last.statusCode).toBe(400);
    expect(last.json().error.problems[0].path).toBe('email');
    expect((await api('GET', `/v1/customers/${id}`)).json().identities).toHaveLength(1);
  });

  it('answers 404 for a customer of another workspace or one merged away', async () => {
    expect((await api('PATCH', '/v1/customers/99999999', { givenName: 'x' })).statusCode).toBe(404);
  });
});

describe('merge with preview', () => {
  it('previews exactly what the merge then does, writing nothing until the merge', async () => {
    const older = await newCustomer({
      lineUserId: lineUserId(900 + ++n),
      familyName: '山田',
      tags: ['line'],
    });
    const newer = await newCustomer({
      email: `dup${n}@example.jp`,
      familyName: '山田',
      givenName: '花子',
      birthday: '1990-04-01',
      tags: ['ec'],
    });
    for (const [customer, total] of [
      [older, 1000],
      [newer, 2500],
      [newer, 800],
    ] as const) {
      const order = {
        id: `m-${n}-${customer}-${total}`,
        customer: { id: customer },
        orderedAt: '2026-01-05T10:00:00+09:00',
        total,
      };
      expect((await api('POST', '/v1/orders', { orders: [order] })).statusCode).toBe(200);
    }
    const adjust = (customer: number, points: number) =>
      api('POST', `/v1/loyalty/members/${customer}/adjustments`, { points, reason: 'テスト', staff: '店長' });
    expect((await adjust(older, 120)).statusCode).toBe(200);
    expect((await adjust(newer, 300)).statusCode).toBe(200);

    // Asked from the newer record's karte: the older one survives all the same.
    const preview = await api('GET', `/v1/customers/${newer}/merge/preview?duplicateId=${older}`);
    expect(preview.statusCode).toBe(200);
    const p = preview.json();
    expect(p).toMatchObject({ survivorId: older, mergedId: newer });
    expect(p.survivor).toMatchObject({
      familyName: '山田',
      givenName: '花子',
      birthday: '1990-04-01',
      tags: ['line', 'ec'],
    });
    expect(p.sources).toEqual(
      expect.arrayContaining([
        { field: 'familyName', customerId: older },
        { field: 'givenName', customerId: newer },
      ]),
    );
    expect(p.survivor.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['email', 'line']);
    const orders = p.tables.find((x: { table: string }) => x.table === 'customer_order');
    expect(orders).toMatchObject({
      onMerge: 'move',
      counts: [
        { customerId: older, rows: 1 },
        { customerId: newer, rows: 2 },
      ],
    });
    expect(p.figures).toContainEqual({
      name: 'points',
      byCustomer: [
        { customerId: older, value: 120 },
        { customerId: newer, value: 300 },
      ],
      after: 420,
    });
    // Nothing was written: both records are still live.
    expect((await api('GET', `/v1/customers/${newer}`)).json().id).toBe(newer);

    const merged = await api('POST', `/v1/customers/${newer}/merge`, { duplicateId: older });
    expect(merged.statusCode).toBe(200);
    expect(merged.json()).toEqual({ survivorId: older, mergedIds: [newer] });
    const survivor = (await api('GET', `/v1/customers/${newer}`)).json();
    expect(survivor).toMatchObject({ id: older, ...p.survivor, identities: expect.any(Array) });
    expect(survivor.identities).toHaveLength(2);
    const member = (await api('GET', `/v1/loyalty/members/${older}`)).json();
    expect(member.points).toBe(420);
    const orderList = (await api('GET', `/v1/orders?customerId=${older}`)).json();
    expect(orderList.items).toHaveLength(3);

    // Once merged, neither a second merge nor its preview goes through.
    const again = await api('GET', `/v1/customers/${older}/merge/preview?duplicateId=${newer}`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.reason).toBe('customer_merged');
  });

  it('refuses merging a customer with itself or with one not in the workspace', async () => {
    const id = await newCustomer({ email: `self${++n}@example.jp` });
    const self = await api('POST', `/v1/customers/${id}/merge`, { duplicateId: id });
    expect(self.statusCode).toBe(400);
    expect(self.json().error.problems[0].path).toBe('duplicateId');
    expect((await api('GET', `/v1/customers/${id}/merge/preview?duplicateId=99999999`)).statusCode).toBe(404);
  });
});
