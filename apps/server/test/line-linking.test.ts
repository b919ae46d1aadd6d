import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentHistory } from '../src/customers/consent.ts';
import { findByIdentities, upsertCustomer } from '../src/customers/upsert-customer.ts';
import { lineUserId } from './helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends, png } from './line-setup.ts';

let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed();
});
afterAll(async () => {
  await bed?.close();
});

async function lineHolder(userId: string): Promise<number | undefined> {
  const [id] = await findByIdentities(bed.database.db, bed.workspace.workspaceId, [
    { kind: 'line', namespace: '', value: userId },
  ]);
  return id;
}

describe('LINE account linking (nonce flow through the sandbox)', () => {
  it('binds the LINE user who followed to the shop member who signed in, and merges the two records', async () => {
    const ws = bed.workspace.workspaceId;
    const member = await bed.database.db
      .transaction()
      .execute((tx) =>
        upsertCustomer(tx, ws, { email: 'member@example.jp', familyName: '山田', givenName: '花子' }),
      );
    const user = bed.line.users.create({ displayName: 'はなこ', friend: false });
    await bed.line.follow(user.userId);
    const friendRecord = await until(() => lineHolder(user.userId), 'follow processed', {
      timeoutMs: 20_000,
    });
    expect(friendRecord).not.toBe(member.id);

    const token = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/channels/${bed.channelId}/link-tokens`,
      headers: bed.auth,
      payload: { lineUserId: user.userId },
    });
    expect(token.statusCode).toBe(200);
    const { linkToken } = token.json();
    const link = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/channels/${bed.channelId}/account-links`,
      headers: bed.auth,
      payload: { customerId: member.id, linkToken },
    });
    expect(link.statusCode).toBe(201);
    const { nonce, redirectUrl } = link.json();
    expect(redirectUrl).toBe(`${bed.line.url}/dialog/bot/accountLink?linkToken=${linkToken}&nonce=${nonce}`);

    const attempts = await bed.line.completeAccountLink(linkToken, nonce);
    expect(attempts?.[0]?.status).toBe(200);
    // The member (the older record) survives and now holds the LINE identity and the consent.
    await until(async () => (await lineHolder(user.userId)) === member.id, 'account linked', {
      timeoutMs: 20_000,
    });
    const merged = await bed.database.db
      .selectFrom('customer')
      .select('merged_into_id')
      .where('workspace_id', '=', ws)
      .where('id', '=', friendRecord)
      .executeTakeFirstOrThrow();
    expect(merged.merged_into_id).toBe(member.id);
    const history = await consentHistory(bed.database.db, ws, member.id);
    expect(history.map((h) => [h.status, h.source])).toEqual([['granted', 'line_follow']]);
    const linkRow = await bed.database.db
      .selectFrom('line_account_link')
      .select(['line_user_id', 'result', 'customer_id'])
      .where('workspace_id', '=', ws)
      .where('nonce', '=', nonce)
      .executeTakeFirstOrThrow();
    expect(linkRow).toEqual({ line_user_id: user.userId, result: 'ok', customer_id: member.id });
  });

  it('ignores an accountLink event whose nonce Kizuna never issued', async () => {
    const user = bed.line.users.create({ displayName: '不明' });
    const event = bed.line.events.accountLink(user.userId, 'forged-nonce-that-was-never-issued');
    await bed.line.sendWebhook([event]);
    const row = await until(
      () =>
        bed.database.db
          .selectFrom('line_webhook_event')
          .select('outcome')
          .where('workspace_id', '=', bed.workspace.workspaceId)
          .where('webhook_event_id', '=', event.webhookEventId)
          .where('processed_at', 'is not', null)
          .executeTakeFirst(),
      'event processed',
      { timeoutMs: 20_000 },
    );
    expect(row.outcome).toBe('unknown_nonce');
    expect(await lineHolder(user.userId)).toBeUndefined();
  });
});

describe('LINE rich menus', () => {
  it('defines a menu, uploads its image, sets it as default and links it to customers', async () => {
    const create = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/channels/${bed.channelId}/rich-menus`,
      headers: bed.auth,
      payload: {
        size: { width: 2500, height: 843 },
        selected: true,
        name: '会員メニュー',
        chatBarText: 'メニュー',
        areas: [
          {
            bounds: { x: 0, y: 0, width: 1250, height: 843 },
            action: { type: 'postback', data: 'menu=reserve' },
          },
          {
            bounds: { x: 1250, y: 0, width: 1250, height: 843 },
            action: { type: 'uri', uri: 'https://example.jp/card' },
          },
        ],
      },
    });
    expect(create.statusCode).toBe(201);
    const menu = create.json();
    expect(menu.richMenuId).toMatch(/^richmenu-/);

    const upload = await bed.app.inject({
      method: 'PUT',
      url: `/v1/line/rich-menus/${menu.id}/image`,
      headers: { ...bed.auth, 'content-type': 'image/png' },
      payload: png(2500, 843),
    });
    expect(upload.statusCode).toBe(200);
    expect(upload.json().imageUploaded).toBe(true);
    const again = await bed.app.inject({
      method: 'PUT',
      url: `/v1/line/rich-menus/${menu.id}/image`,
      headers: { ...bed.auth, 'content-type': 'image/png' },
      payload: png(2500, 843),
    });
    expect(again.statusCode).toBe(409);

    const def = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/rich-menus/${menu.id}/default`,
      headers: bed.auth,
    });
    expect(def.json().isDefault).toBe(true);
    expect(bed.line.richMenuOf(lineUserId(999_999))).toBe(menu.richMenuId);

    const ids = await makeFriends(bed.database.db, bed.workspace.workspaceId, 20_001, 600);
    const vip = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/channels/${bed.channelId}/rich-menus`,
      headers: bed.auth,
      payload: {
        size: { width: 2500, height: 843 },
        selected: false,
        name: 'VIP',
        chatBarText: 'VIP',
        areas: [],
      },
    });
    const vipMenu = vip.json();
    await bed.app.inject({
      method: 'PUT',
      url: `/v1/line/rich-menus/${vipMenu.id}/image`,
      headers: { ...bed.auth, 'content-type': 'image/png' },
      payload: png(2500, 843),
    });
    const linked = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/rich-menus/${vipMenu.id}/links`,
      headers: bed.auth,
      payload: { customerIds: ids },
    });
    expect(linked.statusCode).toBe(200);
    expect(linked.json()).toMatchObject({
      linkedUsers: 600,
      customersWithoutLine: 0,
      menu: { segmentId: null },
    });
    expect(bed.line.stats().requests['POST /v2/bot/richmenu/bulk/link']).toBe(2);
    expect(bed.line.richMenuOf(lineUserId(20_001))).toBe(vipMenu.richMenuId);
    expect(bed.line.richMenuOf(lineUserId(20_600))).toBe(vipMenu.richMenuId);
  });

  it("passes LINE's refusal of a bad definition back as 400", async () => {
    const response = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/channels/${bed.channelId}/rich-menus`,
      headers: bed.auth,
      payload: {
        size: { width: 100, height: 100 },
        selected: false,
        name: 'bad',
        chatBarText: 'x',
        areas: [],
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/LINE refused/);
  });
});
