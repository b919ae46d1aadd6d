// Benchmark: Kizuna's LINE delivery engine sending one send to 1M friends through the LINE
// sandbox at LINE's multicast limit (200 requests/s, 500 recipients each), and webhook intake.
//
//   node bench/line-delivery/line-delivery.ts [--recipients 1000000] [--url postgres://…] [--intake-seconds 10] [--intake-concurrency 16] [--cap 2/168] [--whole] [--lanes 2]
//
// `--cap max/hours` gives the workspace a LINE frequency cap first (messaging/send-policy.ts), so
// the delivery figure includes the cap's locks and ledger; without it no policy is configured.
//
// The sandbox runs in its own process (`kizuna line-sandbox --record counts`), with LINE's rate
// limits on. Figures:
// - from the request: seconds from createSend's call to the last request accepted. A send this
//   large streams its outbox (messaging/create-send.ts): its delivery starts once the send and
//   its first chunk commit, while the rest is written; the bench prints when the first chunk
//   committed, when the outbox was whole and when the last request was accepted. `--whole` writes
//   the outbox in one transaction first, then delivers (the code before streaming), for a
//   comparison in back-to-back runs; `--lanes N` sets how many chunks are written side by side.
// - delivery: seconds from the worker picking up the send to the last request accepted, against
//   the lower bound recipients / 500 / 200 (10 s for 1M), and against a baseline measured in the
//   same run: the same number of multicast requests sent straight from @line/bot-sdk with a
//   200/s pacer and no database (what the sandbox and the SDK cost alone).
// - webhook intake: signed single-event webhooks POSTed to /line/webhook/:channelId by a closed
//   loop of N clients for a fixed time; events/s acknowledged and p50/p99 acknowledgement latency.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { signWebhookBody } from '@kizuna/line-sandbox';
import { buildApp } from '@kizuna/server/app';
import { type Database, openDatabase } from '@kizuna/server/database';
import { saveChannel } from '@kizuna/server/internal/line/channels';
import { deliverSend } from '@kizuna/server/internal/line/deliver-send';
import { parseLineHostAllowance } from '@kizuna/server/internal/line/line-hosts';
import { LINE_JOBS } from '@kizuna/server/internal/line/line-jobs';
import { Pacer } from '@kizuna/server/internal/line/pacer';
import { createSend, getSend } from '@kizuna/server/internal/line/sends';
import { putSendPolicy } from '@kizuna/server/internal/messaging/send-policy';
import { createSecretBox } from '@kizuna/server/internal/shared/secret-box';
import { startJobs } from '@kizuna/server/jobs';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import { messagingApi } from '@line/bot-sdk';
import { sql } from 'kysely';
import pino from 'pino';

const { values } = parseArgs({
  options: {
    recipients: { type: 'string', default: '1000000' },
    url: { type: 'string' },
    'intake-seconds': { type: 'string', default: '10' },
    'intake-concurrency': { type: 'string', default: '16' },
    cap: { type: 'string' },
    whole: { type: 'boolean', default: false },
    lanes: { type: 'string', default: '2' },
  },
});
const recipients = Number(values.recipients);
const kizuna = fileURLToPath(new URL('../../apps/server/bin/kizuna.js', import.meta.url));
const secret = 'bench-channel-secret';

function startSandbox(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [kizuna, 'line-sandbox', '--port', '0', '--record', 'counts', '--secret', secret],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out) ?? /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited early (${code})`)));
  });
}

async function sandboxState(url: string) {
  return (await (await fetch(`${url}/sandbox/state`)).json()) as {
    deliveries: number;
    duplicateRecipients: number;
    requests: Record<string, number>;
  };
}

async function openStore(): Promise<Database> {
  if (!values.url) return openDatabase({ kind: 'pglite' });
  const schema = `bench_line_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ kind: 'postgres', url: values.url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
  const database = await openDatabase({ kind: 'postgres', url: values.url, schema, poolSize: 8 });
  const close = database.close;
  return {
    ...database,
    close: async () => {
      await close();
      const cleanup = await openDatabase({ kind: 'postgres', url: values.url!, poolSize: 1 });
      await sql`drop schema ${sql.id(schema)} cascade`.execute(cleanup.db);
      await sql`drop schema if exists ${sql.id(`${schema}_boss`)} cascade`.execute(cleanup.db);
      await cleanup.close();
    },
  };
}

const seconds = (from: number) => (performance.now() - from) / 1000;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

// Baseline: the same multicast requests straight from the SDK, paced at 200/s, no database.
async function baseline(sandboxUrl: string, requests: number): Promise<number> {
  const client = new messagingApi.MessagingApiClient({ channelAccessToken: 'bench', baseURL: sandboxUrl });
  const pacer = new Pacer(200, 20);
  const to = Array.from({ length: 500 }, (_, i) => `U${(9_000_000_000 + i).toString(16).padStart(32, '0')}`);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < requests) {
        next++;
        await pacer.take();
        await client.multicast({ to, messages: [{ type: 'text', text: 'baseline' }] }, randomUUID());
      }
    }),
  );
  return seconds(started);
}

const sandbox = await startSandbox();
const database = await openStore();
await migrate(database);
const secrets = createSecretBox(randomBytes(32));
const ws = await initWorkspace(database.db, {
  name: 'ベンチ',
  ownerEmail: `bench-${randomBytes(3).toString('hex')}@example.jp`,
});
// The sandbox's host, allowed as an operator would with KIZUNA_LINE_ALLOWED_HOSTS.
const lineHosts = parseLineHostAllowance('127.0.0.1', false);
const channel = await saveChannel(
  database.db,
  secrets,
  'http://127.0.0.1',
  ws.workspaceId,
  {
    lineChannelId: '1650009999',
    channelSecret: secret,
    accessToken: 'bench-token',
    apiBaseUrl: sandbox.url,
  },
  lineHosts,
);
const requests = Math.ceil(recipients / 500);
const bound = requests / 200;
console.log(
  `database: ${database.kind}; recipients: ${recipients.toLocaleString('en')} (${requests} multicast requests); lower bound ${bound.toFixed(1)} s at 200 requests/s`,
);

const t = performance.now();
// Customers first, analysed, then their identities and consents: checked against a customer
// table without statistics, the foreign keys' lookups were sometimes planned on another of its
// indexes and the setup ran for over ten minutes (seen twice on 2026-12-07).
const { rows } = await sql<{ id: number }>`
  insert into customer (workspace_id, acquisition_source, attributes)
  select ${ws.workspaceId}::uuid, 'line_follow', jsonb_build_object('n', g) from generate_series(1, ${recipients}::int) g
  order by g returning id`.execute(database.db);
await sql`analyze customer`.execute(database.db);
await sql`
  with c as (select id, (attributes->>'n')::int as n from customer where workspace_id = ${ws.workspaceId}::uuid),
  i as (insert into customer_identity (workspace_id, kind, namespace, value, customer_id)
        select ${ws.workspaceId}::uuid, 'line', '', 'U' || lpad(to_hex(n), 32, '0'), id from c)
  insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
  select ${ws.workspaceId}::uuid, id, 'line', 'marketing', 'granted', 'line_follow', now() from c`.execute(
  database.db,
);
await sql`analyze`.execute(database.db);
console.log(`setup: ${rows.length.toLocaleString('en')} friends in ${seconds(t).toFixed(1)} s`);

if (values.cap) {
  const [max, windowHours] = values.cap.split('/').map(Number);
  await putSendPolicy(database.db, ws.workspaceId, {
    frequencyCaps: { line: { max: max!, windowHours: windowHours! }, email: null },
    quietHours: null,
  });
  console.log(`policy: LINE frequency cap ${max} per ${windowHours} h`);
}

const logger = pino({ level: 'warn' });
const context = { database, secrets, logger, lineHosts };
const requested = performance.now();
let opened = 0;
let deliveryStarted = 0;
let delivering: Promise<string> | undefined;
const send = await createSend(
  database.db,
  undefined,
  ws.workspaceId,
  {
    channelId: channel.id,
    idempotencyKey: 'bench',
    messages: [{ type: 'text', text: '100万人へのお知らせ' }],
    customerIds: rows.map((r) => r.id),
  },
  values.whole
    ? { streamAbove: Number.POSITIVE_INFINITY }
    : {
        lanes: Number(values.lanes),
        onOpened: async (sendId) => {
          opened = seconds(requested);
          deliveryStarted = performance.now();
          delivering = deliverSend(context, ws.workspaceId, sendId);
        },
      },
);
const written = seconds(requested);
if (values.whole) {
  deliveryStarted = performance.now();
  delivering = deliverSend(context, ws.workspaceId, send.id);
}
const outcome = await delivering!;
const fromRequest = seconds(requested);
const delivery = seconds(deliveryStarted);
console.log(
  values.whole
    ? `create send, outbox in one transaction (${send.total.toLocaleString('en')}): ${written.toFixed(1)} s`
    : `create send: first chunk committed (delivery starts) ${opened.toFixed(2)} s; outbox of ${send.total.toLocaleString('en')} whole ${written.toFixed(1)} s`,
);
const status = await getSend(database.db, ws.workspaceId, send.id);
const state = await sandboxState(sandbox.url);
console.log(
  `from the request to the last delivery: ${fromRequest.toFixed(2)} s (${outcome}), ratio to the ${bound.toFixed(1)} s bound: ${(fromRequest / bound).toFixed(2)}x; ` +
    `delivery (the worker's part) ${delivery.toFixed(2)} s; ` +
    `sent ${status.counts.sent.toLocaleString('en')}, sandbox deliveries ${state.deliveries.toLocaleString('en')}, duplicates ${state.duplicateRecipients}`,
);
const base = await baseline(sandbox.url, requests);
console.log(
  `baseline (SDK → sandbox, 200/s pacer, no database): ${base.toFixed(2)} s (${(base / bound).toFixed(2)}x); Kizuna / baseline: ${(delivery / base).toFixed(2)}x`,
);

// Webhook intake: the API with the job system (jobs are queued, not worked, to measure intake alone).
const jobs = await startJobs(database, LINE_JOBS, { logger, work: false, secrets, lineHosts });
const app = await buildApp({ database, logger: false, secrets, jobs, lineHosts });
const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
const webhookUrl = `${appUrl}/line/webhook/${channel.id}`;
const intakeMs = Number(values['intake-seconds']) * 1000;
const latencies: number[] = [];
let failures = 0;
let n = 0;
const intakeStarted = performance.now();
await Promise.all(
  Array.from({ length: Number(values['intake-concurrency']) }, async () => {
    while (performance.now() - intakeStarted < intakeMs) {
      const i = n++;
      const body = JSON.stringify({
        destination: 'U00000000000000000000000000000000',
        events: [
          {
            type: 'message',
            mode: 'active',
            timestamp: Date.now(),
            webhookEventId: `01BENCH${i.toString().padStart(19, '0')}`,
            deliveryContext: { isRedelivery: false },
            replyToken: randomUUID(),
            source: { type: 'user', userId: `U${(1 + (i % recipients)).toString(16).padStart(32, '0')}` },
            message: { id: String(i), type: 'text', text: 'こんにちは', quoteToken: 'q' },
          },
        ],
      });
      const sent = performance.now();
      const response = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-line-signature': signWebhookBody(body, secret) },
        body,
      });
      await response.arrayBuffer();
      latencies.push(performance.now() - sent);
      if (response.status !== 200) failures++;
    }
  }),
);
const intakeSeconds = seconds(intakeStarted);
console.log(
  `webhook intake: ${latencies.length.toLocaleString('en')} events in ${intakeSeconds.toFixed(1)} s = ${Math.round(latencies.length / intakeSeconds)} events/s ` +
    `(concurrency ${values['intake-concurrency']}, 1 event per request); ack latency p50 ${quantile(latencies, 0.5).toFixed(1)} ms, ` +
    `p99 ${quantile(latencies, 0.99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; non-200: ${failures}`,
);
await app.close();
await jobs.stop(5000);
await database.close();
sandbox.child.kill('SIGTERM');
