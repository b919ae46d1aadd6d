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
  const only = (col: string) =>
    customerIds ? sql`and ${sql.ref(col)} = any(${[...customerIds]}::bigint[])` : sql``;
  const result = await sql`
    insert into customer_stats as s (workspace_id, customer_id, order_count, revenue, first_order_at,
      last_order_at, visit_count, first_visit_at, last_visit_at, updated_at)
    select c.workspace_id, c.id, coalesce(o.n, 0), coalesce(o.revenue, 0), o.f, o.l,
      coalesce(v.n, 0), v.f, v.l, now()
    from customer c
    left join (select customer_id, count(*) as n, sum(total - refunded_amount) as revenue,
        min(ordered_at) as f, max(ordered_at) as l
      from customer_order where workspace_id = ${workspaceId} and status = 'completed' ${only('customer_id')}
      group by customer_id) o on o.customer_id = c.id
    left join (select customer_id, count(*) as n, min(visited_at) as f, max(visited_at) as l
      from visit where workspace_id = ${workspaceId} ${only('customer_id')}
      group by customer_id) v on v.customer_id = c.id
    where c.workspace_id = ${workspaceId} and c.merged_into_id is null ${only('c.id')}
    on conflict (workspace_id, customer_id) do update set order_count = excluded.order_count,
      revenue = excluded.revenue, first_order_at = excluded.first_order_at,
      last_order_at = excluded.last_order_at, visit_count = excluded.visit_count,
      first_visit_at = excluded.first_visit_at, last_visit_at = excluded.last_visit_at,
      updated_at = excluded.updated_at`.execute(db);
  // Merged-away records keep no stats: their orders and visits now belong to the survivor.
  await sql`delete from customer_stats s where s.workspace_id = ${workspaceId} ${only('s.customer_id')}
    and exists (select 1 from customer c where c.workspace_id = s.workspace_id and c.id = s.customer_id
      and c.merged_into_id is not null)`.execute(db);
  return Number(result.numAffectedRows ?? 0);
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
