// Conversions of a campaign's groups, set-based: for each recipient (messaged or held out), their
// completed orders in the attribution window after the campaign sent, last touch: an order placed
// after another campaign messaged the customer belongs to that later campaign. The same rule is
// applied to the holdout (they were not messaged by this campaign, but other campaigns reach both
// groups alike), so the comparison stays fair.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SampleSums } from './lift-stats.ts';

export interface GroupConversions {
  /** Customers in the group (variant key, or 'holdout'). */
  audience: number;
  converted: number;
  revenue: SampleSums;
}

/** Per group (variant key or 'holdout'): audience, converted customers and revenue sums per customer. */
export async function groupConversions(
  db: Kysely<DB>,
  workspaceId: string,
  campaignId: number,
  sentAt: Date,
  attributionDays: number,
): Promise<Map<string, GroupConversions>> {
  const until = new Date(sentAt.getTime() + attributionDays * 86_400_000);
  const { rows } = await sql<{
    grp: string;
    n: number;
    converted: number;
    revenue: number;
    revenue_sq: number;
  }>`
    with r as (
      select customer_id, coalesce(variant_key, 'holdout') as grp from campaign_recipient
      where workspace_id = ${workspaceId} and campaign_id = ${campaignId}
    ), later as (
      select cr.customer_id, min(oc.sent_at) as next_at
      from campaign_recipient cr
      join campaign oc on oc.workspace_id = cr.workspace_id and oc.id = cr.campaign_id
      where cr.workspace_id = ${workspaceId} and cr.campaign_id <> ${campaignId} and cr.decision = 'send'
        and oc.sent_at > ${sentAt} and cr.customer_id in (select customer_id from r)
      group by cr.customer_id
    ), per as (
      select r.grp, r.customer_id, count(o.id) as orders, coalesce(sum(o.total - o.refunded_amount), 0)::float8 as revenue
      from r
      left join later l on l.customer_id = r.customer_id
      left join customer_order o on o.workspace_id = ${workspaceId} and o.customer_id = r.customer_id
        and o.status = 'completed' and o.ordered_at > ${sentAt} and o.ordered_at <= ${until}
        and (l.next_at is null or o.ordered_at < l.next_at)
      group by r.grp, r.customer_id
    )
    select grp, count(*)::int as n, (count(*) filter (where orders > 0))::int as converted,
      coalesce(sum(revenue), 0)::float8 as revenue, coalesce(sum(revenue * revenue), 0)::float8 as revenue_sq
    from per group by grp`.execute(db);
  return new Map(
    rows.map((r) => [
      r.grp,
      {
        audience: r.n,
        converted: r.converted,
        revenue: { n: r.n, sum: Number(r.revenue), sumSquares: Number(r.revenue_sq) },
      },
    ]),
  );
}

/** Distinct customers who clicked a link of each origin (campaign:12/A → 'A'). */
export async function groupClicks(
  db: Kysely<DB>,
  workspaceId: string,
  campaignId: number,
): Promise<Map<string, number>> {
  const prefix = `campaign:${campaignId}/`;
  const { rows } = await sql<{ origin: string; n: number }>`
    select l.origin, count(distinct k.customer_id)::int as n
    from tracked_link l join link_click k on k.workspace_id = l.workspace_id and k.link_id = l.id
    where l.workspace_id = ${workspaceId} and starts_with(l.origin, ${prefix})
    group by l.origin`.execute(db);
  return new Map(rows.map((r) => [r.origin.slice(prefix.length), r.n]));
}
