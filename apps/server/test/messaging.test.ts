// The messaging core through a channel adapter defined here: a fake external channel (an email
// provider that dedupes by retry key) over the real database, so these tests show what the core
// guarantees for any channel: decisions with reasons, consent at send time, retry keys reused
// after a crash, and a quota pause that drops nobody.
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from '../src/customers/consent.ts';
import { upsertCustomer } from '../src/customers/upsert-customer.ts';
import type { Database } from '../src/db/open-database.ts';
import type { ChannelAdapter, PlannedRequest } from '../src/messaging/channel-adapter.ts';
import { createSend } from '../src/messaging/create-send.ts';
import type { RequestOutcome } from '../src/messaging/decisions.ts';
import { deliverSend } from '../src/messaging/deliver-send.ts';
import { getSend, listSendDecisions, resumeSend } from '../src/messaging/send-status.ts';
import { createSecretBox } from '../src/shared/secret-box.ts';
import { createTestDatabase, lineUserId, newWorkspace } from './helpers.ts';

/** The provider on the other side: keeps each retry key once, like LINE's X-Line-Retry-Key. */
class FakeProvider {
  readonly accepted = new Map<string, string[]>();
  readonly received = new Map<string, number>();
  readonly keysSeen: string[] = [];
  /** Recipients the provider still takes this month; past it, it answers "quota". */
  quota = Number.POSITIVE_INFINITY;
  /** Accept the next request, then die before the answer reaches Kizuna (a worker killed mid-call). */
  crashAfterNextAccept = false;
  /** False: a provider with no retry key (SMTP), which takes a resent request again. */
  dedupes = true;
  /** Accepted answers returned so far, and a hook run as each request starts. */
  answered = 0;
  onPerform?: () => Promise<void>;

  async perform(request: PlannedRequest): Promise<RequestOutcome> {
    await this.onPerform?.();
    this.keysSeen.push(request.retryKey);
    if (this.dedupes && this.accepted.has(request.retryKey))
      return { kind: 'accepted', providerRequestId: `again-${request.retryKey}`, attempts: 1 };
    if (request.recipients.length > this.quota) return { kind: 'quota', attempts: 1 };
    this.quota -= request.recipients.length;
    this.accepted.set(request.retryKey, request.recipients);
    for (const to of request.recipients) this.received.set(to, (this.received.get(to) ?? 0) + 1);
    if (this.crashAfterNextAccept) {
      this.crashAfterNextAccept = false;
      throw new Error('worker killed after the provider accepted');
    }
    this.answered++;
    return { kind: 'accepted', providerRequestId: `req-${request.retryKey}`, attempts: 1 };
  }
}

function fakeEmailAdapter(provider: FakeProvider): ChannelAdapter<'multicast' | 'push'> {
  return {
    label: 'test email',
    channel: 'email',
    identityKind: 'email',
    jobName: 'test-email-send',
    retryKeyLifetimeMs: 60 * 60 * 1000,
    recognisesRetryKey: provider.dedupes,
    // Borrowing LINE's request kinds (the 0027 check lists each adapter's); two a batch shows batching.
    batching: { shared: { kind: 'multicast', maxRecipients: 2 }, personal: 'push' },
    checkContent(messages, path, problems) {
      if (!messages.length) problems.push({ path, message: 'must hold a message' });
    },
    checkAggregationUnit() {},
    async assertChannel() {},
    async open() {
      // As the contract asks of a channel without retry keys (SMTP holds its final '.'): the
      // provider accepts a request only once `hold`, the slot's previous commit, has resolved.
      return {
        perform: async (request, hold) => {
          await hold;
          return provider.perform(request);
        },
      };
    },
  };
}

let database: Database;
const secrets = createSecretBox(randomBytes(32));
const context = () => ({ database, secrets, logger: pino({ level: 'silent' }) });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

/** A workspace, a channel row for the sends to name, and customers with an email address each. */
async function setup(emails: (string | null)[]) {
  const { workspaceId } = await newWorkspace(database);
  // The fake adapter's account: the send names it, and its assertChannel accepts any.
  const channel = { id: randomUUID() };
  const ids: number[] = [];
  for (const [i, email] of emails.entries()) {
    const { id } = await database.db
      .transaction()
      .execute((tx) =>
        upsertCustomer(tx, workspaceId, email ? { email } : { lineUserId: lineUserId(9000 + i) }),
      );
    ids.push(id);
  }
  return { workspaceId, channelId: channel.id, ids };
}

async function consent(workspaceId: string, customerId: number, status: 'granted' | 'revoked') {
  await database.db.transaction().execute((tx) =>
    recordConsent(tx, workspaceId, customerId, {
      channel: 'email',
      purpose: 'marketing',
      status,
      source: 'test',
    }),
  );
}

const message = [{ subject: '春のセール', body: '本日より' }];

describe('messaging core', () => {
  it('records one decision per recipient: sent, or skipped with its reason', async () => {
    const { workspaceId, channelId, ids } = await setup([
      'a@example.jp',
      'b@example.jp',
      'c@example.jp',
      null,
    ]);
    await consent(workspaceId, ids[0]!, 'granted');
    await consent(workspaceId, ids[2]!, 'revoked');
    await consent(workspaceId, ids[3]!, 'granted');
    const provider = new FakeProvider();
    const adapter = fakeEmailAdapter(provider);
    const send = await createSend(database.db, undefined, adapter, workspaceId, {
      channelId,
      idempotencyKey: 'reasons',
      messages: message,
      customerIds: ids,
    });
    expect(await deliverSend(context(), adapter, workspaceId, send.id)).toBe('done');
    const decisions = await listSendDecisions(database.db, workspaceId, send.id);
    expect(decisions.map((d) => [d.address, d.status, d.reason])).toEqual([
      ['a@example.jp', 'sent', null],
      ['b@example.jp', 'skipped', 'no_consent'],
      ['c@example.jp', 'skipped', 'revoked'],
      [null, 'skipped', 'no_email_identity'],
    ]);
    expect([...provider.received]).toEqual([['a@example.jp', 1]]);
    expect((await getSend(database.db, workspaceId, send.id)).counts).toEqual({
      queued: 0,
      sent: 1,
      failed: 0,
      skipped: 3,
    });
  });

  it("deleting a send deletes its outbox rows and no other send's (the cascade of migration 0043)", async () => {
    const { workspaceId, channelId, ids } = await setup(['g@example.jp', 'h@example.jp']);
    const adapter = fakeEmailAdapter(new FakeProvider());
    const sends = [];
    for (const key of ['gone', 'kept'])
      sends.push(
        await createSend(database.db, undefined, adapter, workspaceId, {
          channelId,
          idempotencyKey: key,
          messages: message,
          customerIds: ids,
        }),
      );
    const outboxOf = async (sendId: number) =>
      (
        await sql<{ n: number }>`select count(*)::int as n from message_outbox
          where workspace_id = ${workspaceId} and send_id = ${sendId}`.execute(database.db)
      ).rows[0]!.n;
    expect([await outboxOf(sends[0]!.id), await outboxOf(sends[1]!.id)]).toEqual([2, 2]);
    await sql`delete from message_send where workspace_id = ${workspaceId} and id = ${sends[0]!.id}`.execute(
      database.db,
    );
    expect([await outboxOf(sends[0]!.id), await outboxOf(sends[1]!.id)]).toEqual([0, 2]);
  });

  it('checks consent at send time: a withdrawal between enqueue and send skips the recipient', async () => {
    const { workspaceId, channelId, ids } = await setup(['d@example.jp', 'e@example.jp', 'f@example.jp']);
    for (const id of ids) await consent(workspaceId, id, 'granted');
    const provider = new FakeProvider();
    const adapter = fakeEmailAdapter(provider);
    const send = await createSend(database.db, undefined, adapter, workspaceId, {
      channelId,
      idempotencyKey: 'withdrawn',
      messages: message,
      customerIds: ids,
    });
    await consent(workspaceId, ids[1]!, 'revoked');
    expect(await deliverSend(context(), adapter, workspaceId, send.id)).toBe('done');
    const decisions = await listSendDecisions(database.db, workspaceId, send.id);
    expect(decisions.map((d) => [d.status, d.reason])).toEqual([
      ['sent', null],
      ['skipped', 'revoked'],
      ['sent', null],
    ]);
    expect(provider.received.has('e@example.jp')).toBe(false);
  });

  it('resends with the stored retry key after a worker dies mid-call, so nobody gets two copies', async () => {
    const emails = ['g', 'h', 'i', 'j', 'k'].map((n) => `${n}@example.jp`);
    const { workspaceId, channelId, ids } = await setup(emails);
    for (const id of ids) await consent(workspaceId, id, 'granted');
    const provider = new FakeProvider();
    const adapter = fakeEmailAdapter(provider);
    const send = await createSend(database.db, undefined, adapter, workspaceId, {
      channelId,
      idempotencyKey: 'crash',
      messages: message,
      customerIds: ids,
    });
    provider.crashAfterNextAccept = true;
    const options = { concurrency: 1, leaseMs: 200 };
    await expect(deliverSend(context(), adapter, workspaceId, send.id, options)).rejects.toThrow(
      /worker killed/,
    );
    const [firstKey] = provider.keysSeen;
    // The dead worker's lease runs out; the next worker finds the request pending with its key.
    expect(await deliverSend(context(), adapter, workspaceId, send.id, options)).toBe('done');
    expect(provider.keysSeen.filter((k) => k === firstKey)).toHaveLength(2);
    expect([...provider.received.values()]).toEqual([1, 1, 1, 1, 1]);
    expect(provider.accepted.size).toBe(3); // 5 recipients in batches of 2
    expect((await getSend(database.db, workspaceId, send.id)).counts.sent).toBe(5);
  });

  it('a channel without retry keys (SMTP): each outcome is committed before its slot sends again, at most one unrecorded per slot', async () => {
    const emails = Array.from({ length: 40 }, (_, i) => `slot${i}@example.jp`);
    const { workspaceId, channelId, ids } = await setup(emails);
    for (const id of ids) await consent(workspaceId, id, 'granted');
    const provider = new FakeProvider();
    provider.dedupes = false;
    const adapter = fakeEmailAdapter(provider);
    const send = await createSend(database.db, undefined, adapter, workspaceId, {
      channelId,
      idempotencyKey: 'slots',
      messages: message,
      customerIds: ids,
    });
    // As each request starts: answers the provider gave that are not committed yet. Recorded per
    // cycle (the first cycle holds 8 requests), the fourth start would see three.
    let widest = 0;
    provider.onPerform = async () => {
      const answered = provider.answered;
      const { n } = await database.db
        .selectFrom('message_request')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('workspace_id', '=', workspaceId)
        .where('send_id', '=', send.id)
        .where('status', '=', 'accepted')
        .executeTakeFirstOrThrow();
      widest = Math.max(widest, answered - Number(n));
    };
    expect(await deliverSend(context(), adapter, workspaceId, send.id, { concurrency: 3 })).toBe('done');
    expect(provider.answered).toBe(20);
    expect(widest).toBeLessThanOrEqual(2); // the other two slots' answers, never more
    expect((await getSend(database.db, workspaceId, send.id)).counts.sent).toBe(40);
  });

  it('a channel without retry keys: a worker dying after an answer resends that one request only', async () => {
    const emails = Array.from({ length: 10 }, (_, i) => `die${i}@example.jp`);
    const { workspaceId, channelId, ids } = await setup(emails);
    for (const id of ids) await consent(workspaceId, id, 'granted');
    const provider = new FakeProvider();
    provider.dedupes = false;
    const adapter = fakeEmailAdapter(provider);
    const send = await createSend(database.db, undefined, adapter, workspaceId, {
      channelId,
      idempotencyKey: 'die',
      messages: message,
      customerIds: ids,
    });
    let armed = true;
    provider.onPerform = async () => {
      if (armed && provider.answered === 3) {
        armed = false;
        provider.crashAfterNextAccept = true;
      }
    };
    const options = { concurrency: 1, leaseMs: 200 };
    await expect(deliverSend(context(), adapter, workspaceId, send.id, options)).rejects.toThrow(
      /worker killed/,
    );
    expect(await deliverSend(context(), adapter, workspaceId, send.id, options)).toBe('done');
    // The fourth request (two recipients) went out twice; the three before it were committed.
    const twice = [...provider.received].filter(([, n]) => n === 2).map(([to]) => to);
    expect(twice).toEqual(['die6@example.jp', 'die7@example.jp']);
    expect([...provider.received.values()].filter((n) => n !== 1 && n !== 2)).toEqual([]);
    expect(provider.received.size).toBe(10);
    expect((await getSend(database.db, workspaceId, send.id)).counts.sent).toBe(10);
  });

  it('pauses when the quota runs out, drops nobody, and finishes after a resume', async () => {
    const emails = ['l', 'm', 'n', 'o', 'p', 'q'].map((n) => `${n}@example.jp`);
    const { workspaceId, channelId, ids } = await setup(emails);
    for (const id of ids) await consent(workspaceId, id, 'granted');
    const provider = new FakeProvider();
    provider.quota = 4;
    const adapter = fakeEmailAdapter(provider);
    const send = await createSend(database.db, undefined, adapter, workspaceId, {
      channelId,
      idempotencyKey: 'quota',
      messages: message,
      customerIds: ids,
    });
    const options = { concurrency: 1 };
    expect(await deliverSend(context(), adapter, workspaceId, send.id, options)).toBe('paused');
    const paused = await getSend(database.db, workspaceId, send.id);
    expect(paused).toMatchObject({ status: 'paused', pausedReason: 'monthly_quota_exhausted' });
    expect(paused.counts).toEqual({ queued: 2, sent: 4, failed: 0, skipped: 0 });
    provider.quota = 100;
    await resumeSend(database.db, undefined, adapter, workspaceId, send.id);
    expect(await deliverSend(context(), adapter, workspaceId, send.id, options)).toBe('done');
    expect((await getSend(database.db, workspaceId, send.id)).counts).toEqual({
      queued: 0,
      sent: 6,
      failed: 0,
      skipped: 0,
    });
    expect([...provider.received.values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
