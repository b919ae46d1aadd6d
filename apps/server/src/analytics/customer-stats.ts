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
 *
 * Writers keep the stats current with deltas (applyStatsDeltas) while this runs. A row a
 * concurrent writer changed after this statement's snapshot is left alone too: its figures came
 * from the delta on top of the row, while this statement's come from a snapshot that misses the
 * writer's order. The row's updated_at, as the snapshot saw it, goes through `excluded` and must
 * still be the row's when the upsert reaches it.
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
      last_order_at, visit_count, first_visit_at, last_visit_at, ${PREDICTION_COPY}, updated_at)
    select c.workspace_id, c.id, coalesce(o.n, 0), coalesce(o.revenue, 0), o.f, o.l,
      coalesce(v.n, 0), v.f, v.l, p.p_alive, p.expected_purchases_90d, p.predicted_clv, p.clv_percentile,
      coalesce(seen.updated_at, now())
    from live c
    left join customer_stats seen on seen.workspace_id = c.workspace_id and seen.customer_id = c.id
    left join clv_prediction p on p.workspace_id = c.workspace_id and p.customer_id = c.id ${only('p.customer_id')}
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
      p_alive = excluded.p_alive, expected_purchases_90d = excluded.expected_purchases_90d,
      predicted_clv = excluded.predicted_clv, clv_percentile = excluded.clv_percentile,
      updated_at = now()
    where s.updated_at = excluded.updated_at and ((s.order_count, s.revenue, s.first_order_at, s.last_order_at,
        s.visit_count, s.first_visit_at, s.last_visit_at, s.p_alive, s.expected_purchases_90d, s.predicted_clv,
        s.clv_percentile)
      is distinct from (excluded.order_count, excluded.revenue, excluded.first_order_at,
        excluded.last_order_at, excluded.visit_count, excluded.first_visit_at, excluded.last_visit_at,
        excluded.p_alive, excluded.expected_purchases_90d, excluded.predicted_clv, excluded.clv_percentile))`;
}

const PREDICTION_COPY = sql.raw('p_alive, expected_purchases_90d, predicted_clv, clv_percentile');

/**
 * Copies the stored predictions into customer_stats (the CLV refit calls it after storing them),
 * in transactions of `batch` stats rows, so that writers of those rows wait for a short one at
 * most: the incremental segment recompute reads the copy with the stats row instead of probing
 * clv_prediction per customer. A changed row gets a new updated_at, so that a concurrent full
 * rebuild of the stats leaves it alone (see customerStatsUpsert). Returns the rows changed.
 */
export async function copyPredictionsToStats(
  db: Kysely<DB>,
  workspaceId: string,
  batch = 100_000,
): Promise<number> {
  let changed = 0;
  // Batches of `batch` stats rows by customer id (ids are shared by every workspace, so a range
  // of ids may hold few of this one's): each ends at the batch-th id past the previous end.
  for (let after = 0; ; ) {
    const { rows } = await sql<{ customer_id: number }>`select customer_id from customer_stats
      where workspace_id = ${workspaceId} and customer_id > ${after}
      order by customer_id offset ${batch - 1} limit 1`.execute(db);
    const last = rows[0] ? Number(rows[0].customer_id) : undefined;
    const result = await sql`update customer_stats s set p_alive = p.p_alive,
        expected_purchases_90d = p.expected_purchases_90d, predicted_clv = p.predicted_clv,
        clv_percentile = p.clv_percentile, updated_at = now()
      from customer_stats t
      left join clv_prediction p on p.workspace_id = t.workspace_id and p.customer_id = t.customer_id
      where t.workspace_id = ${workspaceId} and t.customer_id > ${after}
        ${last === undefined ? sql`` : sql`and t.customer_id <= ${last}`}
        and s.workspace_id = t.workspace_id and s.customer_id = t.customer_id
        and (t.p_alive, t.expected_purchases_90d, t.predicted_clv, t.clv_percentile)
          is distinct from (p.p_alive, p.expected_purchases_90d, p.predicted_clv, p.clv_percentile)`.execute(
      db,
    );
    changed += Number(result.numAffectedRows ?? 0);
    if (last === undefined) break;
    after = last;
  }
  return changed;
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

/**
 * What one write did to a customer's stats: completed orders added (`orders` 1, with the amount
 * and the instant) or an amount-only change of a completed order (`orders` 0), and visits added.
 * A write that takes something away (an order no longer completed, moved to another customer or
 * another instant, a merge) cannot be undone by a delta, since the first and last instants may go
 * with it: the customer goes in `recompute` instead.
 */
export interface StatsDelta {
  customerId: number;
  orders?: number;
  revenue?: number;
  orderedAt?: Date;
  visits?: number;
  visitedAt?: Date;
}

/**
 * Keeps customer_stats current at write time, in the writer's transaction, so that the segment
 * recompute after a change reads the stats instead of every touched customer's order and visit
 * history (O(1) per order here instead of O(history) per customer there).
 *
 * 1. One upsert adds the deltas (grouped per customer, in id order so that concurrent writers
 *    lock the rows in the same order). It also locks the row of every customer to recompute.
 * 2. The customers whose row did not exist yet (their history is unknown to the delta) and the
 *    ones in `recompute` are recomputed from the order and visit tables by a second statement,
 *    whose snapshot, taken after step 1 holds their rows, sees every committed change: a
 *    concurrent writer's delta waits for this transaction and lands on top of the exact figures.
 */
export async function applyStatsDeltas(
  tx: Kysely<DB>,
  workspaceId: string,
  deltas: readonly StatsDelta[],
  recompute: readonly number[] = [],
): Promise<void> {
  if (!deltas.length && !recompute.length) return;
  const n = deltas.length + recompute.length;
  const ids: number[] = new Array(n);
  const orders: number[] = new Array(n);
  const revenue: number[] = new Array(n);
  const orderedAt: (Date | null)[] = new Array(n);
  const visits: number[] = new Array(n);
  const visitedAt: (Date | null)[] = new Array(n);
  deltas.forEach((d, i) => {
    ids[i] = d.customerId;
    orders[i] = d.orders ?? 0;
    revenue[i] = d.revenue ?? 0;
    orderedAt[i] = d.orderedAt ?? null;
    visits[i] = d.visits ?? 0;
    visitedAt[i] = d.visitedAt ?? null;
  });
  recompute.forEach((id, k) => {
    const i = deltas.length + k;
    ids[i] = id;
    orders[i] = 0;
    revenue[i] = 0;
    orderedAt[i] = null;
    visits[i] = 0;
    visitedAt[i] = null;
  });
  // Only live customers keep stats; a merged-away id in `recompute` has its row deleted below.
  const { rows } = await sql<{ customer_id: number; inserted: boolean }>`
    with d as (
      select u.customer_id, sum(u.orders)::int as orders, sum(u.revenue)::bigint as revenue,
        min(u.ordered_at) as first_order_at, max(u.ordered_at) as last_order_at,
        sum(u.visits)::int as visits, min(u.visited_at) as first_visit_at, max(u.visited_at) as last_visit_at
      from unnest(${ids}::bigint[], ${orders}::int[], ${revenue}::bigint[], ${orderedAt}::timestamptz[],
          ${visits}::int[], ${visitedAt}::timestamptz[])
        as u(customer_id, orders, revenue, ordered_at, visits, visited_at)
      join customer c on c.workspace_id = ${workspaceId} and c.id = u.customer_id and c.merged_into_id is null
      group by u.customer_id
      order by u.customer_id)
    insert into customer_stats as s (workspace_id, customer_id, order_count, revenue, first_order_at,
      last_order_at, visit_count, first_visit_at, last_visit_at, updated_at)
    select ${workspaceId}::uuid, customer_id, orders, revenue, first_order_at, last_order_at, visits,
      first_visit_at, last_visit_at, now()
    from d
    on conflict (workspace_id, customer_id) do update set
      order_count = s.order_count + excluded.order_count,
      revenue = s.revenue + excluded.revenue,
      first_order_at = least(s.first_order_at, excluded.first_order_at),
      last_order_at = greatest(s.last_order_at, excluded.last_order_at),
      visit_count = s.visit_count + excluded.visit_count,
      first_visit_at = least(s.first_visit_at, excluded.first_visit_at),
      last_visit_at = greatest(s.last_visit_at, excluded.last_visit_at),
      updated_at = excluded.updated_at
    returning s.customer_id, (s.xmax = 0) as inserted`.execute(tx);
  const exact = new Set(recompute);
  for (const r of rows) if (r.inserted) exact.add(Number(r.customer_id));
  if (exact.size) await customerStatsUpsert(workspaceId, [...exact]).execute(tx);
}
