// A customer merge: the merged records' runs become the survivor's. A run that would give the
// survivor a second active run of the same journey and key (or a second run of a 'never'
// journey) exits first (`merged`): the survivor keeps the run it already had.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

export async function mergeJourneyRuns(
  tx: Transaction<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
): Promise<void> {
  // The transaction's own time: a merge carries no business clock.
  await sql`update journey_run m set status = 'exited', exited_at = now(), exit_reason = 'merged', due_at = null
    where m.workspace_id = ${workspaceId} and m.customer_id = any(${mergedIds}::bigint[]) and m.status = 'active'
      and exists (select 1 from journey_run s where s.workspace_id = m.workspace_id and s.journey_id = m.journey_id
        and s.customer_id = ${survivorId} and s.run_key = m.run_key and s.status = 'active')`.execute(tx);
  // Of several merged records' active runs of one journey and key, the oldest stays active.
  await sql`update journey_run m set status = 'exited', exited_at = now(), exit_reason = 'merged', due_at = null
    where m.workspace_id = ${workspaceId} and m.customer_id = any(${mergedIds}::bigint[]) and m.status = 'active'
      and exists (select 1 from journey_run o where o.workspace_id = m.workspace_id and o.journey_id = m.journey_id
        and o.customer_id = any(${mergedIds}::bigint[]) and o.run_key = m.run_key and o.status = 'active' and o.id < m.id)`.execute(
    tx,
  );
  // 'never' runs: one per journey and key; the later duplicates lose the flag (they still happened).
  await sql`update journey_run m set once = false
    where m.workspace_id = ${workspaceId} and m.customer_id = any(${mergedIds}::bigint[]) and m.once
      and exists (select 1 from journey_run o where o.workspace_id = m.workspace_id and o.journey_id = m.journey_id
        and o.run_key = m.run_key and o.once and o.id <> m.id
        and (o.customer_id = ${survivorId} or (o.customer_id = any(${mergedIds}::bigint[]) and o.id < m.id)))`.execute(
    tx,
  );
  await sql`update journey_run set customer_id = ${survivorId}
    where workspace_id = ${workspaceId} and customer_id = any(${mergedIds}::bigint[])`.execute(tx);
}
