// What mergeLoyalty will leave, read without writing: the survivor's balance is the sum of the
// members' balances, and every coupon and stamp card moves (merge-loyalty.ts).
import { type Kysely, sql } from 'kysely';
import type { MergePreviewFigure } from '../customers/customer-data.ts';
import type { DB } from '../db/schema.ts';

export async function previewLoyaltyMerge(
  db: Kysely<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
): Promise<MergePreviewFigure[]> {
  const ids = [survivorId, ...mergedIds];
  const { rows } = await sql<{ customer_id: number; balance: number }>`
    select customer_id, balance from loyalty_member
    where workspace_id = ${workspaceId} and customer_id = any(${ids}::bigint[])`.execute(db);
  const byCustomer = ids.map((customerId) => ({
    customerId,
    value: rows.find((r) => Number(r.customer_id) === customerId)?.balance ?? 0,
  }));
  return [{ name: 'points', byCustomer, after: byCustomer.reduce((sum, b) => sum + b.value, 0) }];
}
