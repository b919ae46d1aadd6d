import { HTTPFetchError, manageAudience, messagingApi } from '@line/bot-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LineSandbox, startLineSandbox } from '../src/index.ts';
import { client, png } from './helpers.ts';

let line: LineSandbox;
beforeAll(async () => {
  line = await startLineSandbox({ seed: 9 });
});
afterAll(() => line.close());
beforeEach(() => line.reset());

const blob = () => new messagingApi.MessagingApiBlobClient({ channelAccessToken: 't', baseURL: line.url });
const menu = (width = 2500, height = 843): messagingApi.RichMenuRequest => ({
  size: { width, height },
  selected: true,
  name: '会員メニュー',
  chatBarText: 'メニュー',
  areas: [
    { bounds: { x: 0, y: 0, width: 1250, height }, action: { type: 'postback', data: 'points' } },
    {
      bounds: { x: 1250, y: 0, width: 1250, height },
      action: { type: 'uri', uri: 'https://example.com/shop' },
    },
  ],
});

async function failure(p: Promise<unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof HTTPFetchError)) throw new Error(`expected an HTTP error, got ${String(e)}`);
  return { status: e.status, body: JSON.parse(e.body) };
}

async function menuWithImage(): Promise<string> {
  const { richMenuId } = await client(line).createRichMenu(menu());
  await blob().setRichMenuImage(richMenuId, new Blob([png(2500, 843)], { type: 'image/png' }));
  return richMenuId;
}

describe('rich menus through the SDK', () => {
  it('create, image upload (blob client), download, default, per-user link and unlink', async () => {
    const [a, b] = [line.users.create(), line.users.create()];
    const { richMenuId } = await client(line).createRichMenu(menu());
    expect(richMenuId).toMatch(/^richmenu-[0-9a-f]{32}$/);
    const early = await failure(client(line).setDefaultRichMenu(richMenuId));
    expect(early).toEqual({
      status: 400,
      body: { message: 'must upload richmenu image before applying it to user' },
    });
    await blob().setRichMenuImage(richMenuId, new Blob([png(2500, 843)], { type: 'image/png' }));
    await client(line).setDefaultRichMenu(richMenuId);
    expect(await client(line).getDefaultRichMenuId()).toEqual({ richMenuId });
    const second = await menuWithImage();
    await client(line).linkRichMenuIdToUser(b!.userId, second);
    expect(line.richMenuOf(a!.userId)).toBe(richMenuId);
    expect(line.richMenuOf(b!.userId)).toBe(second);
    expect(await client(line).getRichMenuIdOfUser(b!.userId)).toEqual({ richMenuId: second });
    await client(line).unlinkRichMenuIdFromUser(b!.userId);
    expect(line.richMenuOf(b!.userId)).toBe(richMenuId);
    expect((await failure(client(line).getRichMenuIdOfUser(b!.userId))).status).toBe(404);
    expect(await client(line).getRichMenu(richMenuId)).toMatchObject({
      name: '会員メニュー',
      chatBarText: 'メニュー',
    });
    const image = await fetch(`${line.url}/v2/bot/richmenu/${richMenuId}/content`, {
      headers: { authorization: 'Bearer t' },
    });
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(png(2500, 843))).toBe(true);
  });

  it('images must match the size, be JPEG or PNG, and be uploaded once', async () => {
    const { richMenuId } = await client(line).createRichMenu(menu());
    const wrong = await failure(
      blob().setRichMenuImage(richMenuId, new Blob([png(2500, 1686)], { type: 'image/png' })),
    );
    expect(wrong).toEqual({
      status: 400,
      body: { message: 'Image size (2500x1686) does not match the rich menu size' },
    });
    const gif = await failure(
      blob().setRichMenuImage(richMenuId, new Blob([Buffer.from('GIF89a')], { type: 'image/gif' })),
    );
    expect(gif.status).toBe(415);
    await blob().setRichMenuImage(richMenuId, new Blob([png(2500, 843)], { type: 'image/png' }));
    const again = await failure(
      blob().setRichMenuImage(richMenuId, new Blob([png(2500, 843)], { type: 'image/png' })),
    );
    expect(again.body.message).toBe('An image has already been uploaded to the richmenu');
  });

  it('validation names the property: size ratio, chatBarText length, areas outside the menu', async () => {
    const bad = { ...menu(1000, 800), chatBarText: 'とても長いチャットバーのテキストです' };
    const res = await failure(client(line).createRichMenu(bad));
    expect(res.body.details).toEqual([
      { property: 'size', message: 'width / height must be at least 1.45' },
      { property: 'chatBarText', message: 'Length must be between 1 and 14' },
      { property: 'areas[0].bounds', message: 'must lie inside the rich menu size' },
      { property: 'areas[1].bounds', message: 'must lie inside the rich menu size' },
    ]);
    await client(line).validateRichMenuObject(menu());
    expect(line.stats().requests['POST /v2/bot/richmenu']).toBe(1);
  });

  it('bulk link (202) and bulk unlink; aliases create, get, update, list, delete', async () => {
    const users = [line.users.create(), line.users.create(), line.users.create()];
    const first = await menuWithImage();
    const second = await menuWithImage();
    const bulk = await client(line).linkRichMenuIdToUsersWithHttpInfo({
      richMenuId: first,
      userIds: users.map((u) => u.userId),
    });
    expect(bulk.httpResponse.status).toBe(202);
    expect(users.map((u) => line.richMenuOf(u.userId))).toEqual([first, first, first]);
    await client(line).unlinkRichMenuIdFromUsers({ userIds: [users[0]!.userId] });
    expect(line.richMenuOf(users[0]!.userId)).toBeUndefined();
    await client(line).createRichMenuAlias({ richMenuAliasId: 'tab-a', richMenuId: first });
    await client(line).updateRichMenuAlias('tab-a', { richMenuId: second });
    expect(await client(line).getRichMenuAlias('tab-a')).toEqual({
      richMenuAliasId: 'tab-a',
      richMenuId: second,
    });
    expect(
      (await failure(client(line).createRichMenuAlias({ richMenuAliasId: 'tab-a', richMenuId: first })))
        .status,
    ).toBe(400);
    expect(await client(line).getRichMenuAliasList()).toEqual({
      aliases: [{ richMenuAliasId: 'tab-a', richMenuId: second }],
    });
    await client(line).deleteRichMenuAlias('tab-a');
    expect((await failure(client(line).getRichMenuAlias('tab-a'))).status).toBe(404);
    const tooMany = await failure(
      client(line).linkRichMenuIdToUsers({ richMenuId: first, userIds: Array(501).fill(users[0]!.userId) }),
    );
    expect(tooMany.body.details).toEqual([
      { property: 'userIds', message: 'Size must be between 1 and 500' },
    ]);
  });

  it('deleting a menu removes its links and default', async () => {
    const user = line.users.create();
    const id = await menuWithImage();
    await client(line).setDefaultRichMenu(id);
    await client(line).linkRichMenuIdToUser(user.userId, id);
    await client(line).deleteRichMenu(id);
    expect(line.richMenuOf(user.userId)).toBeUndefined();
    expect((await client(line).getRichMenuList()).richmenus).toEqual([]);
  });
});

describe('audiences through the SDK', () => {
  it('upload (202), add, describe, list and delete', async () => {
    const audiences = new manageAudience.ManageAudienceClient({ channelAccessToken: 't', baseURL: line.url });
    const ids = [line.users.create().userId, line.users.create().userId];
    const created = await audiences.createAudienceGroupWithHttpInfo({
      description: '常連客',
      audiences: [{ id: ids[0]! }],
    });
    expect(created.httpResponse.status).toBe(202);
    const id = created.body.audienceGroupId!;
    await audiences.addAudienceToAudienceGroup({ audienceGroupId: id, audiences: [{ id: ids[1]! }] });
    const described = await audiences.getAudienceData(id);
    expect(described.audienceGroup).toMatchObject({
      audienceGroupId: id,
      description: '常連客',
      audienceCount: 2,
      type: 'UPLOAD',
    });
    expect(described.jobs).toHaveLength(2);
    expect((await audiences.getAudienceGroups(1)).totalCount).toBe(1);
    await audiences.deleteAudienceGroup(id);
    expect((await failure(audiences.getAudienceData(id))).status).toBe(404);
    const long = await failure(
      audiences.createAudienceGroup({ description: 'x'.repeat(121), audiences: [] }),
    );
    expect(long.body.details).toEqual([
      { property: 'description', message: 'Length must be between 1 and 120' },
    ]);
  });
});
