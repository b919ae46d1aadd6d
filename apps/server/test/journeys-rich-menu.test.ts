// A journey started by a rich menu tap (リッチメニューのタップで開始): the LINE sandbox sends signed
// postback webhooks, the worker records each as a `line.postback` domain event with its `action=`,
// and a journey whose trigger names that action enters the friend and sends its message, as the
// sandbox received it. Another action starts nothing; a redelivered webhook enters nobody twice.
// A tap can switch the friend's rich menu: the journey adds a tag, and the menu that follows the
// tag's segment is linked on LINE (customers.changed → segments → rich menu sync). Also the
// preview of a "message clicked" branch (the engine's side is the golden replay).
import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateJourneyDefinition } from '../src/journeys/validate-definition.ts';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { SEGMENT_JOBS } from '../src/segments/segment-jobs.ts';
import { createSegment } from '../src/segments/segment-store.ts';
import { SimulatedClock } from '../src/shared/clock.ts';
import { DomainError } from '../src/shared/domain-error.ts';
import {
  JOURNEY_TEST_TIMEOUT,
  jst,
  publishJourney,
  runsOf,
  stepsOf,
  text,
  tick,
} from './journeys-helpers.ts';
import { createLineTestBed, type LineTestBed, png } from './line-setup.ts';

vi.setConfig({ testTimeout: JOURNEY_TEST_TIMEOUT });

let bed: LineTestBed;
beforeAll(async () => {
  // The segment jobs too: the rich menu follows the tag segment a journey's action changes.
  bed = await createLineTestBed({}, [...LINE_JOBS, ...SEGMENT_JOBS]);
});
afterAll(async () => bed?.close());

const couponMenu = {
  trigger: { event: 'line.postback', action: 'coupon' },
  reentry: 'after_exit',
  quietHours: 'hold',
  nodes: [
    { id: 'coupon', type: 'send', messages: [text('今月のクーポンはこちらです')], next: 'end' },
    { id: 'end', type: 'exit' },
  ],
};

/** The workspace's domain events of `type` for the LINE user. */
async function eventsOf(type: string, userId: string) {
  return bed.database.db
    .selectFrom('domain_event')
    .select(['payload'])
    .where('workspace_id', '=', bed.workspace.workspaceId)
    .where('type', '=', type)
    .where(
      ({ ref, val, fn }) => fn('jsonb_extract_path_text', [ref('payload'), val('lineUserId')]),
      '=',
      userId,
    )
    .orderBy('seq')
    .execute();
}

describe('rich menu postback trigger', () => {
  it('enters a friend who taps the area whose postback data has action=coupon, once per tap', async () => {
    const ws = bed.workspace.workspaceId;
    const db = bed.database.db;
    const user = bed.line.users.create({ displayName: '山田 花子' });
    await bed.line.follow(user.userId);
    await until(async () => (await eventsOf('line.friend_added', user.userId)).length === 1, 'friend-add', {
      timeoutMs: 30_000,
    });
    const journeyId = await publishJourney(bed, couponMenu, 'リッチメニュー：クーポン');

    const other = bed.line.events.postback(user.userId, 'action=reserve');
    const tap = bed.line.events.postback(user.userId, 'action=coupon&area=B');
    await bed.line.sendWebhook([other, tap]);
    await bed.line.redeliver([tap.webhookEventId]);
    await bed.line.webhooksIdle();
    await until(async () => (await eventsOf('line.postback', user.userId)).length === 2, 'two postbacks', {
      timeoutMs: 30_000,
    });
    expect((await eventsOf('line.postback', user.userId)).map((e) => e.payload)).toEqual(
      expect.arrayContaining([
        { channelId: bed.channelId, lineUserId: user.userId, data: 'action=reserve', action: 'reserve' },
        { channelId: bed.channelId, lineUserId: user.userId, data: 'action=coupon&area=B', action: 'coupon' },
      ]),
    );

    const clock = new SimulatedClock(jst('2027-06-01T12:00:00'));
    expect(await tick(db, ws, clock.now(), bed.jobs)).toMatchObject({ entered: 1, steps: 2 });
    await until(() => bed.line.received(user.userId).length === 1, 'the coupon message', {
      timeoutMs: 30_000,
    });
    expect(bed.line.received(user.userId)[0]!.messages).toEqual([text('今月のクーポンはこちらです')]);
    const [run] = await runsOf(db, ws, journeyId);
    expect(await stepsOf(db, ws, run!.id)).toEqual(['coupon:sent', 'end:done']);

    // A second tap after the run ended enters again (re-entry after exit).
    await bed.line.postback(user.userId, 'action=coupon');
    await until(async () => (await eventsOf('line.postback', user.userId)).length === 3, 'third postback', {
      timeoutMs: 30_000,
    });
    clock.advanceBy(60_000);
    expect(await tick(db, ws, clock.now(), bed.jobs)).toMatchObject({ entered: 1 });
    await until(() => bed.line.received(user.userId).length === 2, 'the second coupon message', {
      timeoutMs: 30_000,
    });
  });

  it('switches the menu of a friend who taps: the journey tags them, the tag segment and its rich menu follow', async () => {
    const ws = bed.workspace.workspaceId;
    const db = bed.database.db;
    const user = bed.line.users.create({ displayName: '鈴木 三郎' });
    await bed.line.follow(user.userId);
    await until(async () => (await eventsOf('line.friend_added', user.userId)).length === 1, 'friend-add', {
      timeoutMs: 30_000,
    });
    const created = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/channels/${bed.channelId}/rich-menus`,
      headers: bed.auth,
      payload: {
        size: { width: 2500, height: 843 },
        selected: false,
        name: '会員メニュー',
        chatBarText: '会員メニュー',
        areas: [],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const menu = created.json() as { id: number; richMenuId: string };
    const image = await bed.app.inject({
      method: 'PUT',
      url: `/v1/line/rich-menus/${menu.id}/image`,
      headers: { ...bed.auth, 'content-type': 'image/png' },
      payload: png(2500, 843),
    });
    expect(image.statusCode, image.body).toBe(200);
    const segment = await createSegment(db, ws, {
      name: '会員メニュー希望',
      definition: { tag: 'member-menu' },
    });
    const linked = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/rich-menus/${menu.id}/links`,
      headers: bed.auth,
      payload: { segmentId: segment.id },
    });
    expect(linked.statusCode, linked.body).toBe(200);
    await publishJourney(bed, {
      trigger: { event: 'line.postback', action: 'member-menu' },
      reentry: 'never',
      quietHours: 'hold',
      nodes: [
        { id: 'tag', type: 'action', action: { type: 'addTag', tag: 'member-menu' }, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    expect(bed.line.richMenuOf(user.userId)).not.toBe(menu.richMenuId);

    await bed.line.postback(user.userId, 'action=member-menu');
    await until(async () => (await eventsOf('line.postback', user.userId)).length === 1, 'the tap', {
      timeoutMs: 30_000,
    });
    const clock = new SimulatedClock(jst('2027-06-03T12:00:00'));
    expect(await tick(db, ws, clock.now(), bed.jobs)).toMatchObject({ entered: 1, steps: 2 });
    await until(
      () => bed.line.richMenuOf(user.userId) === menu.richMenuId,
      'the member menu linked on LINE',
      {
        timeoutMs: 60_000,
      },
    );
  });

  it('previews a message clicked branch as not clicked: no at the end of its window', async () => {
    const user = bed.line.users.create({ displayName: '佐藤 次郎' });
    await bed.line.follow(user.userId);
    await until(async () => (await eventsOf('line.friend_added', user.userId)).length === 1, 'friend-add', {
      timeoutMs: 30_000,
    });
    const customer = await bed.database.db
      .selectFrom('customer_identity')
      .select('customer_id')
      .where('workspace_id', '=', bed.workspace.workspaceId)
      .where('value', '=', user.userId)
      .executeTakeFirstOrThrow();
    const journeyId = await publishJourney(bed, {
      ...couponMenu,
      nodes: [
        { id: 'menu', type: 'send', messages: [text('メニュー https://shop.example.jp/menu')], next: 'did' },
        { id: 'did', type: 'branch', clicked: { nodeId: 'menu', within: 'PT48H' }, yes: 'end', no: 'nudge' },
        { id: 'nudge', type: 'send', messages: [text('まだご覧になっていませんか？')], next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    const preview = await bed.app.inject({
      url: `/v1/journeys/${journeyId}/preview?customerId=${customer.customer_id}&days=5`,
      headers: bed.auth,
    });
    expect(preview.statusCode, preview.body).toBe(200);
    const steps = preview.json().steps as { at: string; nodeId: string; path?: string }[];
    expect(steps.map((s) => [s.nodeId, s.path ?? null])).toEqual([
      ['menu', null],
      ['did', 'no'],
      ['nudge', null],
      ['end', null],
    ]);
    expect(Date.parse(steps[2]!.at) - Date.parse(steps[0]!.at)).toBe(48 * 3_600_000);
  });

  it('names the postback action that is missing or not an action= value', () => {
    const problems = (trigger: unknown) => {
      try {
        validateJourneyDefinition({ ...couponMenu, trigger });
        return [];
      } catch (error) {
        if (error instanceof DomainError) return error.problems.map((p) => `${p.path}: ${p.message}`);
        throw error;
      }
    };
    expect(problems({ event: 'line.postback' })).toEqual([
      'trigger.action: must be a string of 1 to 100 characters',
    ]);
    expect(problems({ event: 'line.postback', action: 'coupon&area=B' })).toEqual([
      'trigger.action: must be the value of "action=" in the postback data (no "&", "=" or spaces)',
    ]);
    expect(problems({ event: 'line.postback', action: 'coupon' })).toEqual([]);
  });
});
