// Benchmark: Kizuna's email delivery (the messaging core's outbox, consent at send time, a
// DKIM-signed message per recipient with its own Message-ID, unsubscribe token and return path)
// against a bare pooled nodemailer loop sending the same messages to the same sink, same run.
//
//   node bench/email/email-delivery.ts [--messages 5000] [--url postgres://…] [--personal]
//
// `--personal`: the mail holds Liquid (the customer's name) and a link, so each recipient gets
// their own rendered copy with a tracked link; the time to create the send (render, links,
// outbox) is printed too.
//
// The sink (bench/email/sink.ts) runs in its own process and accepts everything. Figures:
// messages/s for (1) the bare loop: nodemailer pool (5 connections), 16 in flight, no database,
// no DKIM; (2) the bare loop with DKIM (RSA-2048), to show what signing costs; (3) Kizuna:
// `deliverSend` with the email adapter, from the first plan to the send's `done`; (4) the same
// with outcomes not awaited before a connection's next message (16 in flight, as a channel with
// retry keys runs): what committing each outcome before the next message costs.
import { type ChildProcess, spawn } from 'node:child_process';
import { createPrivateKey, type KeyObject, randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Database, openDatabase } from '@kizuna/server/database';
import { emailAdapter } from '@kizuna/server/internal/email/email-adapter';
import { createEmailSend } from '@kizuna/server/internal/email/email-sends';
import { openSender, putSender } from '@kizuna/server/internal/email/sender';
import { parseSmtpUrl } from '@kizuna/server/internal/email/smtp-settings';
import { closeSmtpTransports } from '@kizuna/server/internal/email/smtp-transport';
import { deliverSend } from '@kizuna/server/internal/messaging/deliver-send';
import { createSecretBox } from '@kizuna/server/internal/shared/secret-box';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import pino from 'pino';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '5000' },
    url: { type: 'string' },
    personal: { type: 'boolean', default: false },
  },
});
const count = Number(values.messages);
const subject = '【冬の新作】ほうじ茶ラテのご案内';
const personal = values.personal
  ? '<p>{{ customer.given_name | default: "お客" }}様</p><p><a href="https://shop.example.jp/menu">冬の新作</a></p>'
  : '';
const html = `<html><body>${personal}${'<p>いつもご来店ありがとうございます。冬の新作をご案内します。</p>'.repeat(20)}</body></html>`;
const text = 'いつもご来店ありがとうございます。冬の新作をご案内します。\n'.repeat(20);

async function startSink(): Promise<{
  child: ChildProcess;
  port: number;
  stats(): Promise<{ accepted: number; duplicates: number }>;
}> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./sink.ts', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const port = Number((await lines.next()).value);
  return {
    child,
    port,
    async stats() {
      child.stdin!.write('stats\n');
      return JSON.parse((await lines.next()).value as string);
    },
  };
}

async function openBenchDatabase(): Promise<Database> {
  if (!values.url) return openDatabase({ kind: 'pglite' });
  const schema = `bench_email_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ kind: 'postgres', url: values.url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
  return openDatabase({ kind: 'postgres', url: values.url, schema, poolSize: 8 });
}

/** The bare loop: the same messages through a nodemailer pool, 16 in flight. */
async function bareLoop(
  port: number,
  // A PEM string (as nodemailer's documentation shows) or a KeyObject parsed once.
  dkim?: { domainName: string; keySelector: string; privateKey: string | KeyObject },
): Promise<number> {
  const transport = nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    maxConnections: 5,
    maxMessages: 100,
  });
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      await transport.sendMail({
        from: '"珈琲 絆" <news@shop.example.jp>',
        to: `r${n}@d${n % 25}.example`,
        subject,
        html,
        text,
        // nodemailer passes the key to crypto's sign(), which takes a KeyObject too.
        ...(dkim ? { dkim: dkim as { domainName: string; keySelector: string; privateKey: string } } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  return count / seconds;
}

const load = loadavg()[0]!.toFixed(2);
const sink = await startSink();
const database = await openBenchDatabase();
await migrate(database);
const secrets = createSecretBox(randomBytes(32));
const ws = await initWorkspace(database.db, { name: 'ベンチ店', ownerEmail: 'bench@example.jp' });
await putSender(database.db, secrets, ws.workspaceId, {
  fromName: '珈琲 絆',
  fromAddress: 'news@shop.example.jp',
  postalAddress: '東京都渋谷区神南1-2-3',
  contact: '03-1234-5678',
});
const { rows } = await sql<{ id: number }>`
  with s as (select g as n from generate_series(0, ${count - 1}::int) g),
  c as (insert into customer (workspace_id, acquisition_source, attributes)
    select ${ws.workspaceId}::uuid, 'ec', jsonb_build_object('n', n) from s order by n returning id, (attributes->>'n')::int as n),
  i as (insert into customer_identity (workspace_id, kind, namespace, value, customer_id)
    select ${ws.workspaceId}::uuid, 'email', '', 'r' || n || '@d' || (n % 25) || '.example', id from c),
  k as (insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
    select ${ws.workspaceId}::uuid, id, 'email', 'marketing', 'granted', 'bench', now() from c)
  select id from c order by n`.execute(database.db);
const sender = (await openSender(database.db, secrets, ws.workspaceId))!;

const bare = await bareLoop(sink.port);
const bareDkim = await bareLoop(sink.port, {
  domainName: 'shop.example.jp',
  keySelector: 'kizuna1',
  privateKey: sender.dkimPrivateKey,
});
const bareKeyObject = await bareLoop(sink.port, {
  domainName: 'shop.example.jp',
  keySelector: 'kizuna1',
  privateKey: createPrivateKey(sender.dkimPrivateKey),
});
const context = {
  database,
  secrets,
  logger: pino({ level: 'silent' }),
  email: { smtp: parseSmtpUrl(`smtp://127.0.0.1:${sink.port}`), publicUrl: 'https://kizuna.example.jp' },
};

/** One email send to every customer, delivered by `adapter`: the time to create it, and messages/s. */
async function kizunaRun(idempotencyKey: string, adapter: typeof emailAdapter) {
  const createStarted = performance.now();
  const send = await createEmailSend(
    database.db,
    { jobs: undefined, secrets, publicUrl: 'https://kizuna.example.jp' },
    ws.workspaceId,
    { idempotencyKey, customerIds: rows.map((r) => Number(r.id)), content: { subject, html, text } },
  );
  const createSeconds = (performance.now() - createStarted) / 1000;
  const started = performance.now();
  const outcome = await deliverSend(context, adapter, ws.workspaceId, send.id);
  return { createSeconds, outcome, rate: count / ((performance.now() - started) / 1000) };
}

const before = (await sink.stats()).accepted;
const { createSeconds, outcome, rate: kizuna } = await kizunaRun('bench', emailAdapter);
const stats = await sink.stats();
const unconfirmed = await kizunaRun('bench-unconfirmed', {
  ...emailAdapter,
  recognisesRetryKey: true,
  concurrency: 16,
});
closeSmtpTransports();
sink.child.stdin!.end();
await database.close();

console.log(
  `email delivery, ${count.toLocaleString('en')} messages, ${values.url ? 'PostgreSQL' : 'PGlite'}, ${cpus().length} cores, load average ${load} → ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  `  create the send (${values.personal ? 'Liquid + tracked link per recipient' : 'shared content'}): ${createSeconds.toFixed(2)} s`,
);
console.log(`  bare nodemailer pool, no DKIM : ${bare.toFixed(0)} messages/s`);
console.log(`  bare nodemailer pool, DKIM    : ${bareDkim.toFixed(0)} messages/s`);
console.log(`  bare, DKIM key parsed once    : ${bareKeyObject.toFixed(0)} messages/s`);
console.log(
  `  Kizuna (outbox, consent, DKIM): ${kizuna.toFixed(0)} messages/s (${outcome}); ${((kizuna / bareDkim) * 100).toFixed(0)}% of bare+DKIM, ${((kizuna / bare) * 100).toFixed(0)}% of bare`,
);
console.log(
  `  Kizuna, outcomes not awaited : ${unconfirmed.rate.toFixed(0)} messages/s (${unconfirmed.outcome}; 16 in flight, a kill may resend up to a cycle)`,
);
console.log(
  `  sink: ${stats.accepted - before} accepted from Kizuna, ${stats.duplicates} repeated Message-IDs`,
);
