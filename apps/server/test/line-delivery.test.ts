import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../src/customers/consent.ts';
import { upsertCustomer } from '../src/customers/upsert-customer.ts';
import { lineUserId } from './helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed();
});
afterAll(async () => {
  await bed?.close();
});

async function createSend(payload: Record<string, unknown>) {
  const response = await bed.app.inject({
    method: 'POST',
    url: '/v1/line/sends',
    headers: bed.auth,
    payload: { channelId: bed.channelId, ...payload },
  });
  expect(response.statusCode).toBe(202);
  return response.json() as { id: number; total: number };
}

async function sendStatus(id: number) {
  const response = await bed.app.inject({ url: `/v1/line/sends/${id}`, headers: bed.auth });
  return response.json() as {
    status: string;
    pausedReason: string | null;
    counts: { queued: number; sent: number; failed: number; skipped: number };
  };
}

describe('LINE delivery engine (Kizuna → sandbox over HTTP)', () => {
  it('multicasts shared content in chunks of 500, pushes personalised content, tags the aggregation unit', async () => {
    const ws = bed.workspace.workspaceId;
    const ids = await makeFriends(bed.database.db, ws, 1, 1203);
    const send = await createSend({
      idempotencyKey: 'spring-sale',
      origin: 'campaign:1',
      aggregationUnit: 'spring_sale_2026',
      messages: [{ type: 'text', text: '春のセール開催中！' }],
      customerIds: ids.slice(0, 1200),
      personalized: ids
        .slice(1200)
        .map((id, i) => ({ customerId: id, messages: [{ type: 'text', text: `お誕生日おめでとう ${i}` }] })),
    });
    expect(send.total).toBe(1203);
    await until(async () => (await sendStatus(send.id)).status === 'done', 'send done', {
      timeoutMs: 30_000,
    });
    const status = await sendStatus(send.id);
    expect(status.counts).toEqual({ queued: 0, sent: 1203, failed: 0, skipped: 0 });
    const stats = bed.line.stats();
    expect(stats.requests['POST /v2/bot/message/multicast']).toBe(3);
    expect(stats.requests['POST /v2/bot/message/push']).toBe(3);
    expect(stats.duplicateRecipients).toBe(0);
    const [first] = bed.line.received(lineUserId(1));
    expect(first).toMatchObject({ via: 'multicast', customAggregationUnit: 'spring_sale_2026' });
    expect(bed.line.received(lineUserId(1203))[0]).toMatchObject({
      via: 'push',
      messages: [{ text: 'お誕生日おめでとう 2' }],
    });

    // The same idempotency key returns the same send and sends nothing more.
    const again = await createSend({
      idempotencyKey: 'spring-sale',
      messages: [{ type: 'text', text: 'x' }],
      customerIds: ids,
    });
    expect(again.id).toBe(send.id);
  });

  it('skips customers who blocked the account or have no LINE identity, and records why', async () => {
    const ws = bed.workspace.workspaceId;
    const ids = await makeFriends(bed.database.db, ws, 5001, 3);
    await bed.database.db.transaction().execute((tx) =>
      recordConsent(tx, ws, ids[1]!, {
        channel: 'line',
        purpose: 'marketing',
        status: 'blocked',
        source: 'line_unfollow',
      }),
    );
    const { id: noLineId } = await bed.database.db
      .transaction()
      .execute((tx) => upsertCustomer(tx, ws, { email: 'no-line@example.jp' }));
    const send = await createSend({
      idempotencyKey: 'skip-test',
      messages: [{ type: 'text', text: 'hi' }],
      customerIds: [...ids, noLineId],
    });
    await until(async () => (await sendStatus(send.id)).status === 'done', 'send done', {
      timeoutMs: 30_000,
    });
    expect((await sendStatus(send.id)).counts).toEqual({ queued: 0, sent: 2, failed: 0, skipped: 2 });
    expect(bed.line.receivedCount(lineUserId(5002))).toBe(0);
    const messages = await bed.app.inject({ url: `/v1/line/sends/${send.id}/messages`, headers: bed.auth });
    expect(
      messages.json().items.map((m: { status: string; reason: string | null }) => [m.status, m.reason]),
    ).toEqual([
      ['sent', null],
      ['skipped', 'blocked'],
      ['sent', null],
      ['skipped', 'no_line_identity'],
    ]);
  });

  it("records a message LINE refuses (4xx) as failed with LINE's reason, without retrying it", async () => {
    const ids = await makeFriends(bed.database.db, bed.workspace.workspaceId, 6001, 2);
    const before = bed.line.stats().requests['POST /v2/bot/message/multicast'] ?? 0;
    const send = await createSend({
      idempotencyKey: 'bad-sticker',
      messages: [{ type: 'sticker' }],
      customerIds: ids,
    });
    await until(async () => (await sendStatus(send.id)).status === 'done', 'send done', {
      timeoutMs: 30_000,
    });
    expect((await sendStatus(send.id)).counts).toMatchObject({ sent: 0, failed: 2 });
    expect(bed.line.stats().requests['POST /v2/bot/message/multicast']).toBe(before + 1);
    const messages = await bed.app.inject({ url: `/v1/line/sends/${send.id}/messages`, headers: bed.auth });
    const [item] = messages.json().items;
    expect(item.status).toBe('failed');
    expect(item.reason).toMatch(/^400 /);
  });

  it('pauses on the monthly quota, says so in the API, and resumes without dropping or repeating anyone', async () => {
    bed.line.configure({ monthlyQuota: bed.line.stats().quota.totalUsage + 1000 });
    const ids = await makeFriends(bed.database.db, bed.workspace.workspaceId, 7001, 1500);
    const send = await createSend({
      idempotencyKey: 'quota-test',
      messages: [{ type: 'text', text: 'クーポン' }],
      customerIds: ids,
    });
    const paused = await until(
      async () => {
        const s = await sendStatus(send.id);
        return s.status === 'paused' ? s : undefined;
      },
      'send paused',
      { timeoutMs: 30_000 },
    );
    expect(paused.pausedReason).toBe('monthly_quota_exhausted');
    expect(paused.counts.sent).toBe(1000);
    expect(paused.counts.queued).toBe(500);
    bed.line.configure({ monthlyQuota: null });
    const resumed = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/sends/${send.id}/resume`,
      headers: bed.auth,
    });
    expect(resumed.statusCode).toBe(200);
    await until(async () => (await sendStatus(send.id)).status === 'done', 'send done', {
      timeoutMs: 30_000,
    });
    expect((await sendStatus(send.id)).counts).toEqual({ queued: 0, sent: 1500, failed: 0, skipped: 0 });
    for (const n of [7001, 8000, 8500]) expect(bed.line.receivedCount(lineUserId(n))).toBe(1);
    expect(bed.line.stats().duplicateRecipients).toBe(0);
  });

  it('retries 5xx with the same retry key: a request that took effect before the error is not sent twice', async () => {
    const ids = await makeFriends(bed.database.db, bed.workspace.workspaceId, 10_001, 2000);
    bed.line.faults.set({
      seed: 7,
      errorRate: 0.5,
      afterEffectShare: 1,
      paths: ['/v2/bot/message/multicast'],
    });
    const send = await createSend({
      idempotencyKey: 'faulty',
      messages: [{ type: 'text', text: '再送テスト' }],
      customerIds: ids,
    });
    await until(async () => (await sendStatus(send.id)).status === 'done', 'send done', {
      timeoutMs: 30_000,
    });
    bed.line.faults.reset();
    expect((await sendStatus(send.id)).counts).toEqual({ queued: 0, sent: 2000, failed: 0, skipped: 0 });
    expect(bed.line.stats().duplicateRecipients).toBe(0);
    const { rows } = await sql<{ attempts: number }>`
      select attempts from message_request where workspace_id = ${bed.workspace.workspaceId} and send_id = ${send.id}`.execute(
      bed.database.db,
    );
    expect(rows.some((r) => r.attempts > 1)).toBe(true);
  });
});
