// Hand-built customers for the segment tests: each one's membership of each template is known.
import { sql } from 'kysely';
import type { Database } from '../src/db/open-database.ts';
import '../src/analytics/analytics-tables.ts';

/** The evaluation instant of the fixture: 2026-06-15 12:00 JST. */
export const NOW = new Date('2026-06-15T03:00:00Z');
const DAY = 86_400_000;
export const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

export interface FixtureCustomer {
  key: string;
  birthday?: string;
  registeredDaysAgo?: number;
  merged?: boolean;
  line?: 'friend' | 'blocked';
  email?: boolean;
  orders?: { daysAgo: number; total?: number; status?: 'completed' | 'cancelled' | 'refunded' }[];
  visits?: number[];
  prediction?: { pAlive: number; percentile: number };
  tags?: string[];
  attributes?: Record<string, unknown>;
}

export const CUSTOMERS: FixtureCustomer[] = [
  { key: 'A', birthday: '1990-06-03', orders: [{ daysAgo: 100 }] },
  {
    key: 'B',
    birthday: '1985-05-31',
    orders: [{ daysAgo: 200 }, { daysAgo: 200 }],
    visits: [200, 190, 185],
    prediction: { pAlive: 0.3, percentile: 50 },
  },
  { key: 'C', registeredDaysAgo: 10, visits: [10], line: 'friend', email: true, tags: ['vip_candidate'] },
  { key: 'D', birthday: '1999-07-01', line: 'blocked' },
  {
    key: 'E',
    orders: [{ daysAgo: 5 }, { daysAgo: 60, status: 'cancelled' }, { daysAgo: 70, status: 'refunded' }],
    prediction: { pAlive: 0.9, percentile: 95 },
    attributes: { rank: 'gold', points: 1200 },
  },
  { key: 'F', birthday: '1990-06-10', merged: true, orders: [{ daysAgo: 3 }] },
  {
    key: 'G',
    orders: [{ daysAgo: 400 }, { daysAgo: 300 }, { daysAgo: 100 }, { daysAgo: 20, total: 9000 }],
    prediction: { pAlive: 0.4, percentile: 92 },
    attributes: { rank: 'silver', points: 300 },
  },
  { key: 'H', registeredDaysAgo: 730 },
  { key: 'I', orders: [{ daysAgo: 179 }] },
  { key: 'J', visits: [181], line: 'friend' },
];

/** Expected members of each template at NOW. */
export const EXPECTED: Record<string, string[]> = {
  first_purchase: ['A', 'E', 'I'],
  first_visit: ['C', 'J'],
  new_30d: ['C', 'E'],
  regulars: ['B'],
  lapsed_180d: ['B', 'J'],
  birthday_this_month: ['A'],
  anniversary_today: ['H'],
  vip: ['E', 'G'],
  at_risk: ['B', 'G'],
  line_friends_never_bought: ['C', 'J'],
};

/** Inserts the fixture into a workspace; returns key → customer id. */
export async function buildFixture(database: Database, workspaceId: string): Promise<Map<string, number>> {
  const { db } = database;
  const ids = new Map<string, number>();
  let n = 0;
  for (const c of CUSTOMERS) {
    const row = await db
      .insertInto('customer')
      .values({
        workspace_id: workspaceId,
        family_name: `顧客${c.key}`,
        birthday: c.birthday ?? null,
        registered_at: daysAgo(c.registeredDaysAgo ?? 500),
        attributes: JSON.stringify(c.attributes ?? {}),
        tags: c.tags ?? [],
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.set(c.key, row.id);
    if (c.merged) {
      await db
        .updateTable('customer')
        .set({ merged_into_id: ids.get('A') ?? null })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', row.id)
        .execute();
    }
    if (c.line) {
      await db
        .insertInto('customer_identity')
        .values({ workspace_id: workspaceId, kind: 'line', value: `U${c.key}${n}`, customer_id: row.id })
        .execute();
      if (c.line === 'blocked') {
        await db
          .insertInto('customer_consent')
          .values({
            workspace_id: workspaceId,
            customer_id: row.id,
            channel: 'line',
            purpose: 'marketing',
            status: 'blocked',
            source: 'line_unfollow',
            occurred_at: daysAgo(3),
          })
          .execute();
      }
    }
    if (c.email) {
      await db
        .insertInto('customer_identity')
        .values({
          workspace_id: workspaceId,
          kind: 'email',
          value: `${c.key}@example.jp`,
          customer_id: row.id,
        })
        .execute();
    }
    for (const o of c.orders ?? []) {
      n++;
      const total = o.total ?? 3000;
      await db
        .insertInto('customer_order')
        .values({
          workspace_id: workspaceId,
          external_id: `O${n}`,
          customer_id: row.id,
          status: o.status ?? 'completed',
          ordered_at: daysAgo(o.daysAgo),
          subtotal: total,
          total,
          refunded_amount: o.status === 'refunded' ? total : 0,
        })
        .execute();
    }
    for (const v of c.visits ?? []) {
      n++;
      await db
        .insertInto('visit')
        .values({
          workspace_id: workspaceId,
          external_id: `V${n}`,
          customer_id: row.id,
          visited_at: daysAgo(v),
        })
        .execute();
    }
  }
  const model = await sql<{ id: number }>`insert into clv_model (workspace_id, model, calibration_end)
    values (${workspaceId}, 'bgnbd+gg', ${NOW}) returning id`.execute(db);
  const modelId = model.rows[0]?.id ?? 0;
  for (const c of CUSTOMERS) {
    if (!c.prediction) continue;
    await db
      .insertInto('clv_prediction')
      .values({
        workspace_id: workspaceId,
        customer_id: ids.get(c.key) ?? 0,
        model_id: modelId,
        p_alive: c.prediction.pAlive,
        expected_purchases_30d: 0.1,
        expected_purchases_90d: 0.3,
        expected_purchases_365d: 1,
        expected_spend: 3000,
        predicted_clv: c.prediction.percentile * 100,
        clv_percentile: c.prediction.percentile,
      })
      .execute();
  }
  return ids;
}

/** Fixture keys of a list of customer ids. */
export function keysOf(ids: Map<string, number>, customerIds: number[]): string[] {
  const byId = new Map([...ids].map(([k, v]) => [v, k]));
  return customerIds.map((id) => byId.get(id) ?? `?${id}`).sort();
}
