// Issue #19 item 10, the LINE parts: customer ids that are not the workspace's are a 400 naming
// them (not silently dropped); a rich menu created on LINE is deleted again when its insert fails;
// LINE's 400, 401 and 429 answers become 4xx for the API caller, never a 500.
import { messagingApi } from '@line/bot-sdk';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkspace } from './helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

let bed: LineTestBed;
let foreignId: number; // a customer of another workspace
beforeAll(async () => {
  bed = await createLineTestBed();
  const other = await newWorkspace(bed.database);
  foreignId = (await makeFriends(bed.database.db, other.workspaceId, 900_001, 1))[0]!;
});
afterAll(async () => {
  await bed?.close();
});

const MENU = {
  size: { width: 2500, height: 843 },
  selected: false,
  name: 'メニュー',
  chatBarText: 'メニュー',
  areas: [],
};

function createMenu(payload: Record<string, unknown> = MENU) {
  return bed.app.inject({
    method: 'POST',
    url: `/v1/line/channels/${bed.channelId}/rich-menus`,
    headers: bed.auth,
    payload,
  });
}

/** What LINE (the sandbox) holds, asked through the SDK as any client would. */
async function menusOnLine(): Promise<string[]> {
  const client = new messagingApi.MessagingApiClient({ channelAccessToken: 'test', baseURL: bed.line.url });
  return (await client.getRichMenuList()).richmenus.map((m) => m.richMenuId);
}

async function menusStored(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from line_rich_menu
    where workspace_id = ${bed.workspace.workspaceId}`.execute(bed.database.db);
  return rows[0]!.n;
}

describe("customer ids that are not this workspace's", () => {
  it('a send naming them is a 400 that names each one, and nothing is written', async () => {
    const ws = bed.workspace.workspaceId;
    const own = await makeFriends(bed.database.db, ws, 1, 3);
    const response = await bed.app.inject({
      method: 'POST',
      url: '/v1/line/sends',
      headers: bed.auth,
      payload: {
        channelId: bed.channelId,
        idempotencyKey: 'foreign-ids',
        messages: [{ type: 'text', text: 'こんにちは' }],
        customerIds: [own[0], foreignId, own[1], 987_654_321],
        personalized: [{ customerId: foreignId, messages: [{ type: 'text', text: '個別' }] }],
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.problems).toEqual([
      { path: 'customerIds[1]', message: `no customer ${foreignId} in this workspace` },
      { path: 'customerIds[3]', message: 'no customer 987654321 in this workspace' },
      { path: 'personalized[0].customerId', message: `no customer ${foreignId} in this workspace` },
    ]);
    const sends = await bed.database.db
      .selectFrom('message_send')
      .select('id')
      .where('workspace_id', '=', ws)
      .where('idempotency_key', '=', 'foreign-ids')
      .execute();
    expect(sends).toEqual([]);
    const ok = await bed.app.inject({
      method: 'POST',
      url: '/v1/line/sends',
      headers: bed.auth,
      payload: {
        channelId: bed.channelId,
        idempotencyKey: 'own-ids',
        messages: [{ type: 'text', text: 'こんにちは' }],
        customerIds: own,
      },
    });
    expect(ok.statusCode).toBe(202);
    expect(ok.json().total).toBe(3);
  });

  it('a rich-menu link naming them is a 400 that names them; nothing is linked and the priority is unchanged', async () => {
    const menu = (await createMenu()).json() as { id: number; priority: number };
    const own = await makeFriends(bed.database.db, bed.workspace.workspaceId, 101, 2);
    const bulkLinks = () => bed.line.stats().requests['POST /v2/bot/richmenu/bulk/link'] ?? 0;
    const before = bulkLinks();
    const response = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/rich-menus/${menu.id}/links`,
      headers: bed.auth,
      payload: { customerIds: [...own, foreignId], priority: 7 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.problems).toEqual([
      { path: 'customerIds[2]', message: `no customer ${foreignId} in this workspace` },
    ]);
    expect(bulkLinks()).toBe(before);
    const after = await bed.app.inject({ url: `/v1/line/rich-menus/${menu.id}`, headers: bed.auth });
    expect(after.json().priority).toBe(menu.priority);
  });
});

describe('a rich menu created on LINE whose insert fails', () => {
  it('is deleted from LINE again, and nothing is stored', async () => {
    const db = bed.database.db;
    // A real database failure on this one insert.
    await sql`create function kizuna_test_menu_fails() returns trigger language plpgsql as $$
      begin
        if new.name = '保存できないメニュー' then raise exception 'simulated database failure'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger kizuna_test_menu_fails before insert on line_rich_menu
      for each row execute function kizuna_test_menu_fails()`.execute(db);
    const onLine = await menusOnLine();
    const stored = await menusStored();
    const deletes = () => bed.line.stats().requests['DELETE /v2/bot/richmenu/:richMenuId'] ?? 0;
    const deletesBefore = deletes();
    const response = await createMenu({ ...MENU, name: '保存できないメニュー' });
    expect(response.statusCode).toBe(500);
    expect(bed.line.stats().requests['POST /v2/bot/richmenu']).toBeGreaterThan(0);
    expect(deletes()).toBe(deletesBefore + 1);
    expect(await menusOnLine()).toEqual(onLine);
    expect(await menusStored()).toBe(stored);
    await sql`drop trigger kizuna_test_menu_fails on line_rich_menu`.execute(db);
  });
});

describe("LINE's refusals become 4xx for the caller", () => {
  it("400: LINE's message, and its details as field problems", async () => {
    const response = await createMenu({ ...MENU, size: { width: 100, height: 100 } });
    expect(response.statusCode).toBe(400);
    const { error } = response.json();
    expect(error.message).toMatch(/^LINE refused the request \(400\): /);
    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems[0].path).toMatch(/^size/);
  });

  it('429 (rate limit): 429 rate_limited, nothing stored; the next call goes through', async () => {
    const stored = await menusStored();
    // Scoped to the endpoint, so a background request elsewhere cannot use the burst up.
    bed.line.faults.burst(1, '/v2/bot/richmenu');
    const limited = await createMenu();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toMatchObject({ code: 'rate_limited', message: /try again later/ });
    expect(await menusStored()).toBe(stored);
    expect((await createMenu()).statusCode).toBe(201);

    const friend = bed.line.users.create({});
    bed.line.faults.burst(1, `/v2/bot/user/${friend.userId}/linkToken`);
    const token = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/channels/${bed.channelId}/link-tokens`,
      headers: bed.auth,
      payload: { lineUserId: friend.userId },
    });
    expect(token.statusCode).toBe(429);
  });

  it('401 (the channel access token is wrong): 400 naming accessToken', async () => {
    bed.line.configure({ requireTokens: ['the-right-token'] });
    try {
      const response = await createMenu();
      expect(response.statusCode).toBe(400);
      expect(response.json().error.problems).toEqual([{ path: 'accessToken', message: expect.any(String) }]);
    } finally {
      bed.line.configure({ requireTokens: [] });
    }
  });

  it("a link token for someone who is not a friend: 400 with LINE's reason", async () => {
    const stranger = bed.line.users.create({ friend: false });
    const response = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/channels/${bed.channelId}/link-tokens`,
      headers: bed.auth,
      payload: { lineUserId: stranger.userId },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/not a friend/);
  });
});
