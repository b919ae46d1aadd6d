import { until } from '@kizuna/test-support';
import { messagingApi, validateSignature } from '@line/bot-sdk';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentHistory } from '../src/customers/consent.ts';
import { findByIdentities } from '../src/customers/upsert-customer.ts';
import { createLineTestBed, type LineTestBed } from './line-setup.ts';

let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed();
});
afterAll(async () => {
  await bed?.close();
});

async function processedCount(ids: string[]): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from line_webhook_event
    where workspace_id = ${bed.workspace.workspaceId} and webhook_event_id = any(${ids}::text[]) and processed_at is not null`.execute(
    bed.database.db,
  );
  return rows[0]!.n;
}

async function customerOf(lineUserId: string): Promise<number | undefined> {
  const [id] = await findByIdentities(bed.database.db, bed.workspace.workspaceId, [
    { kind: 'line', namespace: '', value: lineUserId },
  ]);
  return id;
}

describe('LINE channel setup', () => {
  it('stores the secret and token sealed, shows them masked, and gives the webhook URL to copy', async () => {
    const list = await bed.app.inject({ url: '/v1/line/channels', headers: bed.auth });
    const [channel] = list.json().items;
    expect(channel.channelSecret).toBe('••••cret');
    expect(channel.accessToken).toBe('••••0001');
    expect(channel.webhookUrl).toBe(`http://localhost:3000/line/webhook/${bed.channelId}`);
    const { rows } = await sql<{ secret_sealed: string; access_token_sealed: string }>`
      select secret_sealed, access_token_sealed from line_channel where id = ${bed.channelId}`.execute(
      bed.database.db,
    );
    expect(rows[0]!.secret_sealed).not.toContain('test-channel-secret');
    expect(rows[0]!.access_token_sealed).toMatch(/^v1\./);
  });

  it('answers 404 for another workspace asking for this channel', async () => {
    const { newWorkspace } = await import('./helpers.ts');
    const other = await newWorkspace(bed.database);
    const response = await bed.app.inject({
      method: 'POST',
      url: '/v1/line/sends',
      headers: { authorization: `Bearer ${other.apiKey}` },
      payload: {
        channelId: bed.channelId,
        idempotencyKey: 'x',
        messages: [{ type: 'text', text: 'hi' }],
        customerIds: [1],
      },
    });
    expect(response.statusCode).toBe(404);
  });
});

describe('LINE webhook intake (sandbox → Kizuna over HTTP)', () => {
  it('accepts a correctly signed webhook (the SDK agrees on the signature) and processes the follow', async () => {
    const user = bed.line.users.create({ displayName: '佐藤 花子', friend: false });
    const [attempt] = await bed.line.follow(user.userId);
    expect(attempt!.status).toBe(200);
    expect(validateSignature(attempt!.body, bed.line.channelSecret, attempt!.signature)).toBe(true);
    const customerId = await until(() => customerOf(user.userId), 'follow processed', { timeoutMs: 20_000 });
    const friend = await bed.database.db
      .selectFrom('line_friend')
      .selectAll()
      .where('workspace_id', '=', bed.workspace.workspaceId)
      .where('line_user_id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(friend).toMatchObject({
      customer_id: customerId,
      status: 'friend',
      display_name: '佐藤 花子',
      follow_count: 1,
    });
  });

  it('refuses a bad signature with 401 and stores nothing', async () => {
    const user = bed.line.users.create({ displayName: '偽物' });
    const event = bed.line.events.text(user.userId, 'こんにちは');
    const [attempt] = await bed.line.sendWebhook([event], { signature: 'bm90IHRoZSBzaWduYXR1cmU=' });
    expect(attempt!.status).toBe(401);
    const tampered = await fetch(bed.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-line-signature': attempt!.signature },
      body: attempt!.body.replace('こんにちは', 'こんばんは'),
    });
    expect(tampered.status).toBe(401);
    const stored = await bed.database.db
      .selectFrom('line_webhook_event')
      .select('webhook_event_id')
      .where('workspace_id', '=', bed.workspace.workspaceId)
      .where('webhook_event_id', '=', event.webhookEventId)
      .execute();
    expect(stored).toEqual([]);
  });

  it("answers 200 to the console's empty verification body", async () => {
    const [attempt] = await bed.line.sendWebhook([]);
    expect(attempt!.status).toBe(200);
  });

  it('processes duplicated, reordered and redelivered events once', async () => {
    const user = bed.line.users.create({ displayName: '田中 一郎' });
    const events = [
      bed.line.events.follow(user.userId),
      bed.line.events.text(user.userId, '予約したい'),
      bed.line.events.postback(user.userId, 'action=reserve&menu=cut'),
    ];
    await bed.line.sendWebhook(events, { split: true, reorder: true, duplicates: 2 });
    const ids = events.map((e) => e.webhookEventId);
    await bed.line.redeliver(ids);
    await bed.line.webhooksIdle();
    await until(async () => (await processedCount(ids)) === 3, 'three events processed', {
      timeoutMs: 20_000,
    });
    const customerId = (await customerOf(user.userId))!;
    const stored = await bed.database.db
      .selectFrom('event')
      .select(['type', 'properties'])
      .where('workspace_id', '=', bed.workspace.workspaceId)
      .where('customer_id', '=', customerId)
      .orderBy('type')
      .execute();
    expect(stored.map((e) => e.type)).toEqual([
      'custom:line.follow',
      'custom:line.message',
      'custom:line.postback',
    ]);
    expect(stored[1]!.properties).toMatchObject({ text: '予約したい', messageType: 'text' });
    expect(stored[2]!.properties).toMatchObject({ data: 'action=reserve&menu=cut' });
    const rows = await bed.database.db
      .selectFrom('line_webhook_event')
      .select(['deliveries', 'redelivered'])
      .where('workspace_id', '=', bed.workspace.workspaceId)
      .where('webhook_event_id', 'in', ids)
      .execute();
    // Each event: sent once, twice more as network duplicates, once more as a redelivery.
    expect(rows.map((r) => r.deliveries)).toEqual([4, 4, 4]);
    expect(await consentHistory(bed.database.db, bed.workspace.workspaceId, customerId)).toHaveLength(1);
  });

  it('stores unknown event types and ignores them without error', async () => {
    const event = {
      ...bed.line.events.text(bed.line.users.create({}).userId, 'x'),
      type: 'videoPlayComplete',
    };
    const [attempt] = await bed.line.sendWebhook([event as never]);
    expect(attempt!.status).toBe(200);
    const row = await until(
      () =>
        bed.database.db
          .selectFrom('line_webhook_event')
          .select(['type', 'outcome'])
          .where('workspace_id', '=', bed.workspace.workspaceId)
          .where('webhook_event_id', '=', event.webhookEventId)
          .where('processed_at', 'is not', null)
          .executeTakeFirst(),
      'unknown event processed',
      { timeoutMs: 20_000 },
    );
    expect(row).toEqual({ type: 'videoPlayComplete', outcome: 'ignored' });
  });

  it('records follow → unfollow → re-follow as consent history, and the profile through the SDK', async () => {
    const user = bed.line.users.create({ displayName: '鈴木 美咲', friend: false });
    await bed.line.follow(user.userId);
    const customerId = await until(() => customerOf(user.userId), 'follow', { timeoutMs: 20_000 });
    await bed.line.unfollow(user.userId);
    await until(
      async () => (await consentHistory(bed.database.db, bed.workspace.workspaceId, customerId)).length === 2,
      'unfollow',
      { timeoutMs: 20_000 },
    );
    await bed.line.follow(user.userId);
    const history = await until(
      async () => {
        const h = await consentHistory(bed.database.db, bed.workspace.workspaceId, customerId);
        return h.length === 3 ? h : undefined;
      },
      're-follow',
      { timeoutMs: 20_000 },
    );
    expect(history.map((h) => [h.channel, h.purpose, h.status, h.source])).toEqual([
      ['line', 'marketing', 'granted', 'line_follow'],
      ['line', 'marketing', 'blocked', 'line_unfollow'],
      ['line', 'marketing', 'granted', 'line_follow'],
    ]);
    const friend = await bed.database.db
      .selectFrom('line_friend')
      .select(['status', 'follow_count'])
      .where('workspace_id', '=', bed.workspace.workspaceId)
      .where('line_user_id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(friend).toEqual({ status: 'friend', follow_count: 2 });
    // The SDK sees the same profile Kizuna stored.
    const client = new messagingApi.MessagingApiClient({ channelAccessToken: 't', baseURL: bed.line.url });
    expect((await client.getProfile(user.userId)).displayName).toBe('鈴木 美咲');
  });
});
