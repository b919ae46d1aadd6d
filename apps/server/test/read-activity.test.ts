// Issue 17, item 1: GET /v1/visits, /v1/events, /v1/line/friends and the karte
// (/v1/customers/:id/timeline and /summary), against a real LINE sandbox and worker: cursor
// pages with no duplicates or gaps, each filter, 404 for another workspace's ids, 400 naming the
// field for bad input, and the timeline's order across sources.
import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findByIdentities } from '../src/customers/upsert-customer.ts';
import { newWorkspace } from './helpers.ts';
import { createLineTestBed, type LineTestBed } from './line-setup.ts';

let bed: LineTestBed;
let other: { authorization: string };
let hanako: { id: number; lineUserId: string };
let ichiro: { id: number; lineUserId: string };
let jiro: { id: number; lineUserId: string };

const get = (url: string, headers = bed.auth) => bed.app.inject({ method: 'GET', url, headers });
const post = async (url: string, payload: object, headers = bed.auth) => {
  const res = await bed.app.inject({ method: 'POST', url, headers, payload });
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
};
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function customerOf(lineUserId: string) {
  const [id] = await findByIdentities(bed.database.db, bed.workspace.workspaceId, [
    { kind: 'line', namespace: '', value: lineUserId },
  ]);
  return id;
}

/** Every page of a listing, following nextCursor. */
async function allPages<T>(url: string, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await get(`${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { items: T[]; nextCursor: string | null };
    pages.push(body.items);
    cursor = body.nextCursor;
  } while (cursor && pages.length < 100);
  return pages;
}

const problemPaths = (body: string) =>
  (JSON.parse(body).error.problems as { path: string }[]).map((p) => p.path);

beforeAll(async () => {
  bed = await createLineTestBed();
  await bed.app.inject({
    method: 'PUT',
    url: '/v1/stores/shibuya',
    headers: bed.auth,
    payload: { name: '渋谷店' },
  });
  await bed.app.inject({
    method: 'PUT',
    url: '/v1/stores/umeda',
    headers: bed.auth,
    payload: { name: '梅田店' },
  });
  // 次郎 was a store customer before he added the account as a friend.
  const users = ['佐藤 花子', '田中 一郎', '鈴木 次郎'].map((displayName) =>
    bed.line.users.create({ displayName, friend: false }),
  );
  await post('/v1/customers', {
    customers: [{ lineUserId: users[2]!.userId, acquisitionSource: 'store', tags: ['vip'] }],
  });
  for (const user of users) await bed.line.follow(user.userId);
  await bed.line.unfollow(users[1]!.userId);
  await bed.line.sendText(users[0]!.userId, '予約できますか？');
  const [a, b, c] = await Promise.all(
    users.map((u) =>
      until(() => customerOf(u.userId), `customer of ${u.displayName}`, { timeoutMs: 20_000 }),
    ),
  );
  hanako = { id: a!, lineUserId: users[0]!.userId };
  ichiro = { id: b!, lineUserId: users[1]!.userId };
  jiro = { id: c!, lineUserId: users[2]!.userId };
  await until(
    async () => {
      const friends = (await get('/v1/line/friends?limit=200')).json().items as { status: string }[];
      const events = (await get(`/v1/events?customerId=${hanako.id}&type=custom:line.message`)).json().items;
      return friends.filter((f) => f.status === 'blocked').length === 1 && events.length === 1;
    },
    'follows, the block and the message processed',
    { timeoutMs: 20_000 },
  );
  // 12 visits and 12 events over the three customers; three of each share one instant.
  await post('/v1/visits', {
    visits: Array.from({ length: 12 }, (_, i) => ({
      id: `V-${i}`,
      customer: { lineUserId: users[i % 3]!.userId },
      storeCode: i % 2 ? 'umeda' : 'shibuya',
      visitedAt: i < 3 ? '2026-03-10T10:00:00+09:00' : new Date(Date.UTC(2026, 2, 1 + i, 3)).toISOString(),
    })),
  });
  await post('/v1/events', {
    events: Array.from({ length: 12 }, (_, i) => ({
      id: `E-${i}`,
      type: i % 2 ? 'page_view' : 'custom:coupon_view',
      customer: { lineUserId: users[i % 3]!.userId },
      occurredAt: i < 3 ? '2026-03-10T10:00:00+09:00' : new Date(Date.UTC(2026, 2, 1 + i, 5)).toISOString(),
      properties: { page: `/p/${i}` },
    })),
  });
  const b2 = await newWorkspace(bed.database, '別の店');
  other = { authorization: `Bearer ${b2.apiKey}` };
  await post(
    '/v1/visits',
    { visits: [{ id: 'B-V', customer: { email: 'b@example.jp' }, visitedAt: '2026-03-05T10:00:00+09:00' }] },
    other,
  );
});
afterAll(async () => bed?.close());

interface Visit {
  id: number;
  externalId: string;
  customerId: number;
  storeCode: string | null;
  visitedAt: string;
}

describe('GET /v1/visits', () => {
  it('pages through every visit newest first with no duplicates or gaps (ties by id)', async () => {
    const pages = await allPages<Visit>('/v1/visits', 5);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    const items = pages.flat();
    expect(items.map((v) => v.externalId).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `V-${i}`).sort(),
    );
    for (let i = 1; i < items.length; i++) {
      const d = Date.parse(items[i - 1]!.visitedAt) - Date.parse(items[i]!.visitedAt);
      expect(d > 0 || (d === 0 && items[i - 1]!.id > items[i]!.id)).toBe(true);
    }
  });

  it('filters by customer, store and date range', async () => {
    const ids = async (q: string) =>
      ((await get(`/v1/visits?limit=200&${q}`)).json().items as Visit[]).map((v) => v.externalId).sort();
    expect(await ids(`customerId=${ichiro.id}`)).toEqual(['V-1', 'V-10', 'V-4', 'V-7']);
    expect(await ids('storeCode=umeda')).toEqual(['V-1', 'V-11', 'V-3', 'V-5', 'V-7', 'V-9']);
    expect(await ids('from=2026-03-05T03:00:00Z&to=2026-03-07T03:00:00Z')).toEqual(['V-4', 'V-5']);
    expect(await ids(`customerId=${jiro.id}&storeCode=shibuya`)).toEqual(['V-2', 'V-8']);
  });

  it("answers 404 for another workspace's customer and 400 for bad input", async () => {
    const theirs = (await get('/v1/visits', other)).json().items as Visit[];
    expect(theirs.map((v) => v.externalId)).toEqual(['B-V']);
    expect((await get(`/v1/visits?customerId=${theirs[0]!.customerId}`)).statusCode).toBe(404);
    for (const [query, field] of [
      [`cursor=${b64(['2026-03-01T00:00:00.000000Z', '-1'])}`, 'querystring.cursor'],
      [`cursor=${b64(['2026-03-01T00:00:00Z', '1'])}`, 'querystring.cursor'],
      ['storeCode=%00', 'querystring.storeCode'],
      ['limit=500', 'querystring.limit'],
      ['to=not-a-time', 'querystring.to'],
    ]) {
      const res = await get(`/v1/visits?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(problemPaths(res.body)).toContain(field);
    }
  });
});

describe('GET /v1/events', () => {
  it('pages newest first and filters by customer, type and time range', async () => {
    const items = (
      await allPages<{ externalId: string | null; type: string }>('/v1/events?type=page_view', 2)
    ).flat();
    expect(items.map((e) => e.externalId).sort()).toEqual(['E-1', 'E-11', 'E-3', 'E-5', 'E-7', 'E-9']);
    const mine = (await get(`/v1/events?customerId=${hanako.id}&limit=200`)).json().items as {
      type: string;
      externalId: string | null;
      properties: Record<string, unknown>;
    }[];
    // 花子's four events, her follow and her LINE message (the webhook's events).
    expect(mine.map((e) => e.type).sort()).toEqual([
      'custom:coupon_view',
      'custom:coupon_view',
      'custom:line.follow',
      'custom:line.message',
      'page_view',
      'page_view',
    ]);
    expect(mine.find((e) => e.type === 'custom:line.message')?.properties.text).toBe('予約できますか？');
    const ranged = (await get('/v1/events?from=2026-03-09T00:00:00Z&to=2026-03-11T00:00:00Z')).json()
      .items as {
      externalId: string;
    }[];
    expect(ranged.map((e) => e.externalId).sort()).toEqual(['E-0', 'E-1', 'E-2', 'E-8', 'E-9']);
  });

  it("answers 404 for another workspace's customer and 400 naming the field for bad input", async () => {
    const res404 = await get(`/v1/events?customerId=${hanako.id}`, other);
    expect(res404.statusCode).toBe(404);
    for (const [query, field] of [
      ['type=a%00b', 'querystring.type'],
      ['customerId=18446744073709551616', 'querystring.customerId'],
      [`cursor=${b64(['2026-03-01T00:00:00.000000Z', '1', 'extra'])}`, 'querystring.cursor'],
    ]) {
      const res = await get(`/v1/events?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(problemPaths(res.body)).toContain(field);
    }
  });
});

interface Friend {
  lineUserId: string;
  customerId: number;
  status: string;
  source: string | null;
  displayName: string | null;
}

describe('GET /v1/line/friends', () => {
  it('pages through friends one at a time, and filters by status, source and channel', async () => {
    const items = (await allPages<Friend>('/v1/line/friends', 1)).flat();
    expect(items.map((f) => f.lineUserId).sort()).toEqual(
      [hanako, ichiro, jiro].map((c) => c.lineUserId).sort(),
    );
    const by = async (q: string) =>
      ((await get(`/v1/line/friends?${q}`)).json().items as Friend[]).map((f) => f.customerId).sort();
    expect(await by('status=blocked')).toEqual([ichiro.id]);
    expect(await by('status=following')).toEqual([hanako.id, jiro.id].sort());
    expect(await by('source=store')).toEqual([jiro.id]);
    expect(await by('source=line_follow&status=following')).toEqual([hanako.id]);
    expect(await by(`channelId=${bed.channelId}`)).toHaveLength(3);
    const hanakoFriend = items.find((f) => f.customerId === hanako.id);
    expect(hanakoFriend).toMatchObject({
      status: 'following',
      displayName: '佐藤 花子',
      source: 'line_follow',
    });
  });

  it("answers 404 for another workspace's channel and 400 naming the field for bad input", async () => {
    expect((await get(`/v1/line/friends?channelId=${bed.channelId}`, other)).statusCode).toBe(404);
    for (const [query, field] of [
      ['channelId=not-a-uuid', 'querystring.channelId'],
      ['status=friend', 'querystring.status'],
      [`cursor=${b64(['2026-03-01T00:00:00.000000Z', bed.channelId, 'U\u0000'])}`, 'querystring.cursor'],
      [`cursor=${b64(['2026-03-01T00:00:00.000000Z', 'x', 'U1'])}`, 'querystring.cursor'],
    ]) {
      const res = await get(`/v1/line/friends?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(problemPaths(res.body)).toContain(field);
    }
  });
});

interface Entry {
  kind: string;
  at: string;
  order?: { externalId: string };
  visit?: { externalId: string };
  event?: { externalId: string | null; type: string };
  consent?: { status: string; source: string };
  message?: { status: string; sendId: number };
}

const label = (e: Entry) =>
  e.order?.externalId ??
  e.visit?.externalId ??
  (e.event ? (e.event.externalId?.startsWith('line:') ? e.event.type : e.event.externalId) : null) ??
  (e.consent ? `consent:${e.consent.status}:${e.consent.source}` : null) ??
  `send:${e.message?.sendId}`;

describe('the karte: GET /v1/customers/:id/timeline and /summary', () => {
  beforeAll(async () => {
    // One order, visit and event of 花子 at the same instant: the timeline shows them order, visit, event.
    const tie = '2026-02-01T09:00:00+09:00';
    await post('/v1/orders', {
      orders: [
        { id: 'O-tie', customer: { id: hanako.id }, orderedAt: tie, total: 3300, storeCode: 'shibuya' },
        { id: 'O-old', customer: { id: hanako.id }, orderedAt: '2026-01-15T12:00:00+09:00', total: 1200 },
      ],
    });
    await post('/v1/visits', { visits: [{ id: 'V-tie', customer: { id: hanako.id }, visitedAt: tie }] });
    await post('/v1/events', {
      events: [{ id: 'E-tie', type: 'inquiry', customer: { id: hanako.id }, occurredAt: tie }],
    });
    await post(`/v1/customers/${hanako.id}/consents`, {
      channel: 'email',
      purpose: 'marketing',
      status: 'granted',
      source: 'web_form',
      occurredAt: '2026-01-20T10:00:00+09:00',
    });
    const send = await post('/v1/line/sends', {
      channelId: bed.channelId,
      idempotencyKey: 'karte-test',
      origin: 'campaign:karte',
      messages: [{ type: 'text', text: '春の新作のご案内' }],
      customerIds: [hanako.id],
    });
    await until(
      async () => (await get(`/v1/line/sends/${send.id}`)).json().status === 'done',
      'the send delivered',
      { timeoutMs: 20_000 },
    );
  });

  it('merges every source newest first, and pages through it one entry at a time without gaps', async () => {
    const whole = (await get(`/v1/customers/${hanako.id}/timeline?limit=200`)).json() as {
      items: Entry[];
      nextCursor: string | null;
    };
    expect(whole.nextCursor).toBeNull();
    const labels = whole.items.map(label);
    // The oldest part, whose instants the test chose: same-instant rows by source (order, visit, event).
    expect(labels.slice(-5)).toEqual(['O-tie', 'V-tie', 'E-tie', 'consent:granted:web_form', 'O-old']);
    expect(whole.items.slice(-5).map((e) => e.kind)).toEqual(['order', 'visit', 'event', 'consent', 'order']);
    // The send, the received message, the follow (event and consent) happened today: newest.
    const kinds = new Set(whole.items.map((e) => e.kind));
    expect([...kinds].sort()).toEqual([
      'consent',
      'event',
      'message_received',
      'message_sent',
      'order',
      'visit',
    ]);
    expect(whole.items.find((e) => e.kind === 'message_sent')?.message?.status).toBe('sent');
    expect(whole.items.filter((e) => e.kind === 'consent').map(label)).toEqual([
      'consent:granted:line_follow',
      'consent:granted:web_form',
    ]);
    // 花子's 4 visits + V-tie, 4 events + E-tie + follow, message, 2 consents, 2 orders, 1 send.
    expect(whole.items).toHaveLength(5 + 6 + 1 + 2 + 2 + 1);
    for (let i = 1; i < whole.items.length; i++)
      expect(Date.parse(whole.items[i - 1]!.at)).toBeGreaterThanOrEqual(Date.parse(whole.items[i]!.at));
    for (const limit of [1, 2, 7]) {
      const paged = (await allPages<Entry>(`/v1/customers/${hanako.id}/timeline`, limit)).flat();
      expect(paged.map(label), `limit ${limit}`).toEqual(labels);
    }
  });

  it('sums up segments, loyalty and CLV through each capability', async () => {
    const segment = await bed.app.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: bed.auth,
      payload: { name: 'VIP', definition: { tag: 'vip' } },
    });
    expect(segment.statusCode, segment.body).toBe(201);
    await post(`/v1/loyalty/members/${jiro.id}/adjustments`, {
      points: 350,
      reason: '開店記念',
      staff: '山田',
    });
    const template = await post('/v1/loyalty/coupon-templates', {
      name: '500円引き',
      kind: 'amount_off',
      value: 500,
    });
    await post(`/v1/loyalty/coupon-templates/${template.id}/grants`, { customerId: jiro.id });
    await post('/v1/orders', {
      orders: [
        { id: 'O-jiro', customer: { id: jiro.id }, orderedAt: '2026-03-01T12:00:00+09:00', total: 4800 },
      ],
    });
    const res = await get(`/v1/customers/${jiro.id}/summary`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      customerId: jiro.id,
      mergedInto: null,
      segments: [{ id: segment.json().id, name: 'VIP' }],
      loyalty: { points: 350, coupons: [{ name: '500円引き', kind: 'amount_off', value: 500 }] },
      clv: { orders: 1, historicalLtv: 4800 },
    });
    // 一郎 has visits but no orders: statistics with nothing bought, no member row, no segment.
    const none = (await get(`/v1/customers/${ichiro.id}/summary`)).json();
    expect(none).toMatchObject({
      segments: [],
      loyalty: { memberNo: null, tier: null, points: 0, coupons: [] },
      clv: { orders: 0, historicalLtv: 0, prediction: null },
    });
  });

  it("answers 404 for another workspace's customer and 400 naming the field for bad ids and cursors", async () => {
    for (const path of ['timeline', 'summary'])
      expect((await get(`/v1/customers/${hanako.id}/${path}`, other)).statusCode).toBe(404);
    for (const [url, field] of [
      ['/v1/customers/99999999999999999999/timeline', 'params.id'],
      ['/v1/customers/1%00/summary', 'params.id'],
      [
        `/v1/customers/${hanako.id}/timeline?cursor=${b64(['gift', '2026-03-01T00:00:00.000000Z', '1', '0'])}`,
        'querystring.cursor',
      ],
      [
        `/v1/customers/${hanako.id}/timeline?cursor=${b64(['order', '2026-03-01T00:00:00.000000Z', '1'])}`,
        'querystring.cursor',
      ],
      [`/v1/customers/${hanako.id}/timeline?limit=0`, 'querystring.limit'],
    ] as [string, string][]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(problemPaths(res.body)).toContain(field);
    }
  });
});
