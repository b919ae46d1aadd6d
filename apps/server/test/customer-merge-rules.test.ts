// A customer merge does to each table what its capability's descriptor declares.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CAPABILITIES } from '../src/capabilities/index.ts';
import { type CustomMerge, installCustomerData } from '../src/customers/customer-data.ts';
import { mergeCustomers } from '../src/customers/merge-customers.ts';
import { upsertCustomer } from '../src/customers/upsert-customer.ts';
import { createTestApp, lineUserId, type TestApp } from './helpers.ts';

let t: TestApp;
let n = 0;
beforeAll(async () => {
  t = await createTestApp();
  // Two tables of a made-up "gifts" capability: cards move with their customer, scores are derived.
  await sql`create table gift_card (workspace_id uuid not null, customer_id bigint not null, code text not null)`.execute(
    t.database.db,
  );
  await sql`create table gift_score (workspace_id uuid not null, customer_id bigint not null)`.execute(
    t.database.db,
  );
});
afterEach(() => installCustomerData(CAPABILITIES));
afterAll(() => t.close());

function installGifts(step: CustomMerge) {
  installCustomerData([
    ...CAPABILITIES,
    {
      name: 'gifts',
      customerData: [
        { table: 'gift_card', onMerge: 'move' },
        { table: 'gift_score', onMerge: 'drop' },
      ],
      mergeCustomers: step,
    },
  ]);
}

/** Two customers, each with an order, a gift card and a score; returns their ids and identities. */
async function twoCustomers() {
  const ws = t.workspace.workspaceId;
  const line = { lineUserId: lineUserId(++n) };
  const member = { external: [{ namespace: 'member_no', value: `M-${++n}` }] };
  const ids: number[] = [];
  for (const identity of [line, member]) {
    const { id } = await t.database.db.transaction().execute((tx) => upsertCustomer(tx, ws, identity));
    ids.push(id);
    const order = {
      id: `gift-${n}-${id}`,
      customer: { id },
      orderedAt: '2026-01-05T10:00:00+09:00',
      total: 1000,
    };
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: t.auth,
      payload: { orders: [order] },
    });
    expect(res.statusCode).toBe(200);
    await sql`insert into gift_card values (${ws}, ${id}, ${`G-${id}`}), (${ws}, ${id}, ${`H-${id}`})`.execute(
      t.database.db,
    );
    await sql`insert into gift_score values (${ws}, ${id})`.execute(t.database.db);
  }
  return { ws, ids: ids as [number, number], both: { ...line, ...member } };
}

async function rowsOf(table: 'gift_card' | 'gift_score', ws: string, ids: number[]) {
  const { rows } = await sql<{ customer_id: number }>`
    select customer_id from ${sql.table(table)}
    where workspace_id = ${ws} and customer_id = any(${ids}::bigint[]) order by customer_id`.execute(
    t.database.db,
  );
  return rows.map((r) => Number(r.customer_id));
}

describe('merge rules from the descriptors', () => {
  it('moves the move tables, drops the drop tables and runs each custom step once, in the merge', async () => {
    const steps: unknown[] = [];
    installGifts(async (tx, workspaceId, survivorId, mergedIds) => {
      steps.push({ workspaceId, survivorId, mergedIds, inTransaction: tx.isTransaction });
    });
    const { ws, ids, both } = await twoCustomers();
    const [survivor, merged] = [Math.min(...ids), Math.max(...ids)];
    const outcome = await t.database.db.transaction().execute((tx) => upsertCustomer(tx, ws, both));
    expect(outcome).toMatchObject({ id: survivor, mergedIds: [merged] });
    expect(steps).toEqual([
      { workspaceId: ws, survivorId: survivor, mergedIds: [merged], inTransaction: true },
    ]);
    expect(await rowsOf('gift_card', ws, ids)).toEqual([survivor, survivor, survivor, survivor]);
    expect(await rowsOf('gift_score', ws, ids)).toEqual([survivor]);
    const record = await t.database.db
      .selectFrom('customer_merge')
      .select('detail')
      .where('workspace_id', '=', ws)
      .where('merged_id', '=', merged)
      .executeTakeFirstOrThrow();
    expect(record.detail.moved).toMatchObject({ gift_card: 2, customer_order: 1 });
    // The analytics step: the survivor's figures now count both orders; the merged record has none.
    const stats = await t.database.db
      .selectFrom('customer_stats')
      .select(['customer_id', 'order_count'])
      .where('workspace_id', '=', ws)
      .where('customer_id', 'in', ids)
      .execute();
    expect(stats.map((s) => ({ ...s, customer_id: Number(s.customer_id) }))).toEqual([
      { customer_id: survivor, order_count: 2 },
    ]);
  });

  it('a failing custom step rolls the whole merge back', async () => {
    installGifts(async () => {
      throw new Error('gift ledger unavailable');
    });
    const { ws, ids, both } = await twoCustomers();
    await expect(t.database.db.transaction().execute((tx) => upsertCustomer(tx, ws, both))).rejects.toThrow(
      'gift ledger unavailable',
    );
    const customers = await t.database.db
      .selectFrom('customer')
      .select('merged_into_id')
      .where('workspace_id', '=', ws)
      .where('id', 'in', ids)
      .execute();
    expect(customers).toEqual([{ merged_into_id: null }, { merged_into_id: null }]);
    expect(await rowsOf('gift_card', ws, ids)).toEqual(
      [ids[0], ids[0], ids[1], ids[1]].sort((a, b) => a - b),
    );
  });

  it('refuses to merge outside a transaction, where the steps could not roll back together', async () => {
    const { ws, ids } = await twoCustomers();
    await expect(mergeCustomers(t.database.db, ws, ids, { identities: [], source: 'test' })).rejects.toThrow(
      'mergeCustomers: must run inside a transaction',
    );
  });
});
