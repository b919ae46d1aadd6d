// The shop bench/console opens in the browser: 1M customers with purchase histories, LINE friends,
// three segments, a CLV fit and the dashboard's stored views, on a PostgreSQL database of its own.
// Customers and orders come from bench/segments' generator (inside PostgreSQL, no rows through
// Node); this file adds what the dashboard reads beyond them.
import type { Database } from '@kizuna/server/database';
import { refreshAnalytics } from '@kizuna/server/internal/analytics/analytics-views';
import { refitClv } from '@kizuna/server/internal/analytics/refit-clv';
import { createSegment } from '@kizuna/server/internal/segments/segment-store';
import { TEMPLATES } from '@kizuna/server/internal/segments/templates';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import { sql } from 'kysely';
import { generateBrand } from '../segments/generate.ts';

export const SHOP_NAME = 'ベンチ店';

/** Segments on order data (the shop has no visits): the dashboard lists their sizes. */
const SEGMENT_TEMPLATES = ['first_purchase', 'lapsed_180d', 'vip'];

export interface ShopOptions {
  customers: number;
  orders: number;
  log: (message: string) => void;
}

async function timed<T>(log: (m: string) => void, what: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await run();
  log(`  ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** The bench shop's workspace id in a database a previous run built, or undefined. */
export async function findShop(database: Database): Promise<string | undefined> {
  const row = await database.db
    .selectFrom('workspace')
    .select('id')
    .where('name', '=', SHOP_NAME)
    .executeTakeFirst();
  return row?.id;
}

/**
 * Builds the shop in an empty database: customers and orders (bench/segments' generator: two years
 * of buy-till-you-die histories, 95% completed), a LINE channel whose friends are the customers
 * with a LINE identity (8% blocked), three segments from the templates, the CLV fit and every
 * stored dashboard view. Returns the workspace id.
 */
export async function buildShop(database: Database, o: ShopOptions): Promise<string> {
  const { db } = database;
  const now = new Date();
  await migrate(database);
  const { workspaceId: ws } = await initWorkspace(db, { name: SHOP_NAME, ownerEmail: 'bench@example.jp' });
  o.log(`generating ${o.customers.toLocaleString()} customers, about ${o.orders.toLocaleString()} orders`);
  await generateBrand(database, ws, { customers: o.customers, orders: o.orders, visits: 0, now, log: o.log });
  await timed(o.log, 'LINE friends', async () => {
    // The channel's secrets are never used (no message is sent): placeholders, not sealed values.
    const { rows } = await sql<{ id: string }>`insert into line_channel
        (workspace_id, line_channel_id, name, secret_sealed, access_token_sealed)
      values (${ws}, '1650000099', 'ベンチ店 公式', 'unused', 'unused') returning id`.execute(db);
    await sql`insert into line_friend (workspace_id, channel_id, line_user_id, customer_id, status, display_name, follow_count, last_event_at)
      select ${ws}::uuid, ${rows[0]!.id}::uuid, i.value, i.customer_id,
        case when random() < 0.08 then 'blocked' else 'friend' end, 'LINE ' || i.customer_id, 1,
        ${now}::timestamptz - random() * interval '365 days'
      from customer_identity i where i.workspace_id = ${ws} and i.kind = 'line'`.execute(db);
  });
  await timed(o.log, 'segments (first evaluation)', async () => {
    for (const key of SEGMENT_TEMPLATES) {
      const template = TEMPLATES.find((t) => t.key === key)!;
      await createSegment(db, ws, { name: template.name.ja, definition: template.definition }, { now });
    }
  });
  await timed(o.log, 'CLV refit', () => refitClv(db, ws, now));
  await timed(o.log, 'dashboard views (refreshAnalytics)', () => refreshAnalytics(db, ws));
  await timed(o.log, 'vacuum analyze', () => sql`vacuum analyze`.execute(db));
  return ws;
}
