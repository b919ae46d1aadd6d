// What a customer merge does to attributions: the survivor keeps the earliest one of the records
// (first touch wins across the merged records as it does for one).
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

export async function mergeAttribution(
  tx: Transaction<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
): Promise<void> {
  const ids = [survivorId, ...mergedIds];
  const { rows } = await sql<{ source_id: number; attributed_at: Date }>`
    select source_id, attributed_at from customer_attribution
    where workspace_id = ${workspaceId} and customer_id = any (${ids}::bigint[])
    order by attributed_at, customer_id limit 1`.execute(tx);
  const earliest = rows[0];
  if (!earliest) return;
  await sql`delete from customer_attribution
    where workspace_id = ${workspaceId} and customer_id = any (${ids}::bigint[])`.execute(tx);
  await sql`insert into customer_attribution (workspace_id, customer_id, source_id, attributed_at)
    values (${workspaceId}, ${survivorId}, ${earliest.source_id}, ${earliest.attributed_at})`.execute(tx);
}
