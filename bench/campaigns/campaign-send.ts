// Benchmark: preparing a personalised campaign for N customers, up to the messaging core's outbox
// (no delivery: bench/line-delivery measures that): fix the audience (holdout and variants),
// load the Liquid variables set-based, render, rewrite the links to signed redirects, and write
// the send. Baseline in the same run: the same customers as one shared send (createSend alone).
// Also: recommendations for the whole audience in one statement.
//
//   node bench/campaigns/campaign-send.ts [--customers 20000] [--url postgres://…]
//
// Without --url it runs on a fresh in-memory PGlite.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type Database, openDatabase } from '@kizuna/server/database';
import { sendCampaignNow } from '@kizuna/server/internal/campaigns/campaign-lifecycle';
import { createCampaign } from '@kizuna/server/internal/campaigns/create-campaign';
import { runCampaignSend } from '@kizuna/server/internal/campaigns/send-campaign';
import { saveChannel } from '@kizuna/server/internal/line/channels';
import { parseLineHostAllowance } from '@kizuna/server/internal/line/line-hosts';
import { createSend } from '@kizuna/server/internal/line/sends';
import { recommendProducts } from '@kizuna/server/internal/recommendations/co-purchase';
import { createSecretBox } from '@kizuna/server/internal/shared/secret-box';
import { renderForAudience } from '@kizuna/server/internal/templates/render-audience';
import { compileContent } from '@kizuna/server/internal/templates/render-content';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import { sql } from 'kysely';

const { values } = parseArgs({
  options: { customers: { type: 'string', default: '20000' }, url: { type: 'string' } },
});
const n = Number(values.customers);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
async function time<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  return [await run(), performance.now() - started];
}

const schema = `bench_campaigns_${randomBytes(4).toString('hex')}`;
async function open(): Promise<Database> {
  if (!values.url) return openDatabase({ kind: 'pglite' });
  const admin = await openDatabase({ kind: 'postgres', url: values.url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
  return openDatabase({ kind: 'postgres', url: values.url, schema, poolSize: 4 });
}

async function dropSchema(): Promise<void> {
  if (!values.url) return;
  const admin = await openDatabase({ kind: 'postgres', url: values.url, poolSize: 1 });
  await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
  await admin.close();
}

const database = await open();
await migrate(database);
const db = database.db;
const secrets = createSecretBox(randomBytes(32));
const ws = (await initWorkspace(db, { name: 'ベンチ店', ownerEmail: 'bench@example.jp' })).workspaceId;
const channel = await saveChannel(
  db,
  secrets,
  'http://127.0.0.1',
  ws,
  {
    lineChannelId: '1650009999',
    channelSecret: 'bench-secret',
    accessToken: 'bench-token',
    apiBaseUrl: 'http://127.0.0.1:9',
  },
  parseLineHostAllowance('127.0.0.1', false),
);
// N friends with names, 8 products, about 3 completed orders of 2 lines each per customer.
const { rows } = await sql<{ id: number }>`
  with c as (insert into customer (workspace_id, given_name, family_name)
    select ${ws}::uuid, '花子' || g, '山田' from generate_series(1, ${n}::int) g returning id),
  i as (insert into customer_identity (workspace_id, kind, namespace, value, customer_id)
    select ${ws}::uuid, 'line', '', 'U' || lpad(to_hex(id), 32, '0'), id from c),
  k as (insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
    select ${ws}::uuid, id, 'line', 'marketing', 'granted', 'bench', now() from c)
  select id from c order by id`.execute(db);
const ids = rows.map((r) => Number(r.id));
await sql`insert into product (workspace_id, sku, name, price) select ${ws}::uuid, 'P' || g, '商品' || g, 1000 * g from generate_series(1, 8) g`.execute(
  db,
);
await sql`insert into customer_order (workspace_id, external_id, customer_id, status, ordered_at, subtotal, total)
  select ${ws}::uuid, 'O' || c || '-' || k, c, 'completed', now() - (k || ' days')::interval, 2000, 2000
  from unnest(${ids}::bigint[]) c, generate_series(1, 3) k`.execute(db);
await sql`insert into order_line (workspace_id, order_id, line_no, sku, name, quantity, unit_price, amount)
  select o.workspace_id, o.id, l, 'P' || (1 + (o.id * 7 + l * 3) % 8), 'x', 1, 1000, 1000
  from customer_order o, generate_series(1, 2) l where o.workspace_id = ${ws}`.execute(db);
console.log(`${n} customers, ${n * 3} orders (${values.url ? 'PostgreSQL' : 'PGlite'})`);

const [, recMs] = await time(() => recommendProducts(db, ws, ids, { limit: 3 }));
console.log(`recommendations for all ${n} customers (one statement): ${secs(recMs)}`);

const now = new Date();
const campaign = await createCampaign(
  db,
  ws,
  {
    name: 'ベンチ',
    channelId: channel.id,
    audience: { customerIds: ids },
    holdoutPercent: 10,
    variants: [
      {
        key: 'A',
        messages: [
          {
            type: 'text',
            text: '{{ customer.given_name }}様 {% for p in recommendations limit:2 %}{{ p.name }} {% endfor %}https://shop.example.jp/sale',
          },
        ],
      },
      {
        key: 'B',
        messages: [{ type: 'text', text: '{{ customer.given_name }}様 セール https://shop.example.jp/sale' }],
      },
    ],
  },
  { actor: 'bench', linkBase: 'https://kizuna.example.jp', now },
);
const compiled = compileContent(campaign.variants[0]!.messages, 'messages').compiled;
const [, renderMs] = await time(() =>
  renderForAudience(db, ws, compiled, ids, { recommendations: { limit: 5 } }),
);
console.log(`render alone (variables, recommendations, Liquid) for ${n}: ${secs(renderMs)}`);
const plain = compileContent(campaign.variants[1]!.messages, 'messages').compiled;
const [, plainMs] = await time(() => renderForAudience(db, ws, plain, ids));
console.log(`render alone (variables, Liquid, no recommendations) for ${n}: ${secs(plainMs)}`);
await sendCampaignNow(db, undefined, ws, campaign.id, now);
const [, campaignMs] = await time(() =>
  runCampaignSend({ db, jobs: undefined, secrets, now }, ws, campaign.id),
);
console.log(
  `campaign (audience, render, signed links, outbox) for ${n}: ${secs(campaignMs)} (${Math.round(n / (campaignMs / 1000))} customers/s)`,
);
const [, baseMs] = await time(() =>
  createSend(db, undefined, ws, {
    channelId: channel.id,
    idempotencyKey: 'baseline',
    messages: [{ type: 'text', text: 'セール' }],
    customerIds: ids,
  }),
);
console.log(`baseline: one shared send to the same ${n} (createSend alone): ${secs(baseMs)}`);
await database.close();
await dropSchema();
