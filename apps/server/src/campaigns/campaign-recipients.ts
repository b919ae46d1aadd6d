// A sent campaign's audience as it was fixed: each customer's bucket, variant and decision
// (holdout, send, render_failed), for the console and the karte.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { RecipientDecision } from './campaign-tables.ts';
import { getCampaign } from './campaign-view.ts';

export interface CampaignRecipientView {
  customerId: number;
  bucket: number;
  variant: string | null;
  decision: RecipientDecision;
  detail: string | null;
}

/** In customer id order, `limit` at a time after `afterCustomerId`; optionally one decision only. */
export async function listCampaignRecipients(
  db: Kysely<DB>,
  workspaceId: string,
  campaignId: number,
  page: { limit: number; afterCustomerId?: number | undefined; decision?: RecipientDecision | undefined },
): Promise<{ items: CampaignRecipientView[]; nextCursor: string | null }> {
  await getCampaign(db, workspaceId, campaignId);
  let query = db
    .selectFrom('campaign_recipient')
    .select(['customer_id', 'bucket', 'variant_key', 'decision', 'detail'])
    .where('workspace_id', '=', workspaceId)
    .where('campaign_id', '=', campaignId)
    .orderBy('customer_id')
    .limit(page.limit);
  if (page.afterCustomerId !== undefined) query = query.where('customer_id', '>', page.afterCustomerId);
  if (page.decision !== undefined) query = query.where('decision', '=', page.decision);
  const rows = await query.execute();
  const items = rows.map((r) => ({
    customerId: Number(r.customer_id),
    bucket: r.bucket,
    variant: r.variant_key,
    decision: r.decision,
    detail: r.detail,
  }));
  return { items, nextCursor: items.length === page.limit ? String(items.at(-1)!.customerId) : null };
}
