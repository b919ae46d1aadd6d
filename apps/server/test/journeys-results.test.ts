// Journey holdouts and results on a simulated clock with the LINE sandbox: the holdout enters,
// is recorded as skipped (holdout) at every send and coupon, is never messaged, and stays in its
// group when it re-enters on a new version; the results are the hand-counted figures of a
// constructed dataset (orders inside and outside the attribution window, a click through /r/).
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inHoldout } from '../src/campaigns/experiment-buckets.ts';
import { journeyResults } from '../src/journeys/journey-results.ts';
import { createCouponTemplate } from '../src/loyalty/coupons.ts';
import { SimulatedClock } from '../src/shared/clock.ts';
import { addOrder } from './campaigns-fixture.ts';
import { lineUserId, newWorkspace } from './helpers.ts';
import { JOURNEY_TEST_TIMEOUT, jst, publishEvents, publishJourney, text, tick } from './journeys-helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

vi.setConfig({ testTimeout: JOURNEY_TEST_TIMEOUT });

let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed();
});
afterAll(async () => bed?.close());

const DAY = 86_400_000;
const SHOP = 'https://shop.example.jp/spring';
/** A text as sent: the shop's URL became the customer's redirect through the test app's public URL. */
const redirected = (t: string) =>
  t.replace(/http:\/\/localhost:3000\/r\/[A-Za-z0-9_-]{38}\.[A-Za-z0-9_-]{22}/, '<redirect>');

/** A workspace of its own with the sandbox's LINE channel, as the API sets it up. */
async function ownWorkspace() {
  const workspace = await newWorkspace(bed.database);
  const app = { ...bed, workspace, auth: { authorization: `Bearer ${workspace.apiKey}` } };
  const channel = await bed.app.inject({
    method: 'PUT',
    url: '/v1/line/channels/1650002901',
    headers: app.auth,
    payload: {
      name: '効果測定の店',
      channelSecret: bed.line.channelSecret,
      accessToken: 'test-access-token-0001',
      apiBaseUrl: bed.line.url,
    },
  });
  expect(channel.statusCode, channel.body).toBe(200);
  return app;
}

type App = Awaited<ReturnType<typeof ownWorkspace>>;

const welcome = (couponId: number, greeting: string) => ({
  trigger: { event: 'line.friend_added' },
  reentry: 'after_exit',
  quietHours: 'hold',
  holdoutPercent: 30,
  nodes: [
    { id: 'coupon', type: 'action', action: { type: 'grantCoupon', templateId: couponId }, next: 'greeting' },
    { id: 'greeting', type: 'send', messages: [text(`${greeting} ${SHOP}`)], next: 'end' },
    { id: 'end', type: 'exit' },
  ],
});

/** Friend-adds of `ids` (LINE users `first`…), each a run entering at the next tick. */
async function friendAdds(app: App, ids: number[], first: number, refollow: boolean): Promise<void> {
  await publishEvents(
    bed.database.db,
    app.workspace.workspaceId,
    ids.map((customerId, i) => ({
      type: 'line.friend_added' as const,
      customerId,
      payload: { channelId: '1650002901', lineUserId: lineUserId(first + i), refollow },
    })),
  );
}

/** (node, outcome, reason) of each step of the journey's runs, per customer. */
async function stepsByCustomer(app: App, journeyId: number): Promise<Map<number, string[]>> {
  const { rows } = await sql<{ customer_id: number; step: string }>`
    select r.customer_id, s.node_id || ':' || s.outcome || coalesce(':' || (s.detail->>'reason'), '') as step
    from journey_step s join journey_run r on r.workspace_id = s.workspace_id and r.id = s.run_id
    where s.workspace_id = ${app.workspace.workspaceId} and r.journey_id = ${journeyId}
    order by r.customer_id, r.entered_at, s.step_no`.execute(bed.database.db);
  const out = new Map<number, string[]>();
  for (const r of rows) out.set(Number(r.customer_id), [...(out.get(Number(r.customer_id)) ?? []), r.step]);
  return out;
}

const texts = (n: number) =>
  bed.line.received(lineUserId(n)).map((m) => (m.messages[0] as { text: string }).text);

interface Entered {
  app: App;
  journeyId: number;
  ids: number[];
  treated: number[];
  held: number[];
  t0: Date;
  clock: SimulatedClock;
}

/** 40 friends enter a 30% holdout welcome journey at t0, and again a day later on version 2. */
async function enterTwice(first: number): Promise<Entered> {
  const app = await ownWorkspace();
  const ws = app.workspace.workspaceId;
  const db = bed.database.db;
  const clock = new SimulatedClock(jst('2027-03-01T10:00:00'));
  const coupon = await createCouponTemplate(db, ws, {
    name: '初回500円引き',
    kind: 'amount_off',
    value: 500,
  });
  const journeyId = await publishJourney(app, welcome(coupon.id, 'ようこそ'));
  const ids = await makeFriends(db, ws, first, 40);
  const held = ids.filter((id) => inHoldout(`${ws}/journey:${journeyId}`, id, 30));
  const treated = ids.filter((id) => !held.includes(id));
  // Both groups non-trivial. The split hashes a random workspace id, so a 30% holdout of 40 is
  // sometimes over half (CI on 2026-12-08 drew 21 held, 19 treated, and this once demanded more
  // treated than held): the figures below are computed from whatever the split is.
  expect(held.length).toBeGreaterThan(1);
  expect(treated.length).toBeGreaterThan(1);
  const t0 = clock.now();
  await friendAdds(app, ids, first, false);
  expect(await tick(db, ws, t0, bed.jobs, bed.secrets)).toMatchObject({ entered: 40 });
  // Version 2 changes the copy; the holdout is the journey's, not the version's.
  const edit = await bed.app.inject({
    method: 'PUT',
    url: `/v1/journeys/${journeyId}/definition`,
    headers: app.auth,
    payload: { definition: welcome(coupon.id, 'おかえりなさい') },
  });
  expect(edit.statusCode, edit.body).toBe(200);
  clock.setTo(new Date(t0.getTime() + DAY));
  await friendAdds(app, ids, first, true);
  expect(await tick(db, ws, clock.now(), bed.jobs, bed.secrets)).toMatchObject({ entered: 40 });
  return { app, journeyId, ids, treated, held, t0, clock };
}

describe('journey holdout (効果測定用の除外グループ)', () => {
  it('enters the holdout, records its sends and coupon as skipped (holdout), never messages it, and keeps it held out on re-entry', async () => {
    const first = 6000;
    const { app, journeyId, ids, treated, held } = await enterTwice(first);
    const ws = app.workspace.workspaceId;
    const n = (id: number) => first + ids.indexOf(id);
    await until(() => treated.every((id) => texts(n(id)).length === 2), 'two messages for the treated', {
      timeoutMs: 60_000,
    });
    for (const id of treated)
      expect(texts(n(id)).map(redirected)).toEqual(['ようこそ <redirect>', 'おかえりなさい <redirect>']);
    for (const id of held) expect(texts(n(id))).toEqual([]);
    const steps = await stepsByCustomer(app, journeyId);
    for (const id of held)
      expect(steps.get(id)).toEqual([
        ...['coupon:skipped:holdout', 'greeting:skipped:holdout', 'end:done'],
        ...['coupon:skipped:holdout', 'greeting:skipped:holdout', 'end:done'],
      ]);
    for (const id of treated)
      expect(steps.get(id)).toEqual([
        'coupon:done',
        'greeting:sent',
        'end:done',
        'coupon:done',
        'greeting:sent',
        'end:done',
      ]);
    const coupons = await sql<{ customer_id: number; n: number }>`
      select customer_id, count(*)::int as n from coupon where workspace_id = ${ws} group by 1 order by 1`.execute(
      bed.database.db,
    );
    expect(coupons.rows.map((r) => [Number(r.customer_id), r.n])).toEqual(treated.map((id) => [id, 2]));
    // The preview of a held-out customer says so before anything is sent.
    const preview = await bed.app.inject({
      url: `/v1/journeys/${journeyId}/preview?customerId=${held[0]}&days=1`,
      headers: app.auth,
    });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json().steps[1].decision).toEqual({ status: 'skipped', reason: 'holdout' });
  });
});

describe('journey results (効果測定)', () => {
  it('counts entries, steps, deliveries, a click through /r/, conversions in the 7-day window and the lift, exactly', async () => {
    const first = 6100;
    const { app, journeyId, ids, treated, held, t0, clock } = await enterTwice(first);
    const ws = app.workspace.workspaceId;
    const db = bed.database.db;
    const [T, H] = [treated.length, held.length];
    const at = (ms: number) => new Date(t0.getTime() + ms).toISOString();
    await addOrder(db, ws, treated[0]!, at(2 * DAY), ['X'], { amount: 3000 }); // in both runs' windows: once
    await addOrder(db, ws, treated[0]!, at(2 * DAY + 3_600_000), ['X'], { amount: 2000 }); // same customer
    await addOrder(db, ws, treated[1]!, at(10 * DAY), ['X'], { amount: 5000 }); // after both windows
    await addOrder(db, ws, treated[2]!, at(-3_600_000), ['X'], { amount: 7000 }); // before entry
    await addOrder(db, ws, treated[3]!, at(3 * DAY), ['X'], { amount: 4000, status: 'cancelled' });
    await addOrder(db, ws, treated[4]!, at(7.5 * DAY), ['X'], { amount: 6000 }); // only the re-entry's window
    await addOrder(db, ws, held[0]!, at(3 * DAY), ['X'], { amount: 1000 }); // the holdout buys too
    // The first treated customer follows the greeting's link (version 1's copy): one click, twice.
    await until(() => texts(first + ids.indexOf(treated[0]!)).length === 2, 'the greetings', {
      timeoutMs: 60_000,
    });
    const link = new URL(/http\S+/.exec(texts(first + ids.indexOf(treated[0]!))[0]!)![0]);
    for (let i = 0; i < 2; i++) {
      const redirect = await bed.app.inject({ url: link.pathname });
      expect(redirect.statusCode).toBe(302);
      expect(redirect.headers.location).toBe(SHOP);
    }
    const origins = await sql<{ origin: string }>`select distinct l.origin from link_click k
      join tracked_link l on l.workspace_id = k.workspace_id and l.id = k.link_id where k.workspace_id = ${ws}`.execute(
      db,
    );
    expect(origins.rows.map((o) => o.origin)).toEqual([`journey:${journeyId}/v1/node:greeting`]);
    const plan = await bed.app.inject({
      method: 'PUT',
      url: '/v1/campaigns/line-plan',
      headers: app.auth,
      payload: { plan: 'custom', monthlyFeeYen: 15000, freeMessages: 30000, yenPerAdditionalMessage: 2.5 },
    });
    expect(plan.statusCode, plan.body).toBe(200);
    await until(
      async () => (await journeyResults(db, ws, journeyId)).steps[0]?.delivered === 2 * T,
      'the treated’s messages delivered',
      { timeoutMs: 60_000 },
    );
    clock.advanceBy(DAY);
    const response = await bed.app.inject({ url: `/v1/journeys/${journeyId}/results`, headers: app.auth });
    expect(response.statusCode, response.body).toBe(200);
    const r = response.json();
    expect(r).toMatchObject({
      journeyId,
      holdoutPercent: 30,
      attributionDays: 7,
      entered: { runs: 80, customers: ids.length },
      clicked: 1,
      billedMessages: 2 * T,
      costYen: Math.round(2.5 * 2 * T),
    });
    expect(r.steps).toEqual([
      {
        nodeId: 'greeting',
        channel: 'line',
        reached: 80,
        sent: 2 * T,
        delivered: 2 * T,
        failed: 0,
        queued: 0,
        skipped: { holdout: 2 * H },
        clicked: 1,
        opened: null,
        billedMessages: 2 * T,
        costYen: Math.round(2.5 * 2 * T),
      },
    ]);
    const [treatedGroup, holdout] = r.groups;
    expect(treatedGroup).toMatchObject({
      group: 'treated',
      runs: 2 * T,
      customers: T,
      converted: 2,
      revenue: 11000,
    });
    expect(holdout).toMatchObject({
      group: 'holdout',
      runs: 2 * H,
      customers: H,
      converted: 1,
      revenue: 1000,
      lift: null,
    });
    expect(treatedGroup.conversionRate).toBeCloseTo(2 / T, 12);
    expect(treatedGroup.lift.conversionRate.estimate).toBeCloseTo(2 / T - 1 / H, 12);
    expect(treatedGroup.lift.revenuePerCustomer.estimate).toBeCloseTo(11000 / T - 1000 / H, 9);
    expect(treatedGroup.lift.conversionRate.lower).toBeLessThan(treatedGroup.lift.conversionRate.estimate);
    expect(r.revenueLiftPerYen).toBeCloseTo(((11000 / T - 1000 / H) * T) / (2.5 * 2 * T), 12);

    // A 3-day window keeps only the first treated customer's two orders and the holdout's one.
    const narrow = await journeyResults(db, ws, journeyId, { attributionDays: 3 });
    expect(narrow.groups.map((g) => [g.group, g.converted, g.revenue])).toEqual([
      ['treated', 1, 5000],
      ['holdout', 1, 1000],
    ]);
    const bad = await bed.app.inject({
      url: `/v1/journeys/${journeyId}/results?attributionDays=0`,
      headers: app.auth,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('attributionDays');
    // Another workspace sees no such journey.
    const other = await ownWorkspace();
    const hidden = await bed.app.inject({ url: `/v1/journeys/${journeyId}/results`, headers: other.auth });
    expect(hidden.statusCode).toBe(404);
  });
});
