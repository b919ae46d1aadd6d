// Issue #17 item 4: what LINE's webhook says about a friend is kept faithfully. A block from a
// user Kizuna never saw leaves a blocked friend (a later import with that LINE id is never
// messaged); an unblock from an unknown user is a re-follow, not an acquisition; a customer made
// by LINE is registered at the event's time; membership and beacon events are recorded; each kind
// of message keeps its structured fields. Every case goes through signed webhook bodies.
import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLineTestBed, type LineTestBed } from './line-setup.ts';

let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed();
});
afterAll(async () => bed?.close());

const HOUR = 3_600_000;

async function processed(webhookEventId: string): Promise<string> {
  const row = await until(
    () =>
      bed.database.db
        .selectFrom('line_webhook_event')
        .select('outcome')
        .where('workspace_id', '=', bed.workspace.workspaceId)
        .where('webhook_event_id', '=', webhookEventId)
        .where('processed_at', 'is not', null)
        .executeTakeFirst(),
    `webhook event ${webhookEventId} processed`,
    { timeoutMs: 30_000 },
  );
  return row.outcome ?? '';
}

/** Sends one signed event and waits until the worker has handled it. */
async function deliver(event: { webhookEventId: string; [key: string]: unknown }): Promise<string> {
  const [attempt] = await bed.line.sendWebhook([event as never]);
  expect(attempt!.status).toBe(200);
  return processed(event.webhookEventId);
}

async function customerByLine(lineUserId: string) {
  const response = await bed.app.inject({
    method: 'POST',
    url: '/v1/customers',
    headers: bed.auth,
    payload: { customers: [{ lineUserId }] },
  });
  expect(response.statusCode, response.body).toBe(200);
  const id = response.json().accepted[0].id as number;
  const customer = await bed.app.inject({ url: `/v1/customers/${id}`, headers: bed.auth });
  return { ...customer.json(), id } as { id: number; registeredAt: string; acquisitionSource: string | null };
}

async function friendEvents(customerId: number) {
  return bed.database.db
    .selectFrom('domain_event')
    .select(['type', 'payload'])
    .where('workspace_id', '=', bed.workspace.workspaceId)
    .where('customer_id', '=', customerId)
    .where('type', 'like', 'line.friend_%')
    .execute();
}

async function lineEvents(customerId: number, type: string) {
  const rows = await bed.database.db
    .selectFrom('event')
    .select('properties')
    .where('workspace_id', '=', bed.workspace.workspaceId)
    .where('customer_id', '=', customerId)
    .where('type', '=', `custom:line.${type}`)
    .orderBy('occurred_at')
    .execute();
  return rows.map((r) => r.properties);
}

describe('a block from a user Kizuna never saw', () => {
  it('records a blocked friend registered at the block, and a later import with that LINE id is never messaged', async () => {
    const user = bed.line.users.create({ displayName: '未登録 さん', friend: true });
    const blockedAt = Date.now() - 5 * HOUR;
    const event = { ...bed.line.events.unfollow(user.userId), timestamp: blockedAt };
    expect(await deliver(event)).toBe('blocked');

    const friend = await bed.database.db
      .selectFrom('line_friend')
      .select(['status', 'customer_id'])
      .where('workspace_id', '=', bed.workspace.workspaceId)
      .where('line_user_id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(friend.status).toBe('blocked');

    // A shop's member list imported afterwards, carrying that LINE id, lands on the same customer.
    const imported = await customerByLine(user.userId);
    expect(imported.id).toBe(Number(friend.customer_id));
    expect(new Date(imported.registeredAt).getTime()).toBe(blockedAt);
    expect(imported.acquisitionSource).toBeNull();
    expect((await friendEvents(imported.id)).map((e) => e.type)).toEqual(['line.friend_blocked']);

    const send = await bed.app.inject({
      method: 'POST',
      url: '/v1/line/sends',
      headers: bed.auth,
      payload: {
        channelId: bed.channelId,
        idempotencyKey: 'after-unknown-block',
        messages: [{ type: 'text', text: '新メニューのお知らせ' }],
        customerIds: [imported.id],
      },
    });
    expect(send.statusCode, send.body).toBeLessThan(300);
    const sendId = send.json().id as number;
    const messages = await until(
      async () => {
        const response = await bed.app.inject({
          url: `/v1/line/sends/${sendId}/messages`,
          headers: bed.auth,
        });
        const items = response.json().items as { status: string; reason: string | null }[];
        return items.length && items.every((m) => m.status !== 'queued') ? items : undefined;
      },
      'send planned',
      { timeoutMs: 30_000 },
    );
    expect(messages.map((m) => [m.status, m.reason])).toEqual([['skipped', 'blocked']]);
    expect(bed.line.receivedCount(user.userId)).toBe(0);
  });
});

describe('follows', () => {
  it('an unblock (isUnblocked: true) from an unknown user is a re-follow without an acquisition source', async () => {
    const user = bed.line.users.create({ displayName: '復帰 さん', friend: false });
    const at = Date.now() - 2 * HOUR;
    expect(await deliver({ ...bed.line.events.follow(user.userId, true), timestamp: at })).toBe('followed');
    const customer = await customerByLine(user.userId);
    expect(customer.acquisitionSource).toBeNull();
    expect(new Date(customer.registeredAt).getTime()).toBe(at);
    const [added] = await friendEvents(customer.id);
    expect(added).toMatchObject({ type: 'line.friend_added', payload: { refollow: true } });
  });

  it('a new friend (isUnblocked: false) is an acquisition through LINE, registered at the follow', async () => {
    const user = bed.line.users.create({ displayName: '新規 さん', friend: false });
    const at = Date.now() - HOUR;
    expect(await deliver({ ...bed.line.events.follow(user.userId, false), timestamp: at })).toBe('followed');
    const customer = await customerByLine(user.userId);
    expect(customer.acquisitionSource).toBe('line_follow');
    expect(new Date(customer.registeredAt).getTime()).toBe(at);
    const [added] = await friendEvents(customer.id);
    expect(added).toMatchObject({ type: 'line.friend_added', payload: { refollow: false } });
  });
});

describe('membership, beacon and message events', () => {
  it('records membership and beacon events with their fields', async () => {
    const user = bed.line.users.create({ displayName: '会員 さん', friend: true });
    const base = bed.line.events.text(user.userId, 'x');
    const membership = {
      ...base,
      webhookEventId: `${base.webhookEventId}M`,
      type: 'membership',
      message: undefined,
      membership: { type: 'joined', membershipId: 3189 },
    };
    expect(await deliver(membership)).toBe('recorded');
    const beacon = {
      ...base,
      webhookEventId: `${base.webhookEventId}B`,
      type: 'beacon',
      message: undefined,
      beacon: { hwid: 'd41d8cd98f', type: 'enter' },
    };
    expect(await deliver(beacon)).toBe('recorded');
    const customer = await customerByLine(user.userId);
    expect(await lineEvents(customer.id, 'membership')).toEqual([
      { membershipType: 'joined', membershipId: 3189 },
    ]);
    expect(await lineEvents(customer.id, 'beacon')).toEqual([{ hwid: 'd41d8cd98f', beaconType: 'enter' }]);
  });

  it('keeps each kind of message’s structured fields', async () => {
    const user = bed.line.users.create({ displayName: '写真 さん', friend: true });
    const messages = [
      {
        id: 'm1',
        type: 'sticker',
        packageId: '446',
        stickerId: '1988',
        stickerResourceType: 'STATIC',
        keywords: ['OK'],
      },
      { id: 'm2', type: 'image', contentProvider: { type: 'line' }, quoteToken: 'q-secret' },
      { id: 'm3', type: 'video', duration: 60_000, contentProvider: { type: 'line' } },
      { id: 'm4', type: 'audio', duration: 12_000, contentProvider: { type: 'line' } },
      { id: 'm5', type: 'file', fileName: '予約票.pdf', fileSize: 2048 },
      {
        id: 'm6',
        type: 'location',
        title: '渋谷店',
        address: '東京都渋谷区',
        latitude: 35.658,
        longitude: 139.7016,
      },
    ];
    const start = Date.now() - HOUR;
    for (const [i, message] of messages.entries()) {
      const base = bed.line.events.text(user.userId, 'x');
      expect(await deliver({ ...base, message, timestamp: start + i * 1000 })).toBe('recorded');
    }
    const customer = await customerByLine(user.userId);
    const stored = await lineEvents(customer.id, 'message');
    expect(stored).toEqual([
      {
        messageId: 'm1',
        messageType: 'sticker',
        packageId: '446',
        stickerId: '1988',
        stickerResourceType: 'STATIC',
        keywords: ['OK'],
      },
      { messageId: 'm2', messageType: 'image', contentProvider: { type: 'line' } },
      { messageId: 'm3', messageType: 'video', duration: 60_000, contentProvider: { type: 'line' } },
      { messageId: 'm4', messageType: 'audio', duration: 12_000, contentProvider: { type: 'line' } },
      { messageId: 'm5', messageType: 'file', fileName: '予約票.pdf', fileSize: 2048 },
      {
        messageId: 'm6',
        messageType: 'location',
        title: '渋谷店',
        address: '東京都渋谷区',
        latitude: 35.658,
        longitude: 139.7016,
      },
    ]);
  });
});

describe('beacons tied to stores', () => {
  it('a friend entering a tied store records one visit a day there; other beacons and banners record events only', async () => {
    const store = await bed.app.inject({
      method: 'PUT',
      url: '/v1/stores/shibuya',
      headers: bed.auth,
      payload: { name: '渋谷店' },
    });
    expect(store.statusCode, store.body).toBe(200);
    const beaconUrl = `/v1/line/channels/${bed.channelId}/beacons`;
    const unknownStore = await bed.app.inject({
      method: 'PUT',
      url: `${beaconUrl}/0123456789`,
      headers: bed.auth,
      payload: { storeCode: 'nowhere' },
    });
    expect(unknownStore.statusCode).toBe(400);
    expect(unknownStore.json().error.problems[0].path).toBe('storeCode');
    const tie = await bed.app.inject({
      method: 'PUT',
      url: `${beaconUrl}/A1B2C3D4E5`,
      headers: bed.auth,
      payload: { storeCode: 'shibuya' },
    });
    expect(tie.statusCode, tie.body).toBe(200);
    expect(tie.json()).toMatchObject({ hwid: 'a1b2c3d4e5', storeCode: 'shibuya' });
    const listed = await bed.app.inject({ url: beaconUrl, headers: bed.auth });
    expect(listed.json().items.map((b: { hwid: string }) => b.hwid)).toEqual(['a1b2c3d4e5']);
    const foreign = await bed.app.inject({
      url: '/v1/line/channels/00000000-0000-4000-8000-000000000000/beacons',
      headers: bed.auth,
    });
    expect(foreign.statusCode).toBe(404);

    const user = bed.line.users.create({ displayName: '来店 さん', friend: true });
    // 10:00 and 15:00 JST on one day, then 09:00 JST the next: two visits.
    const day = Date.UTC(2026, 11, 1, 1, 0, 0);
    const times = [day, day + 5 * HOUR, day + 23 * HOUR];
    for (const [i, timestamp] of times.entries()) {
      const base = bed.line.events.text(user.userId, 'x');
      const event = {
        ...base,
        webhookEventId: `${base.webhookEventId}E${i}`,
        type: 'beacon',
        message: undefined,
        timestamp,
        beacon: { hwid: 'a1b2c3d4e5', type: 'enter' },
      };
      expect(await deliver(event)).toBe('recorded');
    }
    for (const [hwid, type] of [
      ['ffffffffff', 'enter'],
      ['a1b2c3d4e5', 'banner'],
    ] as const) {
      const base = bed.line.events.text(user.userId, 'x');
      const event = {
        ...base,
        webhookEventId: `${base.webhookEventId}${type}`,
        type: 'beacon',
        message: undefined,
        timestamp: day + HOUR,
        beacon: { hwid, type },
      };
      expect(await deliver(event)).toBe('recorded');
    }
    const customer = await customerByLine(user.userId);
    const visits = await bed.app.inject({ url: `/v1/customers/${customer.id}`, headers: bed.auth });
    expect(visits.statusCode).toBe(200);
    const rows = await bed.database.db
      .selectFrom('visit')
      .select(['external_id', 'visited_at', 'source'])
      .where('workspace_id', '=', bed.workspace.workspaceId)
      .where('customer_id', '=', customer.id)
      .orderBy('visited_at')
      .execute();
    expect(rows.map((r) => [new Date(r.visited_at).getTime(), r.source])).toEqual([
      [day, 'line_beacon'],
      [day + 23 * HOUR, 'line_beacon'],
    ]);
    expect(await lineEvents(customer.id, 'beacon')).toHaveLength(5);

    const untie = await bed.app.inject({
      method: 'DELETE',
      url: `${beaconUrl}/a1b2c3d4e5`,
      headers: bed.auth,
    });
    expect(untie.statusCode).toBe(204);
    expect(
      (await bed.app.inject({ method: 'DELETE', url: `${beaconUrl}/a1b2c3d4e5`, headers: bed.auth }))
        .statusCode,
    ).toBe(404);
  });
});
