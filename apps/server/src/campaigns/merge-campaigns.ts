import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * A merge keeps one row per (campaign, person): where the survivor was in a campaign too, its
 * own assignment stands (the merged record's is dropped); elsewhere the merged record's row moves
 * to the survivor, so the survivor's history shows the campaign.
 */
export async function mergeCampaignRecipients(
  tx: Transaction<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
): Promise<void> {
  await sql`delete from campaign_recipient m
    where m.workspace_id = ${workspaceId} and m.customer_id = any(${mergedIds}::bigint[])
      and (exists (select 1 from campaign_recipient s where s.workspace_id = m.workspace_id
          and s.campaign_id = m.campaign_id and s.customer_id = ${survivorId})
        or m.ctid <> (select min(x.ctid) from campaign_recipient x where x.workspace_id = m.workspace_id
          and x.campaign_id = m.campaign_id and x.customer_id = any(${mergedIds}::bigint[])))`.execute(tx);
  await sql`update campaign_recipient set customer_id = ${survivorId}
    where workspace_id = ${workspaceId} and customer_id = any(${mergedIds}::bigint[])`.execute(tx);
}
