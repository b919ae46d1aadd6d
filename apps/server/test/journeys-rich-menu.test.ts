// A journey started by a rich menu tap (リッチメニューのタップで開始): the LINE sandbox sends signed
// postback webhooks, the worker records each as a `line.postback` domain event with its `action=`,
// and a journey whose trigger names that action enters the friend and sends its message, as the
// sandbox received it. Another action starts nothing; a redelivered webhook enters nobody twice.
// Also the preview of a "message clicked" branch (the engine's side is the golden replay).
import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateJourneyDefinition } from '../src/journeys/validate-definition.ts';
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
import { createLineTestBed, type LineTestBed } from './line-setup.ts';

vi.setConfig({ testTimeout: JOURNEY_TEST_TIMEOUT });

let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed();
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
