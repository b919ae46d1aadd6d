// Quiet hours through the LINE send route and the job system (wall clock, as a worker runs): a
// marketing send is held with its resumeAt and its delivery job queued again for that instant;
// a transactional send created at the same moment goes out.
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND_JOB } from '../src/line/line-adapter.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed();
});
afterAll(async () => {
  await bed?.close();
});

/** The JST wall-clock time `minutes` from now, 'HH:MM'. */
function jstClock(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000 + 9 * 3_600_000).toISOString().slice(11, 16);
}

async function send(payload: Record<string, unknown>) {
  const response = await bed.app.inject({
    method: 'POST',
    url: '/v1/line/sends',
    headers: bed.auth,
    payload: { channelId: bed.channelId, messages: [{ type: 'text', text: 'お知らせ' }], ...payload },
  });
  expect(response.statusCode).toBe(202);
  return response.json() as { id: number; kind: string };
}

const status = async (id: number) =>
  (await bed.app.inject({ url: `/v1/line/sends/${id}`, headers: bed.auth })).json() as {
    status: string;
    pausedReason: string | null;
    resumeAt: string | null;
    counts: { sent: number };
  };

describe('quiet hours in the LINE delivery job', () => {
  it('holds a marketing send until resumeAt with its job queued for then; a transactional one goes out', async () => {
    const ws = bed.workspace.workspaceId;
    const ids = await makeFriends(bed.database.db, ws, 7001, 3);
    const policy = await bed.app.inject({
      method: 'PUT',
      url: '/v1/messaging/policy',
      headers: bed.auth,
      payload: {
        frequencyCaps: { line: null, email: null },
        quietHours: { start: jstClock(-60), end: jstClock(60) },
      },
    });
    expect(policy.statusCode).toBe(200);
    const started = Date.now();
    const marketing = await send({ idempotencyKey: 'quiet-promo', customerIds: ids });
    await until(async () => (await status(marketing.id)).pausedReason === 'quiet_hours', 'send held', {
      timeoutMs: 30_000,
    });
    const held = await status(marketing.id);
    expect(held.status).toBe('paused');
    expect(held.counts.sent).toBe(0);
    const resumeAt = new Date(held.resumeAt!).getTime();
    // The window's end, on the minute: between 59 and 61 minutes from when the test began.
    expect(resumeAt).toBeGreaterThan(started + 58 * 60_000);
    expect(resumeAt).toBeLessThanOrEqual(started + 61 * 60_000);
    const schema = bed.database.bossOptions.schema ?? 'pgboss';
    await until(
      async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from ${sql.table(`${schema}.job`)}
          where name = ${SEND_JOB} and state = 'created' and (data->>'sendId')::bigint = ${marketing.id}
            and start_after = ${held.resumeAt}::timestamptz`.execute(bed.database.db);
        return rows[0]!.n === 1;
      },
      'delivery job queued for resumeAt',
      { timeoutMs: 10_000 },
    );
    expect(bed.line.received(`U${(7001).toString(16).padStart(32, '0')}`)).toHaveLength(0);

    const transactional = await send({
      idempotencyKey: 'quiet-booking',
      customerIds: ids,
      kind: 'transactional',
    });
    expect(transactional.kind).toBe('transactional');
    await until(async () => (await status(transactional.id)).status === 'done', 'transactional send done', {
      timeoutMs: 30_000,
    });
    expect((await status(transactional.id)).counts.sent).toBe(3);
  });
});
