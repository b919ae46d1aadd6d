// Shared by the loyalty tests: customers, orders and the ledger invariants.
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../src/db/open-database.ts';
import { grantCoupon } from '../src/loyalty/coupons.ts';
import type { TestApp } from './helpers.ts';

export async function newCustomer(
  database: Database,
  workspaceId: string,
  name = ['山田', '花子'],
): Promise<number> {
  const { rows } = await sql<{ id: number }>`insert into customer (workspace_id, family_name, given_name)
    values (${workspaceId}, ${name[0]}, ${name[1]}) returning id`.execute(database.db);
  return rows[0]!.id;
}

/**
 * The ledger invariants for every member of the workspace: the cached balance equals the sum of
 * the ledger and the sum of the open lots, and nothing is negative; and every entry's
 * balance_after is the running sum of its customer's ledger up to it (entries posted together, as
 * the loyalty-orders job does, read as if posted one by one).
 */
export async function expectLedgerConsistent(database: Database, workspaceId: string): Promise<void> {
  const { rows: running } = await sql<{ id: number; balance_after: number; running: number }>`
    select id, balance_after, running from (
      select id, balance_after, (sum(points) over (partition by customer_id order by id))::bigint as running
      from point_entry where workspace_id = ${workspaceId}) e
    where balance_after <> running`.execute(database.db);
  expect(running, 'entries whose balance_after is not the running sum').toEqual([]);
  const { rows } = await sql<{ customer_id: number; balance: number; ledger: number; lots: number }>`
    select m.customer_id, m.balance,
      (select coalesce(sum(points), 0) from point_entry e where e.workspace_id = m.workspace_id and e.customer_id = m.customer_id)::bigint as ledger,
      (select coalesce(sum(remaining), 0) from point_lot l where l.workspace_id = m.workspace_id and l.customer_id = m.customer_id)::bigint as lots
    from loyalty_member m where m.workspace_id = ${workspaceId}`.execute(database.db);
  for (const row of rows) {
    expect(row.balance, `member ${row.customer_id}`).toBeGreaterThanOrEqual(0);
    expect({ ledger: row.ledger, lots: row.lots }, `member ${row.customer_id}`).toEqual({
      ledger: row.balance,
      lots: row.balance,
    });
  }
}

/** The customer's loyalty domain events (`loyalty.*`), oldest first. */
export async function loyaltyEvents(database: Database, workspaceId: string, customerId: number) {
  const { rows } = await sql<{
    type: string;
    payload: Record<string, unknown>;
  }>`select type, payload from domain_event
    where workspace_id = ${workspaceId} and customer_id = ${customerId} and type like 'loyalty.%' order by seq`.execute(
    database.db,
  );
  return rows;
}

/** A new customer holding a fresh ¥500-off coupon (its template made through the API). */
export async function customerWithCoupon(t: TestApp, workspaceId: string) {
  const customerId = await newCustomer(t.database, workspaceId);
  const template = await t.app.inject({
    method: 'POST',
    url: '/v1/loyalty/coupon-templates',
    headers: t.auth,
    payload: { name: '500円引き', kind: 'amount_off', value: 500 },
  });
  const coupon = await grantCoupon(t.database.db, workspaceId, {
    templateId: template.json().id,
    customerId,
    source: 'test',
    actor: 'test',
  });
  return { customerId, coupon };
}
