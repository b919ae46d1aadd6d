/**
 * customer_stats: per-customer order and visit figures, updated for the customers each change
 * touches and rebuilt in full by the analytics refresh, which also scores RFM. Orders count only
 * with status 'completed'; revenue is total − refunded_amount.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import './analytics-tables.ts';

/** Recomputes the stats of `customerIds` (all of the workspace's customers when omitted). */
export async function updateCustomerStats(
  db: Kysely<DB>,
  workspaceId: string,
  customerIds?: readonly number[],
): Promise<number> {
  const result = await customerStatsUpsert(workspaceId, customerIds).execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * The one statement of updateCustomerStats. Merged-away records keep no stats (their orders and
 * visits now belong to the survivor), so theirs are deleted. A row whose figures did not change
 * is left alone (no new row version, no write).
 */
export function customerStatsUpsert(workspaceId: string, customerIds?: readonly number[]) {
  const ids = customerIds ? [...customerIds] : undefined;
  const only = (col: string) => (ids ? sql`and ${sql.ref(col)} = any(${ids}::bigint[])` : sql``);
  // With ids, only the ids that are not live are looked up in customer_stats (usually none).
  const gone = ids
    ? sql`delete from customer_stats s where s.workspace_id = ${workspaceId}
        and s.customer_id = any(array(select unnest(${ids}::bigint[]) except select id from live))`
    : sql`delete from customer_stats s where s.workspace_id = ${workspaceId}
        and exists (select 1 from customer c where c.workspace_id = s.workspace_id and c.id = s.customer_id
          and c.merged_into_id is not null)`;
  return sql`
    with live as materialized (
      select c.workspace_id, c.id from customer c
      where c.workspace_id = ${workspaceId} and c.merged_into_id is null ${only('c.id')}),
    gone as (${gone})
    insert into customer_stats as s (workspace_id, customer_id, order_count, revenue, first_order_at,
      last_order_at, visit_count, first_visit_at, last_visit_at, updated_at)
    select c.workspace_id, c.id, coalesce(o.n, 0), coalesce(o.revenue, 0), o.f, o.l,
      coalesce(v.n, 0), v.f, v.l, now()
    from live c
    left join (select customer_id, count(*) as n, sum(total - refunded_amount) as revenue,
        min(ordered_at) as f, max(ordered_at) as l
      from customer_order where workspace_id = ${workspaceId} and status = 'completed' ${only('customer_id')}
      group by customer_id) o on o.customer_id = c.id
    left join (select customer_id, count(*) as n, min(visited_at) as f, max(visited_at) as l
      from visit where workspace_id = ${workspaceId} ${only('customer_id')}
      group by customer_id) v on v.customer_id = c.id
    on conflict (workspace_id, customer_id) do update set order_count = excluded.order_count,
      revenue = excluded.revenue, first_order_at = excluded.first_order_at,
      last_order_at = excluded.last_order_at, visit_count = excluded.visit_count,
      first_visit_at = excluded.first_visit_at, last_visit_at = excluded.last_visit_at,
      updated_at = excluded.updated_at
    where (s.order_count, s.revenue, s.first_order_at, s.last_order_at, s.visit_count,
        s.first_visit_at, s.last_visit_at)
      is distinct from (excluded.order_count, excluded.revenue, excluded.first_order_at,
        excluded.last_order_at, excluded.visit_count, excluded.first_visit_at, excluded.last_visit_at)`;
}

/**
 * RFM scores 1-5 (quintiles among buyers; 5 = most recent, most frequent, highest revenue).
 * Non-buyers have no scores.
 */
export async function scoreRfm(db: Kysely<DB>, workspaceId: string): Promise<void> {
  await sql`
    update customer_stats s set r_score = q.r, f_score = q.f, m_score = q.m
    from (select customer_id,
        ntile(5) over (order by last_order_at) as r,
        ntile(5) over (order by order_count) as f,
        ntile(5) over (order by revenue) as m
      from customer_stats where workspace_id = ${workspaceId} and order_count > 0) q
    where s.workspace_id = ${workspaceId} and s.customer_id = q.customer_id
      and (s.r_score is distinct from q.r or s.f_score is distinct from q.f or s.m_score is distinct from q.m)`.execute(
    db,
  );
  await sql`update customer_stats set r_score = null, f_score = null, m_score = null
    where workspace_id = ${workspaceId} and order_count = 0 and r_score is not null`.execute(db);
}
