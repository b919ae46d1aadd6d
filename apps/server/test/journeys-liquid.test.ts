// Personalised journey messages: Liquid in a send node is checked when the version is saved (the
// error names the node's field and the Liquid line and column), and each customer receives their
// own copy, as the LINE sandbox recorded it.
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../src/shared/clock.ts';
import { lineUserId } from './helpers.ts';
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

const greeting = (body: string) => ({
  trigger: { event: 'line.friend_added' },
  reentry: 'never',
  quietHours: 'hold',
  nodes: [
    { id: 'hello', type: 'send', messages: [text(body)], next: 'end' },
    { id: 'end', type: 'exit' },
  ],
});

describe('Liquid in journey messages', () => {
  it('refuses a template that does not render, naming the node field and the Liquid position', async () => {
    const response = await bed.app.inject({
      method: 'POST',
      url: '/v1/journeys',
      headers: bed.auth,
      payload: { name: '誤字', definition: greeting('{{ customer.givn_name }}様、ようこそ') },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(
      /^nodes\[0\]\.messages\[0\]\.text: Liquid line 1, column \d+: .*customer\.givn_name/,
    );
    const bad = await bed.app.inject({
      method: 'POST',
      url: '/v1/journeys',
      headers: bed.auth,
      payload: { name: '閉じ忘れ', definition: greeting('{% if customer.points > 0 %}ポイント') },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^nodes\[0\]\.messages\[0\]\.text: Liquid line 1/);
  });

  it('sends each friend their own copy with their name and points', async () => {
    const ws = bed.workspace.workspaceId;
    const db = bed.database.db;
    const clock = new SimulatedClock(jst('2027-03-01T12:00:00'));
    const [sato, noName] = await makeFriends(db, ws, 8801, 2);
    await sql`update customer set family_name = '佐藤' where workspace_id = ${ws} and id = ${sato!}`.execute(
      db,
    );
    const journeyId = await publishJourney(
      bed,
      greeting(
        '{% if customer.family_name %}{{ customer.family_name }}様、{% endif %}ようこそ！保有ポイントは{{ customer.points }}ptです。',
      ),
    );
    await publishEvents(db, ws, [
      {
        type: 'line.friend_added',
        customerId: sato!,
        payload: { channelId: bed.channelId, lineUserId: lineUserId(8801), refollow: false },
      },
      {
        type: 'line.friend_added',
        customerId: noName!,
        payload: { channelId: bed.channelId, lineUserId: lineUserId(8802), refollow: false },
      },
    ]);
    expect(await tick(db, ws, clock.now(), bed.jobs)).toMatchObject({ entered: 2 });
    const texts = (n: number) =>
      bed.line.received(lineUserId(n)).map((m) => (m.messages[0] as { text: string }).text);
    await until(() => texts(8801).length === 1 && texts(8802).length === 1, 'both greetings', {
      timeoutMs: 30_000,
    });
    expect(texts(8801)).toEqual(['佐藤様、ようこそ！保有ポイントは0ptです。']);
    expect(texts(8802)).toEqual(['ようこそ！保有ポイントは0ptです。']);
    const runs = await runsOf(db, ws, journeyId);
    for (const run of runs) expect(await stepsOf(db, ws, run.id)).toEqual(['hello:sent', 'end:done']);
  });
});
