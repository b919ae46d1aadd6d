import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Moves each customer's registered_at back to `at` when `at` is earlier, never later: a customer
 * whose first order an import shows at `at` has been a customer since then (a customer created
 * by the import would otherwise be registered at the time of the import). One statement for a
 * whole batch; returns the customers whose registered_at moved.
 */
export async function registerNoLaterThan(
  tx: Transaction<DB>,
  workspaceId: string,
  customers: readonly { customerId: number; at: Date }[],
): Promise<number[]> {
  if (!customers.length) return [];
  const { rows } = await sql<{ id: number }>`
    update customer c set registered_at = w.at, updated_at = now()
    from (select customer_id, min(at) as at
      from unnest(${customers.map((c) => c.customerId)}::bigint[], ${customers.map((c) => c.at.toISOString())}::timestamptz[]) as u(customer_id, at)
      group by customer_id) w
    where c.workspace_id = ${workspaceId} and c.id = w.customer_id and c.registered_at > w.at
    returning c.id`.execute(tx);
  return rows.map((r) => Number(r.id));
}
