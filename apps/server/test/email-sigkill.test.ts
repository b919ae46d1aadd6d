// The Must-show email reliability run (issue #15): an email send to every recipient, through an
// SMTP server (email-sink.ts, in this process) that hangs up on 5% of messages before its reply
// and defers another 5% with 421, its worker a separate `kizuna start` process (worker only)
// killed with SIGKILL twice mid-send and started again.
//
// Size: 20,000 recipients on PostgreSQL (the number); 5,000 on PGlite, because PGlite is
// one in-process database and 20,000 there takes well over 90 s on this shared 2-core machine.
//
// What is asserted, and why not "no Message-ID twice": SMTP has no idempotency key. A worker
// killed after the server's 250 but before the outcome is committed leaves that request pending,
// and the next worker resends it, with the SAME Message-ID (the retry key committed before the
// SMTP transaction). That window cannot be closed (email/README.md), but it is kept to one
// message per connection: each outcome is committed as its reply arrives, and a connection
// carries its next message only after that commit (messaging/deliver-send.ts). So a kill leaves
// at most the relay URL's connections (5 here) accepted-but-unrecorded messages, and the run asserts: the
// distinct Message-IDs accepted equal the recipients, no recipient received two DIFFERENT
// Message-IDs (a receiver can deduplicate every repeat), every request row is accepted, and the
// repeats are at most kills × connections. Hang-ups before the reply and 4xx are never kept by
// the sink, so they add no repeat (email-reliability.test.ts asserts zero repeats without kills).
import { createHash, randomBytes } from 'node:crypto';
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import type { Database } from '../src/db/open-database.ts';
import { createEmailSend } from '../src/email/email-sends.ts';
import { putSender } from '../src/email/sender.ts';
import { getSend } from '../src/messaging/send-status.ts';
import { createSecretBox } from '../src/shared/secret-box.ts';
import { content, emailCustomers } from './email-setup.ts';
import { type MailSink, type ReceivedMail, startMailSink } from './email-sink.ts';
import { newWorkspace, TEST_DATABASE_URL } from './helpers.ts';
import { prepareWorkerStore, startWorker, type WorkerProcess } from './worker-process.ts';

// PGlite 2,000: the embedded database delivers about a third as fast, and the 20,000 run is PostgreSQL's.
const RECIPIENTS = TEST_DATABASE_URL ? 20_000 : 2_000;
const KILLS_AT = [0.25, 0.6];
const key = randomBytes(32).toString('hex');

let sink: MailSink | undefined;
let child: WorkerProcess | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  child?.worker.kill('SIGKILL');
  await child?.exited;
  await sink?.close();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A fixed pseudo-random draw per (Message-ID, attempt), so a retry draws afresh. */
function draw(messageId: string, attempt: number): number {
  return createHash('sha256').update(`${messageId}#${attempt}`).digest().readUInt32BE(0) % 100;
}

/** A workspace with a sender and `count` customers r0@d0.example … with marketing consent; one send to all. */
async function prepareSend(database: Database, count: number): Promise<{ ws: string; sendId: number }> {
  const { workspaceId: ws } = await newWorkspace(database, 'メール店');
  await putSender(database.db, createSecretBox(Buffer.from(key, 'hex')), ws, {
    fromName: '珈琲 絆',
    fromAddress: 'news@shop.example.jp',
    postalAddress: '東京都渋谷区神南1-2-3',
    contact: '03-1234-5678 / support@shop.example.jp',
  });
  const ids = await emailCustomers(database.db, ws, count);
  const send = await createEmailSend(
    database.db,
    {
      jobs: undefined,
      secrets: createSecretBox(Buffer.from(key, 'hex')),
      publicUrl: 'http://localhost:3000',
    },
    ws,
    {
      idempotencyKey: 'sigkill',
      customerIds: ids,
      content,
    },
  );
  expect(send.total).toBe(count);
  return { ws, sendId: send.id };
}

/** Message-IDs accepted per recipient, and how many acceptances repeated a Message-ID. */
function tally(accepted: ReceivedMail[]) {
  const idsOf = new Map<string, Set<string>>();
  const seen = new Set<string>();
  let repeats = 0;
  for (const m of accepted) {
    if (seen.has(m.messageId)) repeats++;
    seen.add(m.messageId);
    for (const to of m.to) idsOf.set(to, (idsOf.get(to) ?? new Set()).add(m.messageId));
  }
  return { idsOf, distinct: seen.size, repeats };
}

describe(`email delivery survives a killed worker (${TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it(`${RECIPIENTS.toLocaleString('en')} emails, 5% hung up before the reply, 5% 421, SIGKILL twice mid-send: each recipient's one Message-ID accepted, none missing`, {
    timeout: 600_000,
  }, async () => {
    const t0 = Date.now();
    const log = (m: string) =>
      process.env.KIZUNA_TEST_TRACE &&
      console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s ${m} accepted=${sink?.accepted.length}`);
    const mailSink = await startMailSink();
    sink = mailSink;
    let dropped = 0;
    let deferred = 0;
    mailSink.answer = (mail, attempt) => {
      const d = draw(mail.messageId, attempt);
      if (d < 5) {
        dropped++;
        return 'drop';
      }
      if (d < 10) {
        deferred++;
        return { code: 421, message: '4.7.0 Try again later / しばらくしてから再送してください' };
      }
      return 'accept';
    };
    const store = await prepareWorkerStore('email', cleanups);
    let database = await store.open();
    await migrate(database);
    const { ws, sendId } = await prepareSend(database, RECIPIENTS);
    // PGlite is one process's database: hand it to the worker.
    await database.close();
    log('prepared');

    const env = {
      ...store.env,
      KIZUNA_SECRET_KEY: key,
      KIZUNA_SMTP_URL: mailSink.smtp.url,
      KIZUNA_PUBLIC_URL: 'https://kizuna.example.jp',
    };
    let done = false;
    const onLine = (l: string) => {
      log(l.slice(0, 200));
      if (l.includes('Email send done')) done = true;
    };
    const distinct = () => new Set(mailSink.accepted.map((m) => m.messageId)).size;
    for (const [i, share] of KILLS_AT.entries()) {
      child = startWorker(env, onLine);
      await until(() => mailSink.accepted.length >= RECIPIENTS * share, `worker ${i + 1} delivering`, {
        timeoutMs: 300_000,
      });
      child.worker.kill('SIGKILL');
      await child.exited;
      const atKill = distinct();
      log(`killed worker ${i + 1} at ${atKill} distinct`);
      expect(atKill).toBeLessThan(RECIPIENTS);
      expect(done).toBe(false);
    }
    child = startWorker(env, onLine);
    await until(() => done, 'last worker finishing the send', { timeoutMs: 300_000 });
    // A stopped worker exits at once: nothing (such as the SMTP pool) keeps it alive.
    const stopAt = Date.now();
    child.worker.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(15_000);
    child = undefined;

    const { idsOf, distinct: ids, repeats } = tally(mailSink.accepted);
    log(`repeats=${repeats} dropped=${dropped} deferred=${deferred}`);
    expect(ids).toBe(RECIPIENTS);
    expect(idsOf.size).toBe(RECIPIENTS);
    expect([...idsOf].filter(([, set]) => set.size !== 1)).toEqual([]);
    // One accepted-but-unrecorded message per connection at each kill, at most.
    expect(repeats).toBeLessThanOrEqual(KILLS_AT.length * mailSink.smtp.connections);
    expect(dropped).toBeGreaterThan(RECIPIENTS * 0.03);
    expect(deferred).toBeGreaterThan(RECIPIENTS * 0.03);

    database = await store.open();
    cleanups.push(() => database.close());
    const { rows } = await sql<{ n: number; accepted: number; keys: number }>`
      select count(*)::int as n, count(*) filter (where status = 'accepted')::int as accepted,
        count(distinct retry_key)::int as keys
      from message_request where workspace_id = ${ws} and send_id = ${sendId}`.execute(database.db);
    expect(rows[0]).toEqual({ n: RECIPIENTS, accepted: RECIPIENTS, keys: RECIPIENTS });
    const final = await getSend(database.db, ws, sendId, 'email');
    expect(final.status).toBe('done');
    expect(final.counts).toEqual({ queued: 0, sent: RECIPIENTS, failed: 0, skipped: 0 });
    // The killed workers' connections were reset (expected); the sink saw no other error.
    expect(mailSink.errors).toEqual([]);
  });
});
