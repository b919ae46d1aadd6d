// What a customer merge does to the LIFF tables. Sessions move (a member whose record was merged
// keeps reading, now the survivor's card). A survey answered by either record counts as
// answered by the survivor: its earliest answer is kept.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

export async function mergeLiff(
  tx: Transaction<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
): Promise<void> {
  await sql`
    insert into liff_survey_response (workspace_id, customer_id, answered_at)
    select workspace_id, ${survivorId}::bigint, min(answered_at) from liff_survey_response
    where workspace_id = ${workspaceId} and customer_id = any (${mergedIds}::bigint[])
    group by workspace_id
    on conflict (workspace_id, customer_id)
      do update set answered_at = least(liff_survey_response.answered_at, excluded.answered_at)`.execute(tx);
  await sql`delete from liff_survey_response
    where workspace_id = ${workspaceId} and customer_id = any (${mergedIds}::bigint[])`.execute(tx);
}
