// The friend-add welcome journey end to end, on a simulated clock: a signed follow webhook
// enters the run, the engine grants the coupon and sends the greeting, waits to day 3 at 10:00
// JST for the tips and to day 7 for the reminder, and a purchase in between ends the run (goal).
// The messages are asserted as the LINE sandbox received them.
import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCouponTemplate } from '../src/loyalty/coupons.ts';
import { SimulatedClock } from '../src/shared/clock.ts';
import { lineUserId, newWorkspace } from './helpers.ts';
import {
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
  bed = await createLineTestBed();
});
afterAll(async () => bed?.close());

/** Sends a signed follow at `at` and waits until the worker has recorded the friend-add. */
async function follow(userId: string, at: Date): Promise<void> {
  const event = { ...bed.line.events.follow(userId, false), timestamp: at.getTime() };
  const [attempt] = await bed.line.sendWebhook([event as never]);
  expect(attempt!.status).toBe(200);
  await until(
    () =>
      bed.database.db
        .selectFrom('domain_event')
        .select('seq')
        .where('workspace_id', '=', bed.workspace.workspaceId)
        .where('type', '=', 'line.friend_added')
        .where(
          ({ ref, val, fn }) => fn('jsonb_extract_path_text', [ref('payload'), val('lineUserId')]),
          '=',
          userId,
        )
        .executeTakeFirst(),
    `friend-add of ${userId} recorded`,
    { timeoutMs: 30_000 },
  );
}

const texts = (userId: string) =>
  bed.line.received(userId).map((m) => (m.messages[0] as { text: string }).text);

describe('friend-add welcome (友だち追加ウェルカム)', () => {
  it('greets with a coupon at once, tips on day 3 at 10:00 JST, a reminder on day 7 only to those who did not buy', async () => {
    const ws = bed.workspace.workspaceId;
    const db = bed.database.db;
    const clock = new SimulatedClock(jst('2026-11-02T09:00:00'));
    const coupon = await createCouponTemplate(db, ws, {
      name: '初回500円引き',
      kind: 'amount_off',
      value: 500,
    });
    const journeyId = await publishJourney(bed, {
      trigger: { event: 'line.friend_added' },
      reentry: 'never',
      quietHours: 'hold',
      goal: { event: 'order.recorded', withinDays: 7 },
      nodes: [
        {
          id: 'coupon',
          type: 'action',
          action: { type: 'grantCoupon', templateId: coupon.id },
          next: 'greeting',
        },
        { id: 'greeting', type: 'send', messages: [text('友だち追加ありがとうございます')], next: 'day3' },
        { id: 'day3', type: 'wait', until: { dayOffset: 3, at: '10:00' }, next: 'tips' },
        { id: 'tips', type: 'send', messages: [text('おすすめの楽しみ方')], next: 'day7' },
        { id: 'day7', type: 'wait', until: { dayOffset: 4, at: '10:00' }, next: 'reminder' },
        { id: 'reminder', type: 'send', messages: [text('クーポンの期限が近づいています')], next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    const buyer = bed.line.users.create({ displayName: '佐藤 花子', friend: true });
    const browser = bed.line.users.create({ displayName: '鈴木 一郎', friend: true });
    await follow(buyer.userId, clock.now());
    await follow(browser.userId, clock.now());

    expect(await tick(db, ws, clock.now(), bed.jobs)).toMatchObject({ entered: 2 });
    let runs = await runsOf(db, ws, journeyId);
    expect(runs.map((r) => [r.node_id, r.due_at?.toISOString()])).toEqual([
      ['tips', jst('2026-11-05T10:00:00').toISOString()],
      ['tips', jst('2026-11-05T10:00:00').toISOString()],
    ]);
    await until(() => texts(browser.userId).length === 1 && texts(buyer.userId).length === 1, 'greetings', {
      timeoutMs: 30_000,
    });
    const coupons = await db
      .selectFrom('coupon')
      .select('customer_id')
      .where('workspace_id', '=', ws)
      .where('template_id', '=', coupon.id)
      .execute();
    expect(coupons.map((c) => Number(c.customer_id)).sort()).toEqual(runs.map((r) => r.customer_id).sort());

    // The buyer orders on day 2: the goal ends their run before the tips.
    clock.setTo(jst('2026-11-04T18:30:00'));
    const order = await bed.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: bed.auth,
      payload: {
        orders: [
          {
            id: 'W-1',
            customer: { lineUserId: buyer.userId },
            orderedAt: clock.now().toISOString(),
            total: 2400,
          },
        ],
      },
    });
    expect(order.statusCode, order.body).toBe(200);
    expect(await tick(db, ws, clock.now(), bed.jobs)).toMatchObject({ exited: 1, steps: 0 });

    // 09:59 on day 3: nothing is due yet; 10:00: the tips.
    clock.setTo(jst('2026-11-05T09:59:00'));
    expect((await tick(db, ws, clock.now(), bed.jobs)).steps).toBe(0);
    clock.setTo(jst('2026-11-05T10:00:00'));
    expect((await tick(db, ws, clock.now(), bed.jobs)).steps).toBe(2); // tips, then the wait to day 7
    // Four days pass before the reminder: the tips' delivery (its own job) is done by then. Without
    // this wait the two sends' jobs could deliver in either order on a loaded machine.
    await until(() => texts(browser.userId).length === 2, 'the tips delivered', { timeoutMs: 30_000 });
    clock.setTo(jst('2026-11-09T10:00:00'));
    expect((await tick(db, ws, clock.now(), bed.jobs)).steps).toBe(2); // reminder, exit

    await until(() => texts(browser.userId).length === 3, 'the browser’s three messages', {
      timeoutMs: 30_000,
    });
    expect(texts(browser.userId)).toEqual([
      '友だち追加ありがとうございます',
      'おすすめの楽しみ方',
      'クーポンの期限が近づいています',
    ]);
    expect(texts(buyer.userId)).toEqual(['友だち追加ありがとうございます']);
    runs = await runsOf(db, ws, journeyId);
    const byCustomer = new Map(runs.map((r) => [r.customer_id, r]));
    const buyerRun = runs.find((r) => r.exit_reason === 'goal')!;
    const browserRun = runs.find((r) => r.exit_reason === 'completed')!;
    expect(byCustomer.size).toBe(2);
    expect(await stepsOf(db, ws, buyerRun.id)).toEqual(['coupon:done', 'greeting:sent', 'day3:done']);
    expect(await stepsOf(db, ws, browserRun.id)).toEqual([
      'coupon:done',
      'greeting:sent',
      'day3:done',
      'tips:sent',
      'day7:done',
      'reminder:sent',
      'end:done',
    ]);
    // Only the browser had more than one message: one request each, no copies.
    expect(bed.line.stats().duplicateRecipients).toBe(1);
  });
});

describe('a 30-day, five-send journey (golden instants)', () => {
  it('sends each message at its exact JST instant and the sandbox receives the five in order', async () => {
    const workspace = await newWorkspace(bed.database);
    const app = { ...bed, workspace, auth: { authorization: `Bearer ${workspace.apiKey}` } };
    const ws = workspace.workspaceId;
    const db = bed.database.db;
    const channel = await bed.app.inject({
      method: 'PUT',
      url: '/v1/line/channels/1650002001',
      headers: app.auth,
      payload: {
        name: '30日の店',
        channelSecret: bed.line.channelSecret,
        accessToken: 'test-access-token-0001',
        apiBaseUrl: bed.line.url,
      },
    });
    expect(channel.statusCode, channel.body).toBe(200);
    const [cid] = await makeFriends(db, ws, 3000, 1);
    const say = (id: string, next: string) => ({ id, type: 'send', messages: [text(id)], next });
    const id = await publishJourney(app, {
      trigger: { event: 'line.friend_added' },
      reentry: 'never',
      quietHours: 'hold',
      nodes: [
        say('welcome', 'nextMorning'),
        { id: 'nextMorning', type: 'wait', until: { dayOffset: 1, at: '10:00' }, next: 'day1' },
        say('day1', 'saturday'),
        { id: 'saturday', type: 'wait', weekday: { day: 'sat', at: '11:00' }, next: 'weekend' },
        say('weekend', 'week'),
        { id: 'week', type: 'wait', duration: 'P7D', next: 'week2' },
        say('week2', 'evening'),
        { id: 'evening', type: 'wait', until: { dayOffset: 18, at: '19:30' }, next: 'month' },
        say('month', 'end'),
        { id: 'end', type: 'exit' },
      ],
    });
    // Monday 2027-01-04 15:20 JST; the engine is run at each instant a run becomes due.
    const clock = new SimulatedClock(jst('2027-01-04T15:20:00'));
    await publishEvents(db, ws, [
      {
        type: 'line.friend_added',
        customerId: cid!,
        payload: { channelId: '1650002001', lineUserId: lineUserId(3000), refollow: false },
      },
    ]);
    await tick(db, ws, clock.now(), bed.jobs);
    // Timed from here: the wait for the friend-add to be readable is the database's, not the engine's.
    const started = performance.now();
    // Simulated time jumps days in milliseconds; in real time each message is delivered long before
    // the next is due. So the clock moves on only once the last message has reached LINE: the sends
    // are separate jobs, and several queued within milliseconds may be delivered in any order.
    const received = () => bed.line.received(lineUserId(3000)).length;
    let expected = 1;
    await until(() => received() === expected, 'the welcome message', { timeoutMs: 30_000 });
    for (;;) {
      const [run] = await runsOf(db, ws, id);
      if (run!.status !== 'active') break;
      clock.setTo(run!.due_at!);
      await tick(db, ws, clock.now(), bed.jobs);
      expected += 1;
      await until(() => received() === expected, `message ${expected}`, { timeoutMs: 30_000 });
    }
    const sent = await db
      .selectFrom('journey_step')
      .innerJoin('journey_run', (j) =>
        j
          .onRef('journey_run.workspace_id', '=', 'journey_step.workspace_id')
          .onRef('journey_run.id', '=', 'journey_step.run_id'),
      )
      .select(['journey_step.node_id', 'journey_step.executed_at'])
      .where('journey_step.workspace_id', '=', ws)
      .where('journey_step.outcome', '=', 'sent')
      .orderBy('journey_step.step_no')
      .execute();
    expect(sent.map((s) => [s.node_id, s.executed_at.toISOString()])).toEqual([
      ['welcome', jst('2027-01-04T15:20:00').toISOString()],
      ['day1', jst('2027-01-05T10:00:00').toISOString()],
      ['weekend', jst('2027-01-09T11:00:00').toISOString()],
      ['week2', jst('2027-01-16T11:00:00').toISOString()],
      ['month', jst('2027-02-03T19:30:00').toISOString()],
    ]);
    await until(() => bed.line.received(lineUserId(3000)).length === 5, 'five messages', {
      timeoutMs: 30_000,
    });
    expect(bed.line.received(lineUserId(3000)).map((m) => (m.messages[0] as { text: string }).text)).toEqual([
      'welcome',
      'day1',
      'weekend',
      'week2',
      'month',
    ]);
    // 30 simulated days in seconds of wall time (generous for a loaded shared machine).
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
