// A journey that links a rich menu to a friend directly (linkRichMenu) and releases it
// (unlinkRichMenu), end to end on the LINE sandbox: the journey records the assignment through
// the LINE capability, the rich menu sync links it on LINE, and what LINE shows is read back
// through the official SDK (getRichMenuIdOfUser). The assignment outranks segment menus: a segment
// recompute that gives the friend a higher-priority segment menu does not overwrite it; the
// release returns the friend to that segment menu. A friend who blocked is a recorded skip, and
// the save-time check names an unknown, foreign or imageless menu by its JSON path.
import { until } from '@kizuna/test-support';
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mergeCustomers } from '../src/customers/merge-customers.ts';
import { transact } from '../src/db/transact.ts';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { assignRichMenuInTx } from '../src/line/rich-menu-assignments.ts';
import { syncRichMenus } from '../src/line/rich-menu-sync.ts';
import { SEGMENT_JOBS } from '../src/segments/segment-jobs.ts';
import { createSegment } from '../src/segments/segment-store.ts';
import { SimulatedClock } from '../src/shared/clock.ts';
import { newWorkspace } from './helpers.ts';
import { JOURNEY_TEST_TIMEOUT, jst, publishJourney, runsOf, tick } from './journeys-helpers.ts';
import { createLineTestBed, type LineTestBed, png } from './line-setup.ts';

vi.setConfig({ testTimeout: JOURNEY_TEST_TIMEOUT });

let bed: LineTestBed;
let ws: string;
let lineApi: messagingApi.MessagingApiClient;
beforeAll(async () => {
  bed = await createLineTestBed({}, [...LINE_JOBS, ...SEGMENT_JOBS]);
  ws = bed.workspace.workspaceId;
  lineApi = new messagingApi.MessagingApiClient({ channelAccessToken: 't', baseURL: bed.line.url });
});
afterAll(async () => bed?.close());

interface Menu {
  id: number;
  richMenuId: string;
}

async function createMenu(name: string, image = true): Promise<Menu> {
  const created = await bed.app.inject({
    method: 'POST',
    url: `/v1/line/channels/${bed.channelId}/rich-menus`,
    headers: bed.auth,
    payload: { size: { width: 2500, height: 843 }, selected: false, name, chatBarText: name, areas: [] },
  });
  expect(created.statusCode, created.body).toBe(201);
  const menu = created.json() as Menu;
  if (image) {
    const upload = await bed.app.inject({
      method: 'PUT',
      url: `/v1/line/rich-menus/${menu.id}/image`,
      headers: { ...bed.auth, 'content-type': 'image/png' },
      payload: png(2500, 843),
    });
    expect(upload.statusCode, upload.body).toBe(200);
  }
  return menu;
}

/** A menu that follows the segment of customers tagged `tag`, with `priority`. */
async function segmentMenu(
  name: string,
  tag: string,
  priority: number,
): Promise<Menu & { segmentId: number }> {
  const menu = await createMenu(name);
  const segment = await createSegment(bed.database.db, ws, { name, definition: { tag } });
  const linked = await bed.app.inject({
    method: 'POST',
    url: `/v1/line/rich-menus/${menu.id}/links`,
    headers: bed.auth,
    payload: { segmentId: segment.id, priority },
  });
  expect(linked.statusCode, linked.body).toBe(200);
  return { ...menu, segmentId: segment.id };
}

/** The user's per-user menu as LINE reports it through the official SDK (null: none). */
async function menuOnLine(userId: string): Promise<string | null> {
  try {
    return (await lineApi.getRichMenuIdOfUser(userId)).richMenuId;
  } catch (error) {
    if (error instanceof HTTPFetchError && error.status === 404) return null;
    throw error;
  }
}

/** A friend who followed (the follow webhook made their customer); returns the customer id. */
async function friend(displayName: string): Promise<{ userId: string; customerId: number }> {
  const user = bed.line.users.create({ displayName });
  await bed.line.follow(user.userId);
  const customerId = await until(async () => {
    const row = await bed.database.db
      .selectFrom('customer_identity')
      .select('customer_id')
      .where('workspace_id', '=', ws)
      .where('kind', '=', 'line')
      .where('value', '=', user.userId)
      .executeTakeFirst();
    return row ? Number(row.customer_id) : undefined;
  }, 'the follow to make a customer');
  return { userId: user.userId, customerId };
}

async function postbacks(userId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from domain_event
    where workspace_id = ${ws} and type = 'line.postback' and payload->>'lineUserId' = ${userId}`.execute(
    bed.database.db,
  );
  return rows[0]!.n;
}

async function tap(userId: string, action: string): Promise<void> {
  const before = await postbacks(userId);
  await bed.line.postback(userId, `action=${action}`);
  await until(async () => (await postbacks(userId)) === before + 1, 'the tap recorded', {
    timeoutMs: 30_000,
  });
}

/**
 * Tags the customer and re-evaluates the segments through the segments API (a PATCH records the
 * entries and exits at once, as the recompute job would), then runs the rich menu sync in this
 * test until it has the lease: a `done` run has consumed every entry recorded before it.
 */
async function retagAndSync(customerId: number, tag: string, segmentIds: number[]): Promise<void> {
  await sql`update customer set tags = array(select distinct t from unnest(tags || ${[tag]}::text[]) t)
    where workspace_id = ${ws} and id = ${customerId}`.execute(bed.database.db);
  for (const id of segmentIds) {
    const response = await bed.app.inject({
      method: 'PATCH',
      url: `/v1/segments/${id}`,
      headers: bed.auth,
      payload: { description: `re-evaluated for ${tag}` },
    });
    expect(response.statusCode, response.body).toBe(200);
  }
  const context = {
    database: bed.database,
    secrets: bed.secrets,
    logger: pino({ level: 'silent' }),
    lineHosts: bed.lineHosts,
  };
  // A run that finds another worker's lease waits up to 20 s for it, then answers `busy`.
  await until(async () => (await syncRichMenus(context, ws)).status === 'done', 'a sync run of our own', {
    timeoutMs: 120_000,
  });
}

async function stepsWithDetail(runId: number) {
  const rows = await bed.database.db
    .selectFrom('journey_step')
    .select(['node_id', 'outcome', 'detail'])
    .where('workspace_id', '=', ws)
    .where('run_id', '=', runId)
    .orderBy('step_no')
    .execute();
  return rows.map((r) => ({ node: r.node_id, outcome: r.outcome, detail: r.detail }));
}

const linkJourney = (action: string, richMenuId: number) => ({
  trigger: { event: 'line.postback', action },
  reentry: 'never',
  quietHours: 'hold',
  nodes: [
    { id: 'campaign-menu', type: 'action', action: { type: 'linkRichMenu', richMenuId }, next: 'three-days' },
    { id: 'three-days', type: 'wait', duration: 'P3D', next: 'back' },
    { id: 'back', type: 'action', action: { type: 'unlinkRichMenu' }, next: 'end' },
    { id: 'end', type: 'exit' },
  ],
});

describe('journey action linkRichMenu / unlinkRichMenu', () => {
  it('links the menu on LINE, keeps it over a higher-priority segment menu, and releases it back to that menu', async () => {
    const db = bed.database.db;
    const member = await segmentMenu('会員メニュー', 'member', 0);
    const gold = await segmentMenu('ゴールド会員メニュー', 'gold', 10);
    const campaign = await createMenu('夏のキャンペーン');
    const { userId, customerId } = await friend('高橋 美咲');
    await retagAndSync(customerId, 'member', [member.segmentId, gold.segmentId]);
    expect(await menuOnLine(userId)).toBe(member.richMenuId);

    const journeyId = await publishJourney(
      bed,
      linkJourney('summer', campaign.id),
      '夏のキャンペーンメニュー',
    );
    await tap(userId, 'summer');
    const clock = new SimulatedClock(jst('2027-07-01T10:00:00'));
    expect(await tick(db, ws, clock.now(), bed.jobs)).toMatchObject({ entered: 1, steps: 2 });
    // The engine's transaction enqueued the sync; the worker links the menu on LINE.
    await until(async () => (await menuOnLine(userId)) === campaign.richMenuId, 'the campaign menu on LINE', {
      timeoutMs: 60_000,
    });
    const [run] = await runsOf(db, ws, journeyId);
    expect(await stepsWithDetail(run!.id)).toEqual([
      { node: 'campaign-menu', outcome: 'done', detail: null },
      { node: 'three-days', outcome: 'done', detail: null },
    ]);
    // A second engine pass at the same instant changes nothing: the run waits, nobody enters.
    expect(await tick(db, ws, clock.now(), bed.jobs)).toMatchObject({ entered: 0, steps: 0 });

    // The customer enters the gold segment, whose menu outranks the member menu: the segment
    // recompute and a full sync run leave the journey's menu in place.
    await retagAndSync(customerId, 'gold', [member.segmentId, gold.segmentId]);
    const { rows: members } = await sql<{ segment_id: number }>`select segment_id from segment_member
      where workspace_id = ${ws} and customer_id = ${customerId} order by segment_id`.execute(db);
    expect(members.map((m) => Number(m.segment_id))).toEqual([member.segmentId, gold.segmentId]);
    expect(await menuOnLine(userId)).toBe(campaign.richMenuId);
    const link = await db
      .selectFrom('line_rich_menu_link')
      .select(['desired_menu_id', 'applied_menu_id', 'status'])
      .where('workspace_id', '=', ws)
      .where('line_user_id', '=', userId)
      .executeTakeFirstOrThrow();
    expect({ ...link, desired_menu_id: Number(link.desired_menu_id) }).toMatchObject({
      desired_menu_id: campaign.id,
      status: 'synced',
    });

    // Three days later the journey releases it: back to the segments' choice, the gold menu.
    clock.advanceBy(3 * 86_400_000);
    expect(await tick(db, ws, clock.now(), bed.jobs)).toMatchObject({ steps: 2 });
    await until(async () => (await menuOnLine(userId)) === gold.richMenuId, 'the gold segment menu on LINE', {
      timeoutMs: 60_000,
    });
    expect((await stepsWithDetail(run!.id)).map((s) => `${s.node}:${s.outcome}`)).toEqual([
      'campaign-menu:done',
      'three-days:done',
      'back:done',
      'end:done',
    ]);
    // The released assignment has done its work and is gone once the sync recomputed the user.
    await until(
      async () =>
        (
          await db
            .selectFrom('line_rich_menu_assignment')
            .select('line_user_id')
            .where('workspace_id', '=', ws)
            .where('customer_id', '=', customerId)
            .execute()
        ).length === 0,
      'the released assignment deleted',
      { timeoutMs: 60_000 },
    );
  });

  it('records a skip for a friend who blocked the account, and for a customer who is no friend', async () => {
    const db = bed.database.db;
    const menu = await createMenu('ブロック確認メニュー');
    const { userId, customerId } = await friend('伊藤 健');
    const journeyId = await publishJourney(bed, linkJourney('blocked-check', menu.id), 'ブロック確認');
    await tap(userId, 'blocked-check');
    await bed.line.unfollow(userId);
    await until(
      async () =>
        (
          await db
            .selectFrom('line_friend')
            .select('status')
            .where('workspace_id', '=', ws)
            .where('line_user_id', '=', userId)
            .executeTakeFirst()
        )?.status === 'blocked',
      'the block recorded',
      { timeoutMs: 30_000 },
    );
    const clock = new SimulatedClock(jst('2027-08-01T10:00:00'));
    expect(await tick(db, ws, clock.now(), bed.jobs)).toMatchObject({ entered: 1, steps: 2 });
    const [run] = await runsOf(db, ws, journeyId);
    expect((await stepsWithDetail(run!.id))[0]).toEqual({
      node: 'campaign-menu',
      outcome: 'skipped',
      detail: { reason: 'line_blocked', message: 'the customer blocked the LINE account of the rich menu' },
    });

    // A customer without a LINE identity, through the LINE capability's function directly.
    const { rows } = await sql<{ id: number }>`insert into customer (workspace_id, acquisition_source)
      values (${ws}, 'store') returning id`.execute(db);
    const stranger = Number(rows[0]!.id);
    const skipped = await transact(db, (tx) =>
      assignRichMenuInTx(tx, ws, menu.id, {
        targets: [
          { customerId: stranger, key: 'test:stranger' },
          { customerId, key: 'test:blocked' },
        ],
        assignedBy: 'test',
        at: clock.now(),
      }),
    );
    expect(
      Object.fromEntries([...skipped].map(([id, s]) => [id === stranger ? 'stranger' : 'blocked', s.reason])),
    ).toEqual({
      stranger: 'not_a_line_friend',
      blocked: 'line_blocked',
    });
    const assigned = await db
      .selectFrom('line_rich_menu_assignment')
      .select('customer_id')
      .where('workspace_id', '=', ws)
      .where('menu_id', '=', menu.id)
      .execute();
    expect(assigned).toEqual([]);
  });
});

describe('a customer merge', () => {
  it('moves the assignment to the surviving record, and the friend keeps the menu', async () => {
    const db = bed.database.db;
    const menu = await createMenu('統合確認メニュー');
    // The shop's member record first (the lower id survives a merge), then the LINE follow.
    const { rows } = await sql<{ id: number }>`insert into customer (workspace_id, acquisition_source)
      values (${ws}, 'store') returning id`.execute(db);
    const memberId = Number(rows[0]!.id);
    const { userId, customerId } = await friend('中村 由美');
    const skipped = await transact(db, (tx) =>
      assignRichMenuInTx(
        tx,
        ws,
        menu.id,
        { targets: [{ customerId, key: 'test:merge' }], assignedBy: 'test', at: new Date(0) },
        bed.jobs!.sendInTransaction.bind(bed.jobs),
      ),
    );
    expect([...skipped]).toEqual([]);
    await until(async () => (await menuOnLine(userId)) === menu.richMenuId, 'the menu on LINE', {
      timeoutMs: 60_000,
    });

    // The same effect again (a retried batch): the assignment is not written again.
    const changed = async () =>
      (
        await db
          .selectFrom('line_rich_menu_assignment')
          .select('changed')
          .where('workspace_id', '=', ws)
          .where('line_user_id', '=', userId)
          .executeTakeFirstOrThrow()
      ).changed;
    await until(async () => !(await changed()), 'the sync to take the assignment', { timeoutMs: 60_000 });
    await transact(db, (tx) =>
      assignRichMenuInTx(tx, ws, menu.id, {
        targets: [{ customerId, key: 'test:merge' }],
        assignedBy: 'test',
        at: new Date(0),
      }),
    );
    expect(await changed()).toBe(false);

    await transact(db, (tx) =>
      mergeCustomers(tx, ws, [memberId, customerId], { identities: [], source: 'test' }),
    );
    const assignment = await db
      .selectFrom('line_rich_menu_assignment')
      .select(['customer_id', 'menu_id'])
      .where('workspace_id', '=', ws)
      .where('line_user_id', '=', userId)
      .executeTakeFirstOrThrow();
    expect([Number(assignment.customer_id), Number(assignment.menu_id)]).toEqual([memberId, menu.id]);
    await retagAndSync(memberId, 'merged', []);
    expect(await menuOnLine(userId)).toBe(menu.richMenuId);
  });
});

describe('save-time check of linkRichMenu', () => {
  const create = (richMenuId: unknown) =>
    bed.app.inject({
      method: 'POST',
      url: '/v1/journeys',
      headers: bed.auth,
      payload: {
        name: 'メニュー切り替え',
        definition: {
          trigger: { event: 'line.friend_added' },
          reentry: 'never',
          quietHours: 'hold',
          nodes: [
            { id: 'menu', type: 'action', action: { type: 'linkRichMenu', richMenuId }, next: 'end' },
            { id: 'end', type: 'exit' },
          ],
        },
      },
    });

  it('names an unknown menu, another workspace’s menu, a menu without an image, and a missing id', async () => {
    const unknown = await create(987_654);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toBe(
      'nodes[0].action.richMenuId: node "menu": no rich menu 987654 in this workspace',
    );

    const other = await newWorkspace(bed.database);
    const { rows } = await sql<{ id: number }>`
      with c as (insert into line_channel (workspace_id, line_channel_id, secret_sealed, access_token_sealed)
        values (${other.workspaceId}, '1650009999', 'sealed', 'sealed') returning workspace_id, id)
      insert into line_rich_menu (workspace_id, channel_id, name, definition, rich_menu_id, image_uploaded)
      select workspace_id, id, '他店のメニュー', '{}'::jsonb, 'richmenu-other', true from c
      returning id`.execute(bed.database.db);
    const theirs = Number(rows[0]!.id);
    const foreign = await create(theirs);
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.message).toBe(
      `nodes[0].action.richMenuId: node "menu": no rich menu ${theirs} in this workspace`,
    );

    const imageless = await createMenu('画像なしメニュー', false);
    const noImage = await create(imageless.id);
    expect(noImage.statusCode).toBe(400);
    expect(noImage.json().error.message).toBe(
      `nodes[0].action.richMenuId: node "menu": rich menu ${imageless.id} has no image yet: upload it first (LINE shows no menu without one)`,
    );

    const missing = await create(undefined);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain(
      'nodes[0].action.richMenuId: must be an integer from 1 to',
    );

    const usable = await createMenu('使えるメニュー');
    const ok = await create(usable.id);
    expect(ok.statusCode, ok.body).toBe(201);
  });
});
