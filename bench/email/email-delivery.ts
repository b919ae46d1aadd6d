// Benchmark: Kizuna's email delivery (the messaging core's outbox, consent at send time, a
// DKIM-signed message per recipient with its own Message-ID, unsubscribe token and return path)
// against a bare pooled nodemailer loop sending the same messages to the same sink, same run.
//
//   node bench/email/email-delivery.ts [--messages 3000] [--rounds 3] [--url postgres://…] [--personal]
//                                      [--connections 5]
//
// `--connections N`: SMTP connections for both loops (Kizuna's through the relay URL's
// `?connections=N`, the bare loop's pool the same; default 5, as KIZUNA_SMTP_URL's default).
//
// `--personal`: the mail holds Liquid (the customer's name) and a link, so each recipient gets
// their own rendered copy with a tracked link; the time to create the send (render, links,
// outbox) is printed too.
//
// The sink (bench/email/sink.ts) runs in its own process and accepts everything. Each round runs,
// one after the other: (1) the bare loop, nodemailer pool (5 connections), 16 queued, no
// database, no DKIM; (2) the same loop sending DKIM-signed messages (RSA-2048, the sender's key
// parsed once), the fair baseline, since Kizuna signs every message; (3) Kizuna: `deliverSend`
// with the email adapter, from the first plan to the send's `done`, each outcome committed before
// its connection's next message is accepted. Rounds alternate so that a neighbour's load falls on
// all three alike; the ratio is taken within each round. After the rounds, once: (4) the same
// delivery with outcomes not awaited (16 requests at once, as a channel with retry keys runs), what
// committing each outcome before the next message costs.
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
    messages: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    url: { type: 'string' },
    personal: { type: 'boolean', default: false },
    connections: { type: 'string', default: '5' },
  },
});
const count = Number(values.messages);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
// The bare loop keeps more messages queued than it has connections, so none ever waits for it.
const inFlight = Math.max(16, 2 * connections);
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

/** The bare loop: the same messages through a nodemailer pool, `inFlight` (16) queued. */
async function bareLoop(
  port: number,
  // The key parsed once (a KeyObject), as the adapter does; nodemailer types it as PEM text only.
  dkim?: { domainName: string; keySelector: string; privateKey: string | KeyObject },
): Promise<number> {
  const transport = nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    maxConnections: connections,
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
  await Promise.all(Array.from({ length: inFlight }, worker));
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

const dkim = {
  domainName: 'shop.example.jp',
  keySelector: 'kizuna1',
  privateKey: createPrivateKey(sender.dkimPrivateKey),
};
const context = {
  database,
  secrets,
  logger: pino({ level: 'silent' }),
  email: {
    smtp: parseSmtpUrl(`smtp://127.0.0.1:${sink.port}?connections=${connections}`),
    publicUrl: 'https://kizuna.example.jp',
  },
};

/** One email send to every customer, delivered by `adapter`: the time to create it, and messages/s. */
async function kizunaRun(idempotencyKey: string, adapter: typeof emailAdapter, concurrency?: number) {
  const createStarted = performance.now();
  const send = await createEmailSend(
    database.db,
    { jobs: undefined, secrets, publicUrl: 'https://kizuna.example.jp' },
    ws.workspaceId,
    { idempotencyKey, customerIds: rows.map((r) => Number(r.id)), content: { subject, html, text } },
  );
  const createSeconds = (performance.now() - createStarted) / 1000;
  const started = performance.now();
  const outcome = await deliverSend(
    context,
    adapter,
    ws.workspaceId,
    send.id,
    concurrency ? { concurrency } : {},
  );
  return { createSeconds, outcome, rate: count / ((performance.now() - started) / 1000) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const lines: string[] = [];
const ratios: number[] = [];
const unsignedRatios: number[] = [];
let created = 0;
let kizunaAccepted = 0;
for (let round = 1; round <= rounds; round++) {
  const bare = await bareLoop(sink.port);
  const bareDkim = await bareLoop(sink.port, dkim);
  const before = (await sink.stats()).accepted;
  const run = await kizunaRun(`bench-${round}`, emailAdapter);
  kizunaAccepted += (await sink.stats()).accepted - before;
  created += run.createSeconds;
  ratios.push(run.rate / bareDkim);
  unsignedRatios.push(run.rate / bare);
  lines.push(
    `  round ${round}: bare ${bare.toFixed(0)}/s, bare + DKIM ${bareDkim.toFixed(0)}/s, Kizuna ${run.rate.toFixed(0)}/s (${run.outcome}): ${((run.rate / bareDkim) * 100).toFixed(0)}% of bare + DKIM, ${((run.rate / bare) * 100).toFixed(0)}% of bare (load ${loadavg()[0]!.toFixed(2)})`,
  );
}
const unconfirmed = await kizunaRun(
  'bench-unconfirmed',
  {
    ...emailAdapter,
    recognisesRetryKey: true,
  },
  inFlight,
);
const stats = await sink.stats();
closeSmtpTransports();
sink.child.stdin!.end();
await database.close();

console.log(
  `email delivery, ${count.toLocaleString('en')} messages × ${rounds} rounds, ${values.url ? 'PostgreSQL' : 'PGlite'}, ${connections} SMTP connections, ${cpus().length} cores, load average ${load} → ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  `  create the send (${values.personal ? 'Liquid + tracked link per recipient' : 'shared content'}): ${(created / rounds).toFixed(2)} s`,
);
for (const line of lines) console.log(line);
console.log(
  `  median: Kizuna ${(median(ratios) * 100).toFixed(0)}% of bare + DKIM (the same signed messages), ${(median(unsignedRatios) * 100).toFixed(0)}% of bare without DKIM`,
);
console.log(
  `  Kizuna, outcomes not awaited: ${unconfirmed.rate.toFixed(0)} messages/s (${unconfirmed.outcome}; ${inFlight} in flight, a kill may resend up to a cycle)`,
);
console.log(
  `  sink: ${kizunaAccepted} accepted from Kizuna (${count * rounds} expected), ${stats.duplicates} repeated Message-IDs`,
);
