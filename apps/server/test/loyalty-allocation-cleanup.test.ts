// A deleted customer's ledger goes with it, allocations included (migration 0045): before, the
// rows saying which lots a redemption drew from outlived their entries.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/open-database.ts';
import { earnPoints, redeemPoints } from '../src/loyalty/points-ledger.ts';
import { createTestDatabase, newWorkspace } from './helpers.ts';
import { newCustomer } from './loyalty-helpers.ts';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

async function allocations(workspaceId: string) {
  const { rows } = await sql<{ entry_id: string; lot_id: string }>`
    select entry_id, lot_id from point_allocation where workspace_id = ${workspaceId} order by entry_id, lot_id`.execute(
    database.db,
  );
  return rows;
}

/** A member who earned twice and redeemed across both lots: two allocation rows. */
async function memberWithRedemption(workspaceId: string, name: string[]) {
  const customerId = await newCustomer(database, workspaceId, name);
  for (const points of [300, 500])
    await earnPoints(database.db, workspaceId, { customerId, points, actor: 'test', validityMonths: 12 });
  await redeemPoints(database.db, workspaceId, {
    customerId,
    points: 600,
    actor: 'test',
    idempotencyKey: `redeem-${customerId}`,
  });
  return customerId;
}

describe('point allocations go with their entries', () => {
  it('deleting a customer deletes its allocations, and only its own', async () => {
    const ws = (await newWorkspace(database)).workspaceId;
    const gone = await memberWithRedemption(ws, ['削除', '太郎']);
    const kept = await memberWithRedemption(ws, ['保持', '花子']);
    expect(await allocations(ws)).toHaveLength(4);
    await sql`delete from customer where workspace_id = ${ws} and id = ${gone}`.execute(database.db);
    const left = await allocations(ws);
    expect(left).toHaveLength(2);
    const { rows } = await sql<{ customer_id: string }>`select distinct e.customer_id from point_allocation a
      join point_entry e on e.workspace_id = a.workspace_id and e.id = a.entry_id
      where a.workspace_id = ${ws}`.execute(database.db);
    expect(rows.map((r) => Number(r.customer_id))).toEqual([kept]);
  });

  it('deleting a workspace leaves no allocations of it', async () => {
    const ws = (await newWorkspace(database, '閉店する店')).workspaceId;
    await memberWithRedemption(ws, ['閉店', '一郎']);
    expect(await allocations(ws)).toHaveLength(2);
    await sql`delete from workspace where id = ${ws}`.execute(database.db);
    expect(await allocations(ws)).toEqual([]);
  });
});
