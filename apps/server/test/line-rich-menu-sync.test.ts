// Rich menus following segments, end to end: Kizuna's sync job talks HTTP (@line/bot-sdk) to
// the LINE sandbox, and the assertions read the sandbox's per-user rich menus.

import { until } from '@kizuna/test-support';
import { messagingApi } from '@line/bot-sdk';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../src/customers/consent.ts';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import type { RichMenuSyncState } from '../src/line/rich-menu-segment.ts';
import { RICH_MENU_SYNC_JOB, type RichMenuSyncResult, syncRichMenus } from '../src/line/rich-menu-sync.ts';
import { SEGMENT_JOBS } from '../src/segments/segment-jobs.ts';
import { createSegment } from '../src/segments/segment-store.ts';
import { lineUserId, newWorkspace } from './helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends, png } from './line-setup.ts';

let bed: LineTestBed;
let ws: string;
let defaultMenu: Menu;
let vipMenu: Menu;
let regularMenu: Menu;
let vipSegment: number;
let regularSegment: number;
let friends: number[];

interface Menu {
  id: number;
  richMenuId: string;
  segmentId: number | null;
  sync: RichMenuSyncState;
}

beforeAll(async () => {
  // The segment jobs too: the sync follows the entries and exits they publish.
  bed = await createLineTestBed({}, [...LINE_JOBS, ...SEGMENT_JOBS]);
  ws = bed.workspace.workspaceId;
  defaultMenu = await createMenu('通常メニュー');
  const def = await bed.app.inject({
    method: 'POST',
    url: `/v1/line/rich-menus/${defaultMenu.id}/default`,
    headers: bed.auth,
  });
  expect(def.statusCode).toBe(200);
  vipMenu = await createMenu('VIPメニュー');
  regularMenu = await createMenu('常連メニュー');
});
afterAll(async () => {
  await bed?.close();
});

async function createMenu(name: string, image = true): Promise<Menu> {
  const created = await bed.app.inject({
    method: 'POST',
    url: `/v1/line/channels/${bed.channelId}/rich-menus`,
    headers: bed.auth,
    payload: { size: { width: 2500, height: 843 }, selected: false, name, chatBarText: name, areas: [] },
  });
  expect(created.statusCode).toBe(201);
  const menu = created.json() as Menu;
  if (image) {
    const upload = await bed.app.inject({
      method: 'PUT',
      url: `/v1/line/rich-menus/${menu.id}/image`,
      headers: { ...bed.auth, 'content-type': 'image/png' },
      payload: png(2500, 843),
    });
    expect(upload.statusCode).toBe(200);
  }
  return menu;
}

async function menuState(id: number): Promise<Menu> {
  const response = await bed.app.inject({ url: `/v1/line/rich-menus/${id}`, headers: bed.auth });
  expect(response.statusCode).toBe(200);
  return response.json() as Menu;
}

async function follow(menuId: number, payload: Record<string, unknown>) {
  return bed.app.inject({
    method: 'POST',
    url: `/v1/line/rich-menus/${menuId}/links`,
    headers: bed.auth,
    payload,
  });
}

/** Runs the sync job through pg-boss and waits until it has completed. */
async function runSync(): Promise<void> {
  const id = await bed.jobs!.send(RICH_MENU_SYNC_JOB, { workspaceId: ws });
  await until(
    async () => {
      const job = await bed.jobs!.boss.getJobById(RICH_MENU_SYNC_JOB, id!);
      if (job?.state === 'failed') throw new Error(`sync job failed: ${JSON.stringify(job.output)}`);
      return job?.state === 'completed';
    },
    'sync job completed',
    { timeoutMs: 30_000 },
  );
}

/** Runs the sync in this test (what the job runs), and returns what it did. */
function syncNow(): Promise<RichMenuSyncResult> {
  return syncRichMenus(
    {
      database: bed.database,
      secrets: bed.secrets,
      logger: pino({ level: 'silent' }),
      lineHosts: bed.lineHosts,
    },
    ws,
  );
}

/**
 * Changes customers' tags and re-evaluates the segments through the segments API (a PATCH
 * re-evaluates at once and records the entries and exits, as the recompute job would).
 */
async function retag(customerIds: number[], add: string[], remove: string[] = []): Promise<void> {
  await sql`update customer set tags = array(
      select distinct t from unnest(tags || ${add}::text[]) t where t <> all(${remove}::text[]))
    where workspace_id = ${ws} and id = any(${customerIds}::bigint[])`.execute(bed.database.db);
  for (const id of [vipSegment, regularSegment]) {
    if (id === undefined) continue;
    const response = await bed.app.inject({
      method: 'PATCH',
      url: `/v1/segments/${id}`,
      headers: bed.auth,
      payload: { description: `re-evaluated ${Date.now()}` },
    });
    expect(response.statusCode).toBe(200);
  }
}

const menuOf = (n: number) => bed.line.richMenuOf(lineUserId(n));
const bulkCalls = (what: 'link' | 'unlink') =>
  bed.line.stats().requests[`POST /v2/bot/richmenu/bulk/${what}`] ?? 0;

async function linkRows() {
  const { rows } = await sql<Record<string, unknown>>`
    select line_user_id, desired_menu_id, applied_menu_id, status from line_rich_menu_link
    where workspace_id = ${ws} order by line_user_id`.execute(bed.database.db);
  return rows;
}

describe('rich menus following segments (sync job → LINE sandbox over HTTP)', () => {
  it('links every member who is a LINE friend when a menu is assigned to a segment, 500 per call, skipping blocked friends', async () => {
    friends = await makeFriends(bed.database.db, ws, 1, 650);
    await sql`update customer set tags = array['vip'] where workspace_id = ${ws}
      and id = any(${friends.slice(0, 620)}::bigint[])`.execute(bed.database.db);
    // Blocked two ways: LINE consent blocked, and a friend row blocked on the channel.
    await bed.database.db.transaction().execute((tx) =>
      recordConsent(tx, ws, friends[1]!, {
        channel: 'line',
        purpose: 'marketing',
        status: 'blocked',
        source: 'line_unfollow',
      }),
    );
    await sql`insert into line_friend (workspace_id, channel_id, line_user_id, customer_id, status, last_event_at)
      values (${ws}, ${bed.channelId}, ${lineUserId(3)}, ${friends[2]!}, 'blocked', now())`.execute(
      bed.database.db,
    );
    vipSegment = (await createSegment(bed.database.db, ws, { name: 'VIP', definition: { tag: 'vip' } })).id;
    const before = bulkCalls('link');

    const assigned = await follow(vipMenu.id, { segmentId: vipSegment, priority: 10 });
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json().menu).toMatchObject({ segmentId: vipSegment, priority: 10 });
    const state = await until(
      async () => {
        const s = await menuState(vipMenu.id);
        // The links commit before the run records its time (last_sync_at): wait for both.
        return s.sync.linked === 618 && s.sync.pending === 0 && s.sync.lastSyncAt !== null ? s : undefined;
      },
      'members linked and the sync recorded',
      { timeoutMs: 30_000 },
    );
    expect(state.sync).toMatchObject({ linked: 618, blocked: 2, failed: 0, lastError: null });
    expect(state.sync.lastSyncAt).not.toBeNull();
    expect(bulkCalls('link') - before).toBe(2);
    for (const n of [1, 4, 300, 620]) expect(menuOf(n)).toBe(vipMenu.richMenuId);
    // Blocked friends and non-members keep the default menu.
    for (const n of [2, 3, 621, 650]) expect(menuOf(n)).toBe(defaultMenu.richMenuId);
  });

  it('links a customer who enters, moves one who exits to the next menu by priority, then to the default', async () => {
    regularSegment = (
      await createSegment(bed.database.db, ws, { name: '常連', definition: { tag: 'regular' } })
    ).id;
    expect((await follow(regularMenu.id, { segmentId: regularSegment })).statusCode).toBe(200);
    const x = friends[630]!; // LINE user 631
    const y = friends[640]!; // LINE user 641
    await retag([x], ['vip', 'regular']);
    await retag([y], ['regular']);
    await syncNow();
    expect(menuOf(631)).toBe(vipMenu.richMenuId); // priority 10 beats 0
    expect(menuOf(641)).toBe(regularMenu.richMenuId);

    await retag([x], [], ['vip']);
    await syncNow();
    expect(menuOf(631)).toBe(regularMenu.richMenuId);

    await retag([x], [], ['regular']);
    const unlinks = bulkCalls('unlink');
    expect((await syncNow()).status).toBe('done');
    expect(menuOf(631)).toBe(defaultMenu.richMenuId);
    expect(bulkCalls('unlink')).toBe(unlinks + 1);

    // Equal priority: the menu assigned most recently wins; unassigning it falls back again.
    const seasonal = await createMenu('季節メニュー');
    expect((await follow(seasonal.id, { segmentId: regularSegment })).statusCode).toBe(200);
    await until(() => menuOf(641) === seasonal.richMenuId, 'seasonal menu linked', { timeoutMs: 30_000 });
    expect((await follow(seasonal.id, { segmentId: null })).statusCode).toBe(200);
    await until(() => menuOf(641) === regularMenu.richMenuId, 'back to the regular menu', {
      timeoutMs: 30_000,
    });
    expect((await menuState(seasonal.id)).sync).toMatchObject({ linked: 0, pending: 0 });
  });

  it('changes nothing when run again, and replays a crash between the LINE call and the bookkeeping harmlessly', async () => {
    await runSync();
    const rows = await linkRows();
    const calls = { link: bulkCalls('link'), unlink: bulkCalls('unlink') };
    await runSync();
    expect(await syncNow()).toMatchObject({ status: 'done', linked: 0, unlinked: 0, failed: 0 });
    expect(await linkRows()).toEqual(rows);
    expect({ link: bulkCalls('link'), unlink: bulkCalls('unlink') }).toEqual(calls);

    // As if the worker died after LINE took the calls: rows still pending, cursor not moved.
    await sql`update line_rich_menu_link set status = 'pending'
      where workspace_id = ${ws} and line_user_id = any(${[lineUserId(1), lineUserId(631), lineUserId(641)]}::text[])`.execute(
      bed.database.db,
    );
    await sql`update line_rich_menu_sync set event_cursor = 0 where workspace_id = ${ws}`.execute(
      bed.database.db,
    );
    await syncNow();
    expect(await linkRows()).toEqual(rows);
    // user 631 is unlinked again, 1 and 641 linked again: the same state on LINE's side.
    expect(bulkCalls('link')).toBe(calls.link + 2);
    expect(bulkCalls('unlink')).toBe(calls.unlink + 1);
    expect([menuOf(1), menuOf(631), menuOf(641)]).toEqual([
      vipMenu.richMenuId,
      defaultMenu.richMenuId,
      regularMenu.richMenuId,
    ]);
    const { rows: cursor } = await sql<{ event_cursor: number; max: number }>`
      select s.event_cursor, (select max(id) from segment_membership_event e where e.workspace_id = s.workspace_id) as max
      from line_rich_menu_sync s where s.workspace_id = ${ws}`.execute(bed.database.db);
    expect(Number(cursor[0]!.event_cursor)).toBe(Number(cursor[0]!.max));
  });

  it('skips a friend who blocked the account and gives one who follows again their segment menu again', async () => {
    const user = bed.line.users.create({ displayName: 'はなこ', friend: false });
    await bed.line.follow(user.userId);
    const customerId = await until(async () => {
      const { rows } = await sql<{ customer_id: number }>`select customer_id from customer_identity
        where workspace_id = ${ws} and kind = 'line' and value = ${user.userId}`.execute(bed.database.db);
      return rows[0]?.customer_id;
    }, 'the follow to make a customer');
    await retag([Number(customerId)], ['vip']);
    await syncNow();
    expect(bed.line.richMenuOf(user.userId)).toBe(vipMenu.richMenuId);

    const blocked = (await menuState(vipMenu.id)).sync.blocked;
    await bed.line.unfollow(user.userId);
    await until(async () => (await menuState(vipMenu.id)).sync.blocked === blocked + 1, 'row blocked', {
      timeoutMs: 20_000,
    });
    // Whatever LINE kept across the block, Kizuna does not call LINE for a blocked user.
    const lineApi = new messagingApi.MessagingApiClient({ channelAccessToken: 't', baseURL: bed.line.url });
    await lineApi.unlinkRichMenuIdFromUser(user.userId);
    await syncNow();
    expect(bed.line.richMenuOf(user.userId)).toBe(defaultMenu.richMenuId);

    await bed.line.follow(user.userId);
    await until(() => bed.line.richMenuOf(user.userId) === vipMenu.richMenuId, 'menu after re-follow', {
      timeoutMs: 20_000,
    });
    expect((await menuState(vipMenu.id)).sync.blocked).toBe(blocked);
  });

  it('retries 429 and 5xx from LINE until every entering member is linked, and reports LINE being down', async () => {
    const newcomers = await makeFriends(bed.database.db, ws, 5001, 600);
    await retag(newcomers, ['vip']);
    bed.line.faults.set({ seed: 3, errorRate: 0.5, afterEffectShare: 0.5, paths: ['/v2/bot/richmenu/bulk'] });
    bed.line.faults.burst(3);
    // (The every-minute job may take part; the sandbox's state is what counts.)
    expect((await syncNow()).status).toBe('done');
    const faults = bed.line.stats().faults;
    bed.line.faults.reset();
    expect(faults.rateLimited).toBeGreaterThanOrEqual(3);
    expect(faults.errors).toBeGreaterThan(0);
    for (const n of [5001, 5300, 5600]) expect(menuOf(n)).toBe(vipMenu.richMenuId);
    expect((await menuState(vipMenu.id)).sync).toMatchObject({ pending: 0, failed: 0, lastError: null });

    // LINE answering 500 to every attempt: the rows wait, and the API says why.
    const leaving = newcomers.slice(0, 3);
    bed.line.faults.set({ errorRate: 1, afterEffectShare: 0, paths: ['/v2/bot/richmenu/bulk'] });
    await retag(leaving, [], ['vip']);
    expect(await syncNow()).toMatchObject({ status: 'retry_later', unlinked: 0 });
    const waiting = (await menuState(vipMenu.id)).sync;
    bed.line.faults.reset();
    expect(waiting.lastError).toMatch(/LINE unavailable: 500/);
    expect(menuOf(5001)).toBe(vipMenu.richMenuId);
    await syncNow();
    expect(menuOf(5001)).toBe(defaultMenu.richMenuId);
    expect((await menuState(vipMenu.id)).sync.lastError).toBeNull();
  });

  it("lets a deleted segment's members fall back to their next menu", async () => {
    const flash = (await createSegment(bed.database.db, ws, { name: '限定', definition: { tag: 'regular' } }))
      .id;
    const flashMenu = await createMenu('限定メニュー');
    expect((await follow(flashMenu.id, { segmentId: flash, priority: 100 })).statusCode).toBe(200);
    await until(() => menuOf(641) === flashMenu.richMenuId, 'flash menu linked', { timeoutMs: 30_000 });
    const deleted = await bed.app.inject({
      method: 'DELETE',
      url: `/v1/segments/${flash}`,
      headers: bed.auth,
    });
    expect(deleted.statusCode).toBe(204);
    expect((await syncNow()).status).toBe('done');
    expect(menuOf(641)).toBe(regularMenu.richMenuId);
    expect(await menuState(flashMenu.id)).toMatchObject({ segmentId: null, sync: { linked: 0 } });
  });

  it("follows an entry the segment jobs publish (segments.changed), without waiting for the minute's run", async () => {
    expect(menuOf(646)).toBe(defaultMenu.richMenuId);
    // A profile change through the API: customers.changed → segments-recompute → the customer
    // enters VIP → segments.changed → the rich-menu sync.
    const changed = await bed.app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: bed.auth,
      payload: { customers: [{ lineUserId: lineUserId(646), tags: ['vip'] }] },
    });
    expect(changed.statusCode).toBe(200);
    await until(() => menuOf(646) === vipMenu.richMenuId, 'VIP menu linked after the entry', {
      timeoutMs: 30_000,
    });
    const woken = await bed.jobs!.boss.findJobs<{ workspaceId: string; entered: number }>(
      RICH_MENU_SYNC_JOB,
      {
        data: { workspaceId: ws, entered: 1 },
      },
    );
    expect(woken.length).toBeGreaterThan(0);
  });

  it('names the field when a segment assignment is invalid', async () => {
    const problems = async (menuId: number, payload: Record<string, unknown>) => {
      const response = await follow(menuId, payload);
      expect(response.statusCode).toBe(400);
      return response.json().error.problems as { path: string; message: string }[];
    };
    expect((await problems(vipMenu.id, { segmentId: 'vip' }))[0]?.path).toBe('segmentId');
    expect(await problems(vipMenu.id, { segmentId: 987_654 })).toEqual([
      { path: 'segmentId', message: 'no segment 987654 in this workspace' },
    ]);
    expect((await problems(vipMenu.id, { priority: 5000 }))[0]?.path).toBe('priority');
    const other = await newWorkspace(bed.database, '他店');
    const foreign = await createSegment(bed.database.db, other.workspaceId, {
      name: 'x',
      definition: { tag: 'x' },
    });
    expect((await problems(vipMenu.id, { segmentId: foreign.id }))[0]?.path).toBe('segmentId');
    const noImage = await createMenu('画像なし', false);
    expect((await problems(noImage.id, { segmentId: vipSegment }))[0]).toMatchObject({ path: 'segmentId' });
    expect((await menuState(vipMenu.id)).segmentId).toBe(vipSegment);
    const missing = await bed.app.inject({ url: '/v1/line/rich-menus/999999', headers: bed.auth });
    expect(missing.statusCode).toBe(404);
    const sync = await bed.app.inject({ method: 'POST', url: '/v1/line/rich-menus/sync', headers: bed.auth });
    expect(sync.statusCode).toBe(202);
    expect(sync.json()).toEqual({ queued: true });
    const doc = (await bed.app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toContain('/v1/line/rich-menus/{id}');
  });

  it('moves a new LINE friend into "LINE friends who never bought" from the webhook, and out on a block', async () => {
    // The webhook worker announces the follow (customers.changed) in its own transaction; the
    // segments-recompute job evaluates the segments for that customer. No full evaluation runs.
    const created = await bed.app.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: bed.auth,
      payload: { name: '友だち・未購入', template: 'line_friends_never_bought' },
    });
    expect(created.statusCode).toBe(201);
    const segmentId = created.json().id as number;
    const user = bed.line.users.create({ displayName: '新規 友だち', friend: false });
    const memberOf = async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from segment_member m
        join customer_identity i on i.workspace_id = m.workspace_id and i.customer_id = m.customer_id
          and i.kind = 'line' and i.value = ${user.userId}
        where m.workspace_id = ${ws} and m.segment_id = ${segmentId}`.execute(bed.database.db);
      return rows[0]!.n === 1;
    };
    await bed.line.follow(user.userId);
    await until(memberOf, 'the new friend entered the segment', { timeoutMs: 30_000 });
    await bed.line.unfollow(user.userId);
    await until(async () => !(await memberOf()), 'the blocked friend left the segment', {
      timeoutMs: 30_000,
    });
    const { rows } = await sql<{ kind: string }>`select kind from segment_membership_event
      where workspace_id = ${ws} and segment_id = ${segmentId} order by id`.execute(bed.database.db);
    expect(rows.map((r) => r.kind)).toEqual(['entered', 'exited']);
  });

  it('wakes the sync when a PATCH re-evaluation records entries (segments.changed)', async () => {
    const created = await bed.app.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: bed.auth,
      payload: { name: '編集テスト', definition: { tag: 'nobody-has-this' } },
    });
    expect(created.statusCode).toBe(201);
    const patched = await bed.app.inject({
      method: 'PATCH',
      url: `/v1/segments/${created.json().id}`,
      headers: bed.auth,
      payload: { definition: { identity: 'line' } },
    });
    expect(patched.statusCode).toBe(200);
    const entered = patched.json().memberCount as number;
    expect(entered).toBeGreaterThan(1);
    const woken = await bed.jobs!.boss.findJobs(RICH_MENU_SYNC_JOB, {
      data: { workspaceId: ws, topic: 'segments.changed', entered, exited: 0 },
    });
    expect(woken.length).toBe(1);
  });
});
