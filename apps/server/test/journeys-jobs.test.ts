// The journey jobs in the job system (wall clock): the every-minute tick reads the friend-add,
// enters the run and sends through the messaging core with the delivery job enqueued in the
// engine's transaction, so the LINE sandbox receives the greeting with no other help.
import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JOURNEY_JOBS, JOURNEY_TICK_JOB } from '../src/journeys/journey-jobs.ts';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { lineUserId } from './helpers.ts';
import {
  eventsReadable,
  JOURNEY_TEST_TIMEOUT,
  publishEvents,
  publishJourney,
  runsOf,
  text,
} from './journeys-helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

vi.setConfig({ testTimeout: JOURNEY_TEST_TIMEOUT });

let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed({}, [...LINE_JOBS, ...JOURNEY_JOBS]);
});
afterAll(async () => bed?.close());

describe('journeys-tick', () => {
  it('enters, advances and delivers through the job system', async () => {
    const ws = bed.workspace.workspaceId;
    const db = bed.database.db;
    const [cid] = await makeFriends(db, ws, 9100, 1);
    const id = await publishJourney(bed, {
      trigger: { event: 'line.friend_added' },
      reentry: 'never',
      quietHours: 'hold',
      nodes: [
        { id: 'hello', type: 'send', messages: [text('ジョブからこんにちは')], next: 'later' },
        { id: 'later', type: 'wait', duration: 'P1D', next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    });
    await publishEvents(db, ws, [
      {
        type: 'line.friend_added',
        customerId: cid!,
        payload: { channelId: bed.channelId, lineUserId: lineUserId(9100), refollow: false },
      },
    ]);
    await eventsReadable(db, ws);
    await bed.jobs!.send(JOURNEY_TICK_JOB, {});
    await until(() => bed.line.received(lineUserId(9100)).length === 1, 'greeting delivered', {
      timeoutMs: 60_000,
    });
    expect((bed.line.received(lineUserId(9100))[0]!.messages[0] as { text: string }).text).toBe(
      'ジョブからこんにちは',
    );
    expect((await runsOf(db, ws, id)).map((r) => [r.node_id, r.status])).toEqual([['end', 'active']]);
  });
});
