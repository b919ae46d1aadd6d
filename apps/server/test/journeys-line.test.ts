// The friend-add welcome journey end to end, on a simulated clock: a signed follow webhook
// enters the run, the engine grants the coupon and sends the greeting, waits to day 3 at 10:00
// JST for the tips and to day 7 for the reminder, and a purchase in between ends the run (goal).
// The messages are asserted as the LINE sandbox received them.
import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCouponTemplate } from '../src/loyalty/coupons.ts';
import { SimulatedClock } from '../src/shared/clock.ts';
import { jst, publishJourney, runsOf, stepsOf, text, tick } from './journeys-helpers.ts';
import { createLineTestBed, type LineTestBed } from './line-setup.ts';

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
