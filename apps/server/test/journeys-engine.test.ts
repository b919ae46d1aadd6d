// The journey engine on a simulated clock: each node type, re-entry policies, a live edit (runs
// under way keep their version), pause and resume, keyed runs, and exactly-once step effects
// when batches run twice, side by side, or roll back.

import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { advanceBatch, advanceJourneys } from '../src/journeys/advance.ts';
import { consumeJourneyTriggers } from '../src/journeys/consume-triggers.ts';
import { bucketOf } from '../src/journeys/stable-bucket.ts';
import { deliverSend } from '../src/line/deliver-send.ts';
import { getSend } from '../src/messaging/send-status.ts';
import { SimulatedClock } from '../src/shared/clock.ts';
import { lineUserId, newWorkspace, type TestApp } from './helpers.ts';
import {
  eventsReadable,
  JOURNEY_TEST_TIMEOUT,
  jst,
  publishEvents,
  publishJourney,
  runsOf,
  stepsOf,
  text,
  tick,
} from './journeys-helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

vi.setConfig({ testTimeout: JOURNEY_TEST_TIMEOUT });

let bed: LineTestBed;
beforeAll(async () => {
  // No jobs run: the tests deliver sends themselves, at the moments they choose.
  bed = await createLineTestBed({}, []);
});
afterAll(async () => bed?.close());

const DAY = 86_400_000;
let current: TestApp;
let channels = 0;
const ws = () => current.workspace.workspaceId;
const db = () => bed.database.db;

// Each test gets its own workspace with its own LINE channel (on the one sandbox), so that one
// test's live journeys never react to another's events.
beforeEach(async () => {
  const workspace = await newWorkspace(bed.database);
  current = { ...bed, workspace, auth: { authorization: `Bearer ${workspace.apiKey}` } };
  const channel = await bed.app.inject({
    method: 'PUT',
    url: `/v1/line/channels/${1650001000 + ++channels}`,
    headers: current.auth,
    payload: {
      name: 'テスト店',
      channelSecret: bed.line.channelSecret,
      accessToken: 'test-access-token-0001',
      apiBaseUrl: bed.line.url,
    },
  });
  expect(channel.statusCode, channel.body).toBe(200);
});
const context = () => ({
  database: bed.database,
  secrets: bed.secrets,
  logger: pino({ level: 'silent' }),
  lineHosts: bed.lineHosts,
});

const friendAdded = (customerIds: number[], at: Date) =>
  publishEvents(
    db(),
    ws(),
    customerIds.map((customerId) => ({
      type: 'line.friend_added' as const,
      customerId,
      occurredAt: at,
      payload: { channelId: bed.channelId, lineUserId: 'U0', refollow: false },
    })),
  );

async function tagsOf(ids: number[]): Promise<Map<number, string[]>> {
  const rows = await db()
    .selectFrom('customer')
    .select(['id', 'tags', 'attributes'])
    .where('workspace_id', '=', ws())
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [Number(r.id), r.tags]));
}

/** Delivers every send the journey's steps made (in step order), as the LINE job would. */
async function deliverJourneySends(journeyId: number): Promise<void> {
  const { rows } = await sql<{ send_id: number }>`select distinct s.send_id from journey_step s
    join journey_run r on r.workspace_id = s.workspace_id and r.id = s.run_id
    where s.workspace_id = ${ws()} and r.journey_id = ${journeyId} and s.send_id is not null order by s.send_id`.execute(
    db(),
  );
  for (const { send_id } of rows) expect(await deliverSend(context(), ws(), Number(send_id))).toBe('done');
}

describe('wait for an event', () => {
  it('takes yes when the event comes within the timeout (woken at once), no at the timeout', async () => {
    const clock = new SimulatedClock(jst('2027-02-01T12:00:00'));
    const [buyer, other] = await makeFriends(db(), ws(), 100, 2);
    const id = await publishJourney(current, {
      trigger: { event: 'line.friend_added' },
      reentry: 'never',
      quietHours: 'hold',
      nodes: [
        {
          id: 'bought',
          type: 'waitForEvent',
          event: 'order.recorded',
          timeout: 'P7D',
          yes: 'thanks',
          no: 'nudge',
        },
        { id: 'thanks', type: 'action', action: { type: 'addTag', tag: 'bought_in_week' }, next: 'end' },
        { id: 'nudge', type: 'action', action: { type: 'addTag', tag: 'no_purchase' }, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    await friendAdded([buyer!, other!], clock.now());
    await tick(db(), ws(), clock.now());
    expect((await runsOf(db(), ws(), id)).map((r) => [r.node_id, r.due_at])).toEqual([
      ['bought', jst('2027-02-08T12:00:00')],
      ['bought', jst('2027-02-08T12:00:00')],
    ]);
    clock.advanceBy(2 * DAY);
    const order = (status: 'completed' | 'cancelled') => ({
      type: 'order.recorded' as const,
      customerId: buyer!,
      occurredAt: clock.now(),
      payload: {
        orderId: 1,
        externalId: 'A',
        change: 'created' as const,
        status,
        totalYen: 1000,
        refundedYen: 0,
        storeId: null,
      },
    });
    // A cancelled order is not a purchase: the run is not woken.
    await publishEvents(db(), ws(), [order('cancelled')]);
    expect(await tick(db(), ws(), clock.now())).toMatchObject({ steps: 0 });
    await publishEvents(db(), ws(), [order('completed')]);
    expect(await tick(db(), ws(), clock.now())).toMatchObject({ steps: 3 });
    clock.setTo(jst('2027-02-08T11:59:59'));
    expect(await tick(db(), ws(), clock.now())).toMatchObject({ steps: 0 });
    clock.setTo(jst('2027-02-08T12:00:00'));
    expect(await tick(db(), ws(), clock.now())).toMatchObject({ steps: 3 });
    const tags = await tagsOf([buyer!, other!]);
    expect(tags.get(buyer!)).toEqual(['bought_in_week']);
    expect(tags.get(other!)).toEqual(['no_purchase']);
    const runs = await runsOf(db(), ws(), id);
    expect(await stepsOf(db(), ws(), runs[0]!.id)).toEqual(['bought:yes', 'thanks:done', 'end:done']);
    expect(await stepsOf(db(), ws(), runs[1]!.id)).toEqual(['bought:no', 'nudge:done', 'end:done']);
  });
});

describe('branches and actions', () => {
  it('branches on a segment rule, splits by a stable hash, adds points, sets an attribute, removes a tag', async () => {
    const clock = new SimulatedClock(jst('2027-03-01T10:00:00'));
    const ids = await makeFriends(db(), ws(), 200, 20);
    const vip = ids.slice(0, 5);
    await sql`update customer set tags = '{vip}' where workspace_id = ${ws()} and id = any(${vip}::bigint[])`.execute(
      db(),
    );
    const id = await publishJourney(current, {
      trigger: { event: 'line.friend_added' },
      reentry: 'never',
      quietHours: 'hold',
      nodes: [
        { id: 'isVip', type: 'branch', condition: { tag: 'vip' }, yes: 'points', no: 'split' },
        {
          id: 'points',
          type: 'action',
          action: { type: 'addPoints', points: 100, reason: 'VIP特典' },
          next: 'untag',
        },
        { id: 'untag', type: 'action', action: { type: 'removeTag', tag: 'vip' }, next: 'split' },
        { id: 'split', type: 'branch', random: { percent: 50 }, yes: 'a', no: 'b' },
        { id: 'a', type: 'action', action: { type: 'setAttribute', name: 'group', value: 'A' }, next: 'end' },
        { id: 'b', type: 'action', action: { type: 'setAttribute', name: 'group', value: 'B' }, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    await friendAdded(ids, clock.now());
    expect(await tick(db(), ws(), clock.now())).toMatchObject({ entered: 20, steps: 5 * 6 + 15 * 4 });
    const customers = await db()
      .selectFrom('customer')
      .select(['id', 'tags', 'attributes'])
      .where('workspace_id', '=', ws())
      .where('id', 'in', ids)
      .execute();
    const groups = new Map(customers.map((c) => [Number(c.id), c.attributes.group]));
    for (const cid of ids)
      expect(groups.get(cid), `customer ${cid}`).toBe(bucketOf(`journey:${id}`, cid) < 50 ? 'A' : 'B');
    expect(new Set(groups.values())).toEqual(new Set(['A', 'B']));
    expect(customers.filter((c) => c.tags.includes('vip'))).toEqual([]);
    const members = await db()
      .selectFrom('loyalty_member')
      .select(['customer_id', 'balance'])
      .where('workspace_id', '=', ws())
      .where('customer_id', 'in', ids)
      .execute();
    expect(members.map((m) => [Number(m.customer_id), m.balance]).sort((a, b) => a[0]! - b[0]!)).toEqual(
      vip.map((v) => [v, 100]),
    );
  });

  it('records a coupon the loyalty rules refuse as a skipped step, and the run goes on', async () => {
    const clock = new SimulatedClock(jst('2027-03-02T10:00:00'));
    const [cid] = await makeFriends(db(), ws(), 300, 1);
    // Active when the journey is saved (an inactive one is refused then); retired before the step.
    const { rows } = await sql<{
      id: number;
    }>`insert into coupon_template (workspace_id, name, kind, value, active)
      values (${ws()}, '終了したクーポン', 'amount_off', 300, true) returning id`.execute(db());
    const id = await publishJourney(current, {
      trigger: { event: 'line.friend_added' },
      reentry: 'never',
      quietHours: 'hold',
      nodes: [
        {
          id: 'coupon',
          type: 'action',
          action: { type: 'grantCoupon', templateId: Number(rows[0]!.id) },
          next: 'end',
        },
        { id: 'end', type: 'exit' },
      ],
    });
    await sql`update coupon_template set active = false where workspace_id = ${ws()} and id = ${rows[0]!.id}`.execute(
      db(),
    );
    await friendAdded([cid!], clock.now());
    await tick(db(), ws(), clock.now());
    const [run] = await runsOf(db(), ws(), id);
    expect(run).toMatchObject({ status: 'exited', exit_reason: 'completed' });
    expect(await stepsOf(db(), ws(), run!.id)).toEqual(['coupon:skipped', 'end:done']);
    const step = await db()
      .selectFrom('journey_step')
      .select('detail')
      .where('workspace_id', '=', ws())
      .where('run_id', '=', run!.id)
      .where('step_no', '=', 0)
      .executeTakeFirstOrThrow();
    expect(step.detail).toMatchObject({ reason: 'coupon_template_inactive' });
  });
});

describe('re-entry and one active run per key', () => {
  const journey = (reentry: unknown) => ({
    trigger: { event: 'visit.recorded' },
    reentry,
    quietHours: 'hold',
    nodes: [
      { id: 'pause', type: 'wait', duration: 'P2D', next: 'end' },
      { id: 'end', type: 'exit' },
    ],
  });
  const visit = (customerId: number, at: Date, n: number) =>
    publishEvents(db(), ws(), [
      {
        type: 'visit.recorded',
        customerId,
        occurredAt: at,
        payload: { visitId: n, externalId: `V${n}`, storeId: null },
      },
    ]);

  it('never: one run ever; after_exit: again once the run ended; afterDays: only N days after it ended', async () => {
    const clock = new SimulatedClock(jst('2027-04-01T10:00:00'));
    const [cid] = await makeFriends(db(), ws(), 400, 1);
    const never = await publishJourney(current, journey('never'));
    const afterExit = await publishJourney(current, journey('after_exit'));
    const afterDays = await publishJourney(current, journey({ afterDays: 3 }));
    const count = async (id: number) => (await runsOf(db(), ws(), id)).length;
    await visit(cid!, clock.now(), 1);
    await tick(db(), ws(), clock.now());
    // While the run is active a second visit enters nothing anywhere.
    clock.advanceBy(DAY);
    await visit(cid!, clock.now(), 2);
    await tick(db(), ws(), clock.now());
    expect([await count(never), await count(afterExit), await count(afterDays)]).toEqual([1, 1, 1]);
    // Day 2: the runs exit. Day 3: after_exit enters again; afterDays (exited 1 day ago) does not.
    clock.advanceBy(DAY);
    await tick(db(), ws(), clock.now());
    clock.advanceBy(DAY);
    await visit(cid!, clock.now(), 3);
    await tick(db(), ws(), clock.now());
    expect([await count(never), await count(afterExit), await count(afterDays)]).toEqual([1, 2, 1]);
    // Day 5: after_exit's second run exits. Day 6: 4 days after its exit, afterDays enters again;
    // never still does not.
    clock.advanceBy(2 * DAY);
    await tick(db(), ws(), clock.now());
    clock.advanceBy(DAY);
    await visit(cid!, clock.now(), 4);
    await tick(db(), ws(), clock.now());
    expect([await count(never), await count(afterExit), await count(afterDays)]).toEqual([1, 3, 2]);
  });

  it('the unique index, not the consumer alone, refuses a second active run', async () => {
    const clock = new SimulatedClock(jst('2027-04-10T10:00:00'));
    const [cid] = await makeFriends(db(), ws(), 410, 1);
    const id = await publishJourney(current, journey('after_exit'));
    await visit(cid!, clock.now(), 10);
    await tick(db(), ws(), clock.now());
    const insert = sql`insert into journey_run (workspace_id, journey_id, version, customer_id, node_id, due_at, entered_at)
      values (${ws()}, ${id}, 1, ${cid}, 'pause', ${clock.now()}, ${clock.now()})`;
    await expect(insert.execute(db())).rejects.toMatchObject({ code: '23505' });
  });

  it('keyed runs: two orders give two runs, a cancelled order ends only its own, the shop can end the other', async () => {
    const clock = new SimulatedClock(jst('2027-04-20T10:00:00'));
    const [cid] = await makeFriends(db(), ws(), 420, 1);
    const id = await publishJourney(current, {
      ...journey('never'),
      trigger: { event: 'order.recorded' },
      key: 'orderId',
      nodes: [
        { id: 'review', type: 'wait', duration: 'P5D', next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    const order = (orderId: number, status: 'completed' | 'cancelled') => ({
      type: 'order.recorded' as const,
      customerId: cid!,
      occurredAt: clock.now(),
      payload: {
        orderId,
        externalId: `O${orderId}`,
        change: 'created' as const,
        status,
        totalYen: 500,
        refundedYen: 0,
        storeId: null,
      },
    });
    await publishEvents(db(), ws(), [order(71, 'completed'), order(72, 'completed')]);
    await tick(db(), ws(), clock.now());
    // The same order recorded again (an update) does not start a second run for its key.
    await publishEvents(db(), ws(), [order(72, 'completed')]);
    await tick(db(), ws(), clock.now());
    expect((await runsOf(db(), ws(), id)).map((r) => [r.run_key, r.status])).toEqual([
      ['71', 'active'],
      ['72', 'active'],
    ]);
    clock.advanceBy(DAY);
    await publishEvents(db(), ws(), [order(71, 'cancelled')]);
    expect(await tick(db(), ws(), clock.now())).toMatchObject({ exited: 1 });
    expect((await runsOf(db(), ws(), id)).map((r) => [r.run_key, r.status, r.exit_reason])).toEqual([
      ['71', 'exited', 'cancelled'],
      ['72', 'active', null],
    ]);
    // The shop ends the other one by hand (a booking cancelled at the counter).
    const [run71, run72] = (await runsOf(db(), ws(), id)).map((r) => r.id);
    const exit = (journeyId: number, runId: number) =>
      bed.app.inject({
        method: 'POST',
        url: `/v1/journeys/${journeyId}/runs/${runId}/exit`,
        headers: current.auth,
      });
    expect((await exit(id + 1000, run72!)).statusCode).toBe(404);
    const ended = { id: run72, status: 'exited', exitReason: 'operator' };
    expect((await exit(id, run72!)).json()).toEqual(ended);
    // A repeated request finds its own exit (safe to retry); a run that ended otherwise is a conflict.
    expect((await exit(id, run72!)).json()).toEqual(ended);
    expect((await exit(id, run71!)).json().error).toMatchObject({ reason: 'run_ended' });
    expect((await runsOf(db(), ws(), id)).map((r) => r.exit_reason)).toEqual(['cancelled', 'operator']);
  });
});

describe('versions, pause and resume', () => {
  const sendJourney = (label: string) => ({
    trigger: { event: 'line.friend_added' },
    reentry: 'never',
    quietHours: 'hold',
    nodes: [
      { id: 'wait', type: 'wait', duration: 'P1D', next: 'say' },
      { id: 'say', type: 'send', messages: [text(label)], next: 'end' },
      { id: 'end', type: 'exit' },
    ],
  });

  it('a live edit is a new version for new runs; a waiting run finishes on the version it entered', async () => {
    const clock = new SimulatedClock(jst('2027-05-01T10:00:00'));
    const [early, late] = await makeFriends(db(), ws(), 500, 2);
    const id = await publishJourney(current, sendJourney('v1のご案内'));
    await friendAdded([early!], clock.now());
    await tick(db(), ws(), clock.now());
    const edited = await bed.app.inject({
      method: 'PUT',
      url: `/v1/journeys/${id}/definition`,
      headers: current.auth,
      payload: { definition: sendJourney('v2のご案内') },
    });
    expect(edited.json()).toMatchObject({ status: 'live', liveVersion: 2, latestVersion: 2 });
    await friendAdded([late!], clock.now());
    await tick(db(), ws(), clock.now());
    clock.advanceBy(DAY);
    await tick(db(), ws(), clock.now());
    await deliverJourneySends(id);
    const runs = await runsOf(db(), ws(), id);
    expect(runs.map((r) => [r.customer_id, r.version])).toEqual([
      [early, 1],
      [late, 2],
    ]);
    expect(bed.line.received(lineUserId(500)).map((m) => (m.messages[0] as { text: string }).text)).toEqual([
      'v1のご案内',
    ]);
    expect(bed.line.received(lineUserId(501)).map((m) => (m.messages[0] as { text: string }).text)).toEqual([
      'v2のご案内',
    ]);
  });

  it('pause: due steps wait and nothing enters; resume: they go on, nothing lost', async () => {
    const clock = new SimulatedClock(jst('2027-05-10T10:00:00'));
    const [first, second] = await makeFriends(db(), ws(), 510, 2);
    const id = await publishJourney(current, sendJourney('再開後のご案内'));
    await friendAdded([first!], clock.now());
    await tick(db(), ws(), clock.now());
    const post = (action: string) =>
      bed.app.inject({ method: 'POST', url: `/v1/journeys/${id}/${action}`, headers: current.auth });
    expect((await post('pause')).json().status).toBe('paused');
    expect((await post('pause')).statusCode).toBe(409);
    clock.advanceBy(3 * DAY);
    await friendAdded([second!], clock.now());
    expect(await tick(db(), ws(), clock.now())).toEqual({ entered: 0, exited: 0, steps: 0 });
    expect((await runsOf(db(), ws(), id)).map((r) => [r.customer_id, r.node_id])).toEqual([[first, 'say']]);
    expect((await post('resume')).json().status).toBe('live');
    expect(await tick(db(), ws(), clock.now())).toMatchObject({ steps: 2 });
    expect((await runsOf(db(), ws(), id)).map((r) => r.exit_reason)).toEqual(['completed']);
  });
});

describe('sends', () => {
  it('pass the journey’s quiet-hours choice and their origin to the messaging core; no LINE channel is a skipped step', async () => {
    const clock = new SimulatedClock(jst('2027-05-20T22:00:00'));
    const [cid] = await makeFriends(db(), ws(), 600, 1);
    const id = await publishJourney(current, {
      trigger: { event: 'line.friend_added' },
      reentry: 'never',
      quietHours: 'skip',
      nodes: [
        { id: 'late', type: 'send', messages: [text('夜のお知らせ')], next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    await friendAdded([cid!], clock.now());
    await tick(db(), ws(), clock.now());
    const [run] = await runsOf(db(), ws(), id);
    const step = await db()
      .selectFrom('journey_step')
      .select(['send_id', 'outcome'])
      .where('workspace_id', '=', ws())
      .where('run_id', '=', run!.id)
      .where('step_no', '=', 0)
      .executeTakeFirstOrThrow();
    const send = await getSend(db(), ws(), Number(step.send_id));
    expect(send).toMatchObject({
      quietHours: 'skip',
      kind: 'marketing',
      origin: `journey:${id}/v1/node:late`,
      total: 1,
    });

    // A workspace without a LINE channel: the step is recorded as skipped, and the run goes on.
    const bare = await newWorkspace(bed.database);
    const app = { ...bed, workspace: bare, auth: { authorization: `Bearer ${bare.apiKey}` } };
    const [lonely] = await makeFriends(db(), bare.workspaceId, 610, 1);
    const bareId = await publishJourney(app, {
      trigger: { event: 'line.friend_added' },
      reentry: 'never',
      quietHours: 'hold',
      nodes: [
        { id: 'hi', type: 'send', messages: [text('x')], next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    await publishEvents(db(), bare.workspaceId, [
      {
        type: 'line.friend_added',
        customerId: lonely!,
        payload: { channelId: 'none', lineUserId: 'U0', refollow: false },
      },
    ]);
    await tick(db(), bare.workspaceId, clock.now());
    const [bareRun] = await runsOf(db(), bare.workspaceId, bareId);
    expect(await stepsOf(db(), bare.workspaceId, bareRun!.id)).toEqual(['hi:skipped', 'end:done']);
  });
});

describe('exactly once', () => {
  it('batches run side by side and again never repeat a step; a rolled-back batch leaves nothing', async () => {
    const clock = new SimulatedClock(jst('2027-06-01T10:00:00'));
    const ids = await makeFriends(db(), ws(), 1000, 240);
    const id = await publishJourney(current, {
      trigger: { event: 'line.friend_added' },
      reentry: 'never',
      quietHours: 'hold',
      nodes: [
        { id: 'hello', type: 'send', messages: [text('ようこそ')], next: 'wait' },
        { id: 'wait', type: 'wait', duration: 'P1D', next: 'bye' },
        { id: 'bye', type: 'send', messages: [text('またのご来店を')], next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    await friendAdded(ids, clock.now());
    await eventsReadable(db(), ws());
    // Two consumers side by side (small pages, so they interleave): the cursor row serialises
    // them, and each friend-add enters once.
    const consumers = await Promise.all(
      [1, 2].map(() => consumeJourneyTriggers(db(), ws(), { now: clock.now(), pageSize: 50 })),
    );
    expect(consumers.reduce((sum, c) => sum + c.entered, 0)).toBe(240);
    expect(consumers.reduce((sum, c) => sum + c.events, 0)).toBe(240);
    class Crash extends Error {}
    await expect(
      db()
        .transaction()
        .execute(async (tx) => {
          await advanceBatch(tx, ws(), { now: clock.now() }, 100);
          throw new Crash('worker died before commit');
        }),
    ).rejects.toBeInstanceOf(Crash);
    const count = async () =>
      Number(
        (
          await sql<{ n: number }>`select count(*)::int as n from journey_step where workspace_id = ${ws()}
      and run_id in (select id from journey_run where workspace_id = ${ws()} and journey_id = ${id})`.execute(
            db(),
          )
        ).rows[0]!.n,
      );
    expect(await count()).toBe(0);
    for (const day of [0, 1]) {
      const now = new Date(clock.now().getTime() + day * DAY);
      // Three engines at once, with one, two and three batches in flight each (lanes).
      const runs = await Promise.all(
        [1, 2, 3].map((lanes) => advanceJourneys(db(), ws(), { now, batchSize: 50, lanes })),
      );
      expect(runs.reduce((sum, r) => sum + r.steps, 0)).toBe(day === 0 ? 240 * 2 : 240 * 2);
      expect((await advanceJourneys(db(), ws(), { now, batchSize: 50 })).steps).toBe(0);
    }
    expect(await count()).toBe(240 * 4);
    await deliverJourneySends(id);
    const { rows } = await sql<{
      send_id: number;
    }>`select distinct send_id from journey_step where workspace_id = ${ws()} and send_id is not null
      and run_id in (select id from journey_run where workspace_id = ${ws()} and journey_id = ${id})`.execute(
      db(),
    );
    const totals = await Promise.all(rows.map((r) => getSend(db(), ws(), Number(r.send_id))));
    expect(totals.reduce((sum, s) => sum + s.counts.sent, 0)).toBe(240 * 2);
    for (let n = 1000; n < 1240; n++)
      expect(
        bed.line.received(lineUserId(n)).map((m) => (m.messages[0] as { text: string }).text),
        `user ${n}`,
      ).toEqual(['ようこそ', 'またのご来店を']);
  });

  it('a step found already recorded fails its batch: the send made for it rolls back, nothing is sent twice', async () => {
    const clock = new SimulatedClock(jst('2027-06-01T10:00:00'));
    const ids = await makeFriends(db(), ws(), 1300, 3);
    const id = await publishJourney(current, {
      trigger: { event: 'line.friend_added' },
      reentry: 'never',
      quietHours: 'hold',
      nodes: [
        { id: 'hello', type: 'send', messages: [text('ようこそ')], next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    await friendAdded(ids, clock.now());
    await eventsReadable(db(), ws());
    expect((await consumeJourneyTriggers(db(), ws(), { now: clock.now() })).entered).toBe(3);
    // What no engine writes (a run's step N is recorded only with its move past N): step 0 of
    // one run recorded while the run still waits at it, as a bug elsewhere might leave it.
    const [run] = await runsOf(db(), ws(), id);
    await sql`insert into journey_step (workspace_id, run_id, step_no, node_id, node_type, outcome, executed_at)
      values (${ws()}, ${run!.id}, 0, 'hello', 'send', 'sent', ${clock.now()})`.execute(db());
    const sends = async () =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from message_send where workspace_id = ${ws()}`.execute(db())
      ).rows[0]!.n;
    await expect(advanceJourneys(db(), ws(), { now: clock.now() })).rejects.toThrow(/journey_step/);
    // The batch's send and its outbox rolled back with it; the runs wait where they were.
    expect(await sends()).toBe(0);
    expect((await runsOf(db(), ws(), id)).map((r) => [r.status, r.node_id])).toEqual([
      ['active', 'hello'],
      ['active', 'hello'],
      ['active', 'hello'],
    ]);
  });
});

describe('claiming and step rows', () => {
  const tagThenExit = {
    trigger: { event: 'line.friend_added' },
    reentry: 'never',
    quietHours: 'hold',
    nodes: [
      { id: 'tag', type: 'action', action: { type: 'addTag', tag: 'seen' }, next: 'end' },
      { id: 'end', type: 'exit' },
    ],
  };

  it('each batch claims after the one before; a run due behind that point is still advanced in the pass', async () => {
    const clock = new SimulatedClock(jst('2027-07-01T10:00:00'));
    const ids = await makeFriends(db(), ws(), 3000, 30);
    const id = await publishJourney(current, tagThenExit);
    await friendAdded(ids, clock.now());
    await eventsReadable(db(), ws());
    expect((await consumeJourneyTriggers(db(), ws(), { now: clock.now() })).entered).toBe(30);
    // The oldest run is not due yet; after the first batch it becomes due before every run
    // claimed so far, as a run another worker claimed and then released (rolled back) would be.
    const [behind] = await runsOf(db(), ws(), id);
    const setDue = (at: Date) =>
      sql`update journey_run set due_at = ${at} where workspace_id = ${ws()} and id = ${behind!.id}`.execute(
        db(),
      );
    await setDue(new Date(clock.now().getTime() + DAY));
    const batches: number[] = [];
    const result = await advanceJourneys(db(), ws(), {
      now: clock.now(),
      batchSize: 10,
      onBatch: async (batch) => {
        batches.push(batch.runs);
        if (batches.length === 1) await setDue(new Date(clock.now().getTime() - 60_000));
      },
    });
    // 10 + 10 + 9 after each other, then the claim from the start finds the one behind.
    expect(batches).toEqual([10, 10, 9, 1]);
    expect(result).toMatchObject({ runs: 30, steps: 60 });
    expect((await runsOf(db(), ws(), id)).filter((r) => r.status !== 'exited')).toEqual([]);
    expect(await stepsOf(db(), ws(), behind!.id)).toEqual(['tag:done', 'end:done']);
  });

  it('deleting runs deletes their steps, also through a customer erased (the cascade of migration 0039)', async () => {
    const clock = new SimulatedClock(jst('2027-07-01T10:00:00'));
    const ids = await makeFriends(db(), ws(), 4000, 3);
    const id = await publishJourney(current, tagThenExit);
    await friendAdded(ids, clock.now());
    await tick(db(), ws(), clock.now());
    const [first, second, third] = await runsOf(db(), ws(), id);
    for (const run of [first, second, third]) expect(await stepsOf(db(), ws(), run!.id)).toHaveLength(2);
    await sql`delete from journey_run where workspace_id = ${ws()} and id = ${first!.id}`.execute(db());
    await sql`delete from customer where workspace_id = ${ws()} and id = ${second!.customer_id}`.execute(
      db(),
    );
    expect(await stepsOf(db(), ws(), first!.id)).toEqual([]);
    expect(await stepsOf(db(), ws(), second!.id)).toEqual([]);
    expect(await stepsOf(db(), ws(), third!.id)).toEqual(['tag:done', 'end:done']);
  });
});
