// Issue #19 item 4: a webhook event whose handling throws no longer blocks its channel. The
// failure is recorded on the event, retried with a growing pause, then set aside with its reason
// for an operator (who can list and retry it), and the channel's other events go on.

import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { processPendingEvents } from '../src/line/process-events.ts';
import { newWorkspace } from './helpers.ts';
import { createLineTestBed, type LineTestBed } from './line-setup.ts';

const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });

let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed({}, LINE_JOBS, { logger });
});
afterAll(async () => {
  await bed?.close();
});

async function eventRow(id: string) {
  return bed.database.db
    .selectFrom('line_webhook_event')
    .select(['processed_at', 'set_aside_at', 'retry_at', 'attempts', 'last_error', 'outcome'])
    .where('workspace_id', '=', bed.workspace.workspaceId)
    .where('webhook_event_id', '=', id)
    .executeTakeFirstOrThrow();
}

async function recordedTexts(texts: string[]): Promise<string[]> {
  const { rows } = await sql<{ text: string }>`select properties->>'text' as text from event
    where workspace_id = ${bed.workspace.workspaceId} and type = 'custom:line.message'
      and properties->>'text' = any(${texts}::text[]) order by text`.execute(bed.database.db);
  return rows.map((r) => r.text);
}

async function setAsideList() {
  const response = await bed.app.inject({ url: '/v1/line/webhook-events/set-aside', headers: bed.auth });
  expect(response.statusCode).toBe(200);
  return response.json() as {
    total: number;
    items: { webhookEventId: string; reason: string; attempts: number; type: string }[];
  };
}

function logsOf(webhookEventId: string) {
  return logLines.filter((l) => l.webhookEventId === webhookEventId);
}

describe('a poisoned webhook event does not block its channel', () => {
  it('the event that throws is set aside with its reason and the next twelve are processed', async () => {
    const users = Array.from({ length: 12 }, () => bed.line.users.create({}));
    const twelve = users.map((u, i) => bed.line.events.text(u.userId, `本物のメッセージ${i}`));
    // Oldest of the delivery, so it is handled first; its userId makes the customer upsert throw.
    const poison = {
      ...bed.line.events.text(users[0]!.userId, '毒入り'),
      timestamp: twelve[0]!.timestamp - 1000,
      source: { type: 'user', userId: 'U-not-a-line-user' },
    };
    const [attempt] = await bed.line.sendWebhook([poison as never, ...twelve]);
    expect(attempt!.status).toBe(200);

    const texts = twelve.map((_, i) => `本物のメッセージ${i}`);
    await until(async () => (await recordedTexts(texts)).length === 12, 'twelve messages recorded', {
      timeoutMs: 30_000,
    });
    const row = await until(async () => {
      const r = await eventRow(poison.webhookEventId);
      return r.set_aside_at ? r : undefined;
    }, 'the poison event to be set aside');
    // Our own validation refuses it: it can never succeed, so it is set aside at once.
    expect(row).toMatchObject({ processed_at: null, retry_at: null, attempts: 1, outcome: null });
    expect(row.last_error).toMatch(/lineUserId: not a LINE userId/);

    const list = await setAsideList();
    expect(list.items.find((i) => i.webhookEventId === poison.webhookEventId)).toMatchObject({
      type: 'message',
      attempts: 1,
      reason: expect.stringMatching(/not a LINE userId/),
    });
    // Logged with the event id and the error, without the event's personal data.
    const [logged] = logsOf(poison.webhookEventId);
    expect(logged).toMatchObject({ msg: expect.stringMatching(/set aside/), attempts: 1 });
    expect((logged!.error as { message: string }).message).toMatch(/not a LINE userId/);
    const everything = JSON.stringify(logLines);
    for (const secret of ['毒入り', '本物のメッセージ', 'U-not-a-line-user', users[0]!.userId])
      expect(everything).not.toContain(secret);
  });

  it('a failure that may pass is retried after 1, 5, 30 and 120 minutes, then set aside; an operator puts it back', async () => {
    const db = bed.database.db;
    const ws = bed.workspace.workspaceId;
    // A real failure in the database: a trigger refuses this one event's insert.
    await sql`create function kizuna_test_outage() returns trigger language plpgsql as $$
      begin
        if new.properties->>'text' = '障害テスト' then raise exception 'simulated outage'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger kizuna_test_outage before insert on event
      for each row execute function kizuna_test_outage()`.execute(db);
    const user = bed.line.users.create({});
    const failing = bed.line.events.text(user.userId, '障害テスト');
    const after = {
      ...bed.line.events.text(user.userId, '後続のメッセージ'),
      timestamp: failing.timestamp + 1,
    };
    const sentAt = Date.now();
    await bed.line.sendWebhook([failing, after]);
    await until(async () => (await recordedTexts(['後続のメッセージ'])).length === 1, 'later event', {
      timeoutMs: 30_000,
    });
    let row = await until(async () => {
      const r = await eventRow(failing.webhookEventId);
      return r.attempts === 1 ? r : undefined;
    }, 'the failing event to have one attempt');
    expect(row).toMatchObject({ processed_at: null, set_aside_at: null });
    expect(row.last_error).toMatch(/P0001: simulated outage$/);
    expect(row.retry_at!.getTime()).toBeGreaterThanOrEqual(sentAt + 60_000);
    expect(row.retry_at!.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);

    // Time passes (the worker's clock, injected): each due retry fails again and waits longer.
    const context = { database: bed.database, secrets: bed.secrets, logger, lineHosts: bed.lineHosts };
    let now = row.retry_at!;
    const early = await processPendingEvents(context, ws, bed.channelId, {
      now: () => new Date(now.getTime() - 1),
    });
    expect(early).toEqual({ processed: 0, failed: 0, setAside: 0 });
    for (const [attempts, delay] of [
      [2, 300_000],
      [3, 1_800_000],
      [4, 7_200_000],
    ] as const) {
      const at = now;
      expect(await processPendingEvents(context, ws, bed.channelId, { now: () => at })).toEqual({
        processed: 0,
        failed: 1,
        setAside: 0,
      });
      row = await eventRow(failing.webhookEventId);
      expect(row.attempts).toBe(attempts);
      expect(row.retry_at).toEqual(new Date(at.getTime() + delay));
      now = row.retry_at!;
    }
    const last = now;
    expect(await processPendingEvents(context, ws, bed.channelId, { now: () => last })).toEqual({
      processed: 0,
      failed: 0,
      setAside: 1,
    });
    row = await eventRow(failing.webhookEventId);
    expect(row).toMatchObject({ attempts: 5, retry_at: null, set_aside_at: last, processed_at: null });
    expect(
      (await setAsideList()).items.find((i) => i.webhookEventId === failing.webhookEventId),
    ).toMatchObject({
      attempts: 5,
      reason: expect.stringMatching(/simulated outage/),
    });
    const logged = logsOf(failing.webhookEventId);
    expect(logged.map((l) => [l.level, l.attempts])).toEqual([
      [40, 1],
      [40, 2],
      [40, 3],
      [40, 4],
      [50, 5],
    ]);
    expect(JSON.stringify(logged)).not.toContain('障害テスト');
    expect(JSON.stringify(logged)).not.toContain(user.userId);

    // The operator fixes the cause and puts the event back: it is processed at once.
    await sql`drop trigger kizuna_test_outage on event`.execute(db);
    const retried = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/webhook-events/${failing.webhookEventId}/retry`,
      headers: bed.auth,
    });
    expect(retried.statusCode).toBe(202);
    expect(retried.json()).toEqual({
      webhookEventId: failing.webhookEventId,
      channelId: bed.channelId,
      queued: true,
    });
    await until(async () => (await recordedTexts(['障害テスト'])).length === 1, 'retried event', {
      timeoutMs: 30_000,
    });
    expect(await eventRow(failing.webhookEventId)).toMatchObject({ set_aside_at: null, outcome: 'recorded' });
    expect((await setAsideList()).items.map((i) => i.webhookEventId)).not.toContain(failing.webhookEventId);
  });

  it('retry answers 409 for an event that is not set aside, 404 for an unknown one or another workspace', async () => {
    const retry = (id: string, authorization = bed.auth.authorization) =>
      bed.app.inject({
        method: 'POST',
        url: `/v1/line/webhook-events/${encodeURIComponent(id)}/retry`,
        headers: { authorization },
      });
    const user = bed.line.users.create({});
    const event = bed.line.events.text(user.userId, '普通のメッセージ');
    await bed.line.sendWebhook([event]);
    await until(async () => (await eventRow(event.webhookEventId)).processed_at, 'processed', {
      timeoutMs: 20_000,
    });
    expect((await retry(event.webhookEventId)).statusCode).toBe(409);
    expect((await retry('01UNKNOWNEVENT0000000000000')).statusCode).toBe(404);

    const [setAside] = (await setAsideList()).items;
    expect(setAside).toBeDefined();
    const other = await newWorkspace(bed.database);
    expect((await retry(setAside!.webhookEventId, `Bearer ${other.apiKey}`)).statusCode).toBe(404);
    const otherList = await bed.app.inject({
      url: '/v1/line/webhook-events/set-aside',
      headers: { authorization: `Bearer ${other.apiKey}` },
    });
    expect(otherList.json()).toEqual({ total: 0, items: [] });
  });
});
