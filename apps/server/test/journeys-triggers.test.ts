// Journey triggers: each event trigger (with its filter) read from the domain event stream, and
// the date triggers evaluated for a JST day: birthday N days before, registration anniversary,
// N days since the last order or visit, and visit cycle due (own median interval, or the shop's
// for customers with fewer than 3 visits).
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { enterDateTriggers } from '../src/journeys/date-triggers.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';
import {
  JOURNEY_TEST_TIMEOUT,
  jst,
  publishEvents,
  publishJourney,
  runsOf,
  tick,
} from './journeys-helpers.ts';

vi.setConfig({ testTimeout: JOURNEY_TEST_TIMEOUT });

let base: TestApp;
let t: TestApp;
beforeAll(async () => {
  base = await createTestApp();
});
afterAll(async () => base?.close());
beforeEach(async () => {
  const workspace = await newWorkspace(base.database);
  t = { ...base, workspace, auth: { authorization: `Bearer ${workspace.apiKey}` } };
});

const ws = () => t.workspace.workspaceId;
const db = () => base.database.db;
const journey = (trigger: object, extra: object = {}) => ({
  trigger,
  reentry: 'after_exit',
  quietHours: 'hold',
  nodes: [{ id: 'end', type: 'exit' }],
  ...extra,
});

async function customers(payload: object[]): Promise<number[]> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/customers',
    headers: t.auth,
    payload: { customers: payload },
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().accepted as { id: number }[]).map((a) => a.id);
}

const entered = async (journeyId: number) =>
  (await runsOf(db(), ws(), journeyId)).map((r) => [r.customer_id, r.run_key]);

describe('event triggers', () => {
  it('friend-add (first time or re-follow), segment entry and exit of one segment, visits and a loyalty event', async () => {
    const now = jst('2027-07-01T12:00:00');
    const [a, b] = await customers([{ email: 'a@example.jp' }, { email: 'b@example.jp' }]);
    const anyFollow = await publishJourney(t, journey({ event: 'line.friend_added' }));
    const refollowOnly = await publishJourney(t, journey({ event: 'line.friend_added', refollow: true }));
    const entry = await publishJourney(t, journey({ event: 'segment.entered', segmentId: 7 }));
    const exit = await publishJourney(t, journey({ event: 'segment.exited', segmentId: 7 }));
    const visit = await publishJourney(t, journey({ event: 'visit.recorded' }));
    const tier = await publishJourney(t, journey({ event: 'loyalty.tier_changed' }));
    const follow = (customerId: number, refollow: boolean) => ({
      type: 'line.friend_added' as const,
      customerId,
      payload: { channelId: '1', lineUserId: `U${customerId}`, refollow },
    });
    await publishEvents(db(), ws(), [
      follow(a!, false),
      follow(b!, true),
      { type: 'segment.entered', customerId: a!, payload: { segmentId: 7 } },
      { type: 'segment.entered', customerId: b!, payload: { segmentId: 8 } },
      { type: 'segment.exited', customerId: b!, payload: { segmentId: 7, enteredAt: now.toISOString() } },
      {
        type: 'loyalty.tier_changed',
        customerId: b!,
        payload: {
          tierChangeId: 1,
          from: 'regular',
          to: 'gold',
          direction: 'up',
          basis: 'spend',
          value: 50000,
        },
      },
    ]);
    const visits = await t.app.inject({
      method: 'POST',
      url: '/v1/visits',
      headers: t.auth,
      payload: { visits: [{ id: 'V-1', customer: { email: 'a@example.jp' }, visitedAt: now.toISOString() }] },
    });
    expect(visits.statusCode, visits.body).toBe(200);
    await tick(db(), ws(), now);
    expect(await entered(anyFollow)).toEqual([
      [a, ''],
      [b, ''],
    ]);
    expect(await entered(refollowOnly)).toEqual([[b, '']]);
    expect(await entered(entry)).toEqual([[a, '']]);
    expect(await entered(exit)).toEqual([[b, '']]);
    expect(await entered(visit)).toEqual([[a, '']]);
    expect(await entered(tier)).toEqual([[b, '']]);
  });

  it('order.recorded enters on a completed order only, keyed by the order id when asked', async () => {
    const now = jst('2027-07-02T12:00:00');
    const [a] = await customers([{ email: 'buyer@example.jp' }]);
    const keyed = await publishJourney(
      t,
      journey({ event: 'order.recorded' }, { key: 'externalId', reentry: 'never' }),
    );
    const orders = await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: t.auth,
      payload: {
        orders: [
          { id: 'K-1', customer: { email: 'buyer@example.jp' }, orderedAt: now.toISOString(), total: 1200 },
          {
            id: 'K-2',
            customer: { email: 'buyer@example.jp' },
            orderedAt: now.toISOString(),
            total: 800,
            status: 'cancelled',
          },
          { id: 'K-3', customer: { email: 'buyer@example.jp' }, orderedAt: now.toISOString(), total: 300 },
        ],
      },
    });
    expect(orders.statusCode, orders.body).toBe(200);
    await tick(db(), ws(), now);
    expect(await entered(keyed)).toEqual([
      [a, 'K-1'],
      [a, 'K-3'],
    ]);
  });

  it('a journey published after events does not react to them', async () => {
    const [a] = await customers([{ email: 'early@example.jp' }]);
    await publishEvents(db(), ws(), [{ type: 'segment.entered', customerId: a!, payload: { segmentId: 3 } }]);
    const id = await publishJourney(t, journey({ event: 'segment.entered', segmentId: 3 }));
    await tick(db(), ws(), jst('2027-07-03T12:00:00'));
    expect(await entered(id)).toEqual([]);
  });
});

describe('date triggers (JST days)', () => {
  it('birthday N days before: one run per year, however often the day is evaluated', async () => {
    const [soon, later, none] = await customers([
      { email: 's@example.jp', birthday: '1990-07-10' },
      { email: 'l@example.jp', birthday: '1985-07-11' },
      { email: 'n@example.jp' },
    ]);
    const id = await publishJourney(t, journey({ date: 'birthday', daysBefore: 7 }));
    // 2027-07-03 00:10 JST is still 2 July in UTC: the day is JST's.
    expect(await enterDateTriggers(db(), ws(), jst('2027-07-03T00:10:00'))).toBe(1);
    expect(await enterDateTriggers(db(), ws(), jst('2027-07-03T15:00:00'))).toBe(0);
    await tick(db(), ws(), jst('2027-07-03T15:00:00'));
    // Its run has ended (after_exit would allow another), but this year's birthday had its run.
    expect(await enterDateTriggers(db(), ws(), jst('2027-07-03T16:00:00'))).toBe(0);
    expect(await enterDateTriggers(db(), ws(), jst('2027-07-04T00:10:00'))).toBe(1);
    const runs = await entered(id);
    expect(runs).toEqual([
      [soon, '2027'],
      [later, '2027'],
    ]);
    expect(runs.some(([c]) => c === none)).toBe(false);
  });

  it('29 February birthdays fall on 28 February in other years; a New Year window takes next year’s date', async () => {
    const [leap, newYear] = await customers([
      { email: 'leap@example.jp', birthday: '2000-02-29' },
      { email: 'ny@example.jp', birthday: '1999-01-02' },
    ]);
    const id = await publishJourney(t, journey({ date: 'birthday', daysBefore: 0 }, { reentry: 'never' }));
    await enterDateTriggers(db(), ws(), jst('2027-02-28T09:00:00'));
    const ahead = await publishJourney(t, journey({ date: 'birthday', daysBefore: 5 }, { reentry: 'never' }));
    await enterDateTriggers(db(), ws(), jst('2027-12-28T09:00:00'));
    expect(await entered(id)).toEqual([[leap, '2027']]);
    expect(await entered(ahead)).toEqual([[newYear, '2028']]);
  });

  it('registration anniversary, from the second year on', async () => {
    const [old, fresh] = await customers([
      { email: 'o@example.jp', registeredAt: '2025-08-01T23:30:00+09:00' },
      { email: 'f@example.jp', registeredAt: '2027-08-01T09:00:00+09:00' },
    ]);
    const id = await publishJourney(t, journey({ date: 'anniversary' }, { reentry: 'never' }));
    await enterDateTriggers(db(), ws(), jst('2027-08-01T10:00:00'));
    expect(await entered(id)).toEqual([[old, '2027']]);
    expect(fresh).toBeGreaterThan(0);
  });

  it('N days since the last completed order, keyed by that order’s day', async () => {
    const [lapsed, recent] = await customers([{ email: 'lap@example.jp' }, { email: 'rec@example.jp' }]);
    const order = (id: string, email: string, at: string, status?: string) => ({
      id,
      customer: { email },
      orderedAt: `${at}T20:00:00+09:00`,
      total: 1000,
      ...(status ? { status } : {}),
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: t.auth,
      payload: {
        orders: [
          order('L-1', 'lap@example.jp', '2027-01-01'),
          order('L-2', 'lap@example.jp', '2027-01-10', 'cancelled'),
          order('R-1', 'rec@example.jp', '2027-06-01'),
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const id = await publishJourney(t, journey({ date: 'days_since_last', of: 'orders', days: 180 }));
    // 2027-01-01 + 180 days = 2027-06-30 (the cancelled order does not count).
    await enterDateTriggers(db(), ws(), jst('2027-06-29T09:00:00'));
    expect(await entered(id)).toEqual([]);
    await enterDateTriggers(db(), ws(), jst('2027-06-30T09:00:00'));
    expect(await entered(id)).toEqual([[lapsed, '2027-01-01']]);
    expect(recent).toBeGreaterThan(0);
  });

  it('visit cycle due: the customer’s own median interval, the shop’s median below 3 visits', async () => {
    const [regular, newcomer] = await customers([{ email: 'reg@example.jp' }, { email: 'new@example.jp' }]);
    const visit = (id: string, email: string, day: string) => ({
      id,
      customer: { email },
      visitedAt: `${day}T11:00:00+09:00`,
    });
    // The regular: intervals 20, 30, 30 days → median 30; due 30 days after 2027-03-12.
    // The newcomer: one interval of 14 days. The shop's median of all intervals (20, 30, 30, 14) is 25.
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/visits',
      headers: t.auth,
      payload: {
        visits: [
          visit('R1', 'reg@example.jp', '2026-12-22'),
          visit('R2', 'reg@example.jp', '2027-01-11'),
          visit('R3', 'reg@example.jp', '2027-02-10'),
          visit('R4', 'reg@example.jp', '2027-03-12'),
          visit('N1', 'new@example.jp', '2027-03-01'),
          visit('N2', 'new@example.jp', '2027-03-15'),
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const id = await publishJourney(t, journey({ date: 'visit_cycle', of: 'visits' }, { reentry: 'never' }));
    const on = async (day: string) => {
      await enterDateTriggers(db(), ws(), jst(`${day}T00:10:00`));
      return entered(id);
    };
    expect(await on('2027-04-08')).toEqual([]);
    expect(await on('2027-04-09')).toEqual([[newcomer, '2027-03-15']]); // 15 March + 25 days
    expect(await on('2027-04-11')).toEqual([
      [newcomer, '2027-03-15'],
      [regular, '2027-03-12'],
    ]); // 12 March + 30 days
  });
});
