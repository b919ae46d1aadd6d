// The send policy (messaging/send-policy.ts) through the real planner on the real database, with
// the business clock set by each test: quiet hours hold and skip, transactional sends, the
// frequency cap across sends, consent still winning, and the policy API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/open-database.ts';
import { createSend } from '../src/messaging/create-send.ts';
import { deliverSend } from '../src/messaging/deliver-send.ts';
import { putSendPolicy, quietUntil } from '../src/messaging/send-policy.ts';
import { getSend, listSendDecisions } from '../src/messaging/send-status.ts';
import { createTestApp, createTestDatabase, type TestApp } from './helpers.ts';
import {
  CountingProvider,
  emailAdapter,
  emailWorkspace,
  jobContext,
  jst,
  message,
  setConsent,
} from './send-policy-helpers.ts';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const noCaps = { line: null, email: null };
const quiet = { start: '21:00', end: '09:00' };

async function granted(n: number, prefix: string) {
  const w = await emailWorkspace(database, n, prefix);
  for (const id of w.ids) await setConsent(database, w.workspaceId, id, 'granted');
  return w;
}

describe('quiet hours (JST)', () => {
  it('finds the next opening of a window that wraps midnight, and none outside it', () => {
    expect(quietUntil(quiet, jst('2026-12-07T22:00'))).toEqual(jst('2026-12-08T09:00'));
    expect(quietUntil(quiet, jst('2026-12-08T08:59'))).toEqual(jst('2026-12-08T09:00'));
    expect(quietUntil(quiet, jst('2026-12-08T09:00'))).toBeNull();
    expect(quietUntil(quiet, jst('2026-12-08T20:59'))).toBeNull();
    expect(quietUntil({ start: '12:00', end: '13:00' }, jst('2026-12-08T12:30'))).toEqual(
      jst('2026-12-08T13:00'),
    );
  });

  it('holds a send created at 22:00 JST, says until when, and plans it at 09:00 JST', async () => {
    const w = await granted(3, 'hold');
    await putSendPolicy(database.db, w.workspaceId, { frequencyCaps: noCaps, quietHours: quiet });
    const provider = new CountingProvider();
    const adapter = emailAdapter(provider);
    const send = await createSend(database.db, undefined, adapter, w.workspaceId, {
      channelId: w.channelId,
      idempotencyKey: 'night',
      messages: message,
      customerIds: w.ids,
    });
    const at = (local: string) => ({ now: () => jst(local) });
    expect(
      await deliverSend(jobContext(database), adapter, w.workspaceId, send.id, at('2026-12-07T22:00')),
    ).toBe('held');
    const held = await getSend(database.db, w.workspaceId, send.id);
    expect([held.status, held.pausedReason, held.resumeAt]).toEqual([
      'paused',
      'quiet_hours',
      jst('2026-12-08T09:00').toISOString(),
    ]);
    expect(held.counts.queued).toBe(3);
    expect(
      await deliverSend(jobContext(database), adapter, w.workspaceId, send.id, at('2026-12-08T08:59')),
    ).toBe('held');
    expect(provider.received.size).toBe(0);
    expect(
      await deliverSend(jobContext(database), adapter, w.workspaceId, send.id, at('2026-12-08T09:00')),
    ).toBe('done');
    const done = await getSend(database.db, w.workspaceId, send.id);
    expect([done.status, done.pausedReason, done.resumeAt, done.counts.sent]).toEqual([
      'done',
      null,
      null,
      3,
    ]);
    expect([...provider.received.values()]).toEqual([1, 1, 1]);
  });

  it('skips the recipients of a send that chose skip, naming the quiet hours', async () => {
    const w = await granted(2, 'skip');
    await putSendPolicy(database.db, w.workspaceId, { frequencyCaps: noCaps, quietHours: quiet });
    const provider = new CountingProvider();
    const adapter = emailAdapter(provider);
    const send = await createSend(database.db, undefined, adapter, w.workspaceId, {
      channelId: w.channelId,
      idempotencyKey: 'skip',
      messages: message,
      customerIds: w.ids,
      quietHours: 'skip',
    });
    const options = { now: () => jst('2026-12-07T23:30') };
    expect(await deliverSend(jobContext(database), adapter, w.workspaceId, send.id, options)).toBe('done');
    const decisions = await listSendDecisions(database.db, w.workspaceId, send.id);
    expect(decisions.map((d) => [d.status, d.reason, d.status === 'skipped' ? d.rule : null])).toEqual([
      ['skipped', 'quiet_hours', 'quiet:21:00-09:00'],
      ['skipped', 'quiet_hours', 'quiet:21:00-09:00'],
    ]);
    expect(provider.received.size).toBe(0);
  });
});

describe('frequency cap', () => {
  it('caps a customer across sends created back to back, and lets them through once the window has passed', async () => {
    const w = await granted(3, 'cap');
    await putSendPolicy(database.db, w.workspaceId, {
      frequencyCaps: { line: null, email: { max: 2, windowHours: 168 } },
      quietHours: null,
    });
    const provider = new CountingProvider();
    const adapter = emailAdapter(provider);
    const deliver = async (key: string, customerIds: number[], local: string) => {
      const send = await createSend(database.db, undefined, adapter, w.workspaceId, {
        channelId: w.channelId,
        idempotencyKey: key,
        messages: message,
        customerIds,
        origin: `campaign:${key}`,
      });
      const options = { now: () => jst(local) };
      expect(await deliverSend(jobContext(database), adapter, w.workspaceId, send.id, options)).toBe('done');
      return (await listSendDecisions(database.db, w.workspaceId, send.id)).map((d) =>
        d.status === 'skipped' ? `${d.reason} ${d.rule}` : d.status,
      );
    };
    const [a, b, c] = w.ids as [number, number, number];
    expect(await deliver('one', [a, b], '2026-12-01T10:00')).toEqual(['sent', 'sent']);
    expect(await deliver('two', [a, c], '2026-12-02T10:00')).toEqual(['sent', 'sent']);
    expect(await deliver('three', [a, b, c], '2026-12-03T10:00')).toEqual([
      'capped cap:email:2/168h',
      'sent',
      'sent',
    ]);
    // 168 h after the first send it has left a's window: one more fits, the next does not.
    expect(await deliver('four', [a], '2026-12-08T10:00')).toEqual(['sent']);
    expect(await deliver('five', [a], '2026-12-08T11:00')).toEqual(['capped cap:email:2/168h']);
    expect(provider.received.get(w.emails[0]!)).toBe(3);
  });

  it('lets consent withdrawn between creating and planning win, and a skipped recipient uses no room', async () => {
    const w = await granted(2, 'revoke');
    await putSendPolicy(database.db, w.workspaceId, {
      frequencyCaps: { line: null, email: { max: 1, windowHours: 24 } },
      quietHours: null,
    });
    const provider = new CountingProvider();
    const adapter = emailAdapter(provider);
    const make = (key: string) =>
      createSend(database.db, undefined, adapter, w.workspaceId, {
        channelId: w.channelId,
        idempotencyKey: key,
        messages: message,
        customerIds: w.ids,
      });
    const first = await make('first');
    const second = await make('second');
    await setConsent(database, w.workspaceId, w.ids[0]!, 'revoked');
    const options = { now: () => jst('2026-12-07T12:00') };
    await deliverSend(jobContext(database), adapter, w.workspaceId, first.id, options);
    await setConsent(database, w.workspaceId, w.ids[0]!, 'granted');
    await deliverSend(jobContext(database), adapter, w.workspaceId, second.id, options);
    const reasons = async (id: number) =>
      (await listSendDecisions(database.db, w.workspaceId, id)).map((d) => d.reason ?? d.status);
    expect(await reasons(first.id)).toEqual(['revoked', 'sent']);
    // Customer 0 had no message in the window (the first send skipped them): the second reaches them.
    expect(await reasons(second.id)).toEqual(['sent', 'capped']);
  });
});

describe('transactional sends', () => {
  it('bypass quiet hours and the cap but not a block or a transactional opt-out', async () => {
    const w = await emailWorkspace(database, 4, 'tx');
    await putSendPolicy(database.db, w.workspaceId, {
      frequencyCaps: { line: null, email: { max: 1, windowHours: 168 } },
      quietHours: quiet,
    });
    const provider = new CountingProvider();
    const adapter = emailAdapter(provider);
    // 0: marketing granted and already at the cap; 1: no consent at all; 2: blocked; 3: opted out of transactional.
    await setConsent(database, w.workspaceId, w.ids[0]!, 'granted');
    const marketing = await createSend(database.db, undefined, adapter, w.workspaceId, {
      channelId: w.channelId,
      idempotencyKey: 'promo',
      messages: message,
      customerIds: [w.ids[0]!],
    });
    const night = { now: () => jst('2026-12-07T23:00') };
    const morning = { now: () => jst('2026-12-08T10:00') };
    expect(await deliverSend(jobContext(database), adapter, w.workspaceId, marketing.id, morning)).toBe(
      'done',
    );
    await setConsent(database, w.workspaceId, w.ids[2]!, 'blocked');
    await setConsent(database, w.workspaceId, w.ids[3]!, 'revoked', 'transactional');
    const send = await createSend(database.db, undefined, adapter, w.workspaceId, {
      channelId: w.channelId,
      idempotencyKey: 'reservation',
      messages: [{ subject: 'ご予約確認', body: '12月9日 14:00' }],
      customerIds: w.ids,
      kind: 'transactional',
    });
    expect(send.kind).toBe('transactional');
    expect(await deliverSend(jobContext(database), adapter, w.workspaceId, send.id, night)).toBe('done');
    const decisions = await listSendDecisions(database.db, w.workspaceId, send.id);
    expect(decisions.map((d) => d.reason ?? d.status)).toEqual(['sent', 'sent', 'blocked', 'revoked']);
    expect(provider.received.get(w.emails[0]!)).toBe(2);
  });
});

describe('policy API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reads the default (no caps, no quiet hours), replaces it as an admin, and names a bad field', async () => {
    const url = '/v1/messaging/policy';
    const initial = await t.app.inject({ url, headers: t.auth });
    expect(initial.json()).toEqual({ frequencyCaps: { line: null, email: null }, quietHours: null });
    const policy = { frequencyCaps: { line: { max: 2, windowHours: 168 }, email: null }, quietHours: quiet };
    const put = await t.app.inject({ method: 'PUT', url, headers: t.auth, payload: policy });
    expect([put.statusCode, put.json()]).toEqual([200, policy]);
    expect((await t.app.inject({ url, headers: t.auth })).json()).toEqual(policy);
    const bad = await t.app.inject({
      method: 'PUT',
      url,
      headers: t.auth,
      payload: {
        frequencyCaps: { line: { max: 0, windowHours: 168 }, email: null },
        quietHours: { start: '25:00', end: '09:00' },
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('frequencyCaps.line.max');
    expect(bad.json().error.message).toContain('quietHours.start');
    expect((await t.app.inject({ url, headers: t.auth })).json()).toEqual(policy);
    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.auth,
      payload: { name: 'reader', scopes: ['read'] },
    });
    const reader = { authorization: `Bearer ${key.json().token}` };
    expect((await t.app.inject({ url, headers: reader })).statusCode).toBe(200);
    const refused = await t.app.inject({ method: 'PUT', url, headers: reader, payload: policy });
    expect(refused.statusCode).toBe(403);
  });
});
