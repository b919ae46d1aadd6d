// GET /v1/analytics/attribution: per source, over JST days, how many came and what they became.
// A customer's acquisition instant is the earlier of their first friend-add (a LINE follow that
// was not an unblock) and their recorded source (a LIFF open with ?src=); a customer acquired in
// the range counts in the row of their source, or in 「不明」 (unknown) when none was recorded.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { invalid } from '../shared/domain-error.ts';
import { jstDay } from '../shared/japan-time.ts';
import { type AttributionSource, listSources, type SourceKind } from './attribution-sources.ts';

export interface AttributionRow {
  /** null for unknown (不明): friend-adds with no recorded source. */
  sourceId: number | null;
  code: string | null;
  name: string;
  kind: SourceKind | null;
  /** LIFF first opens through the source in the range. */
  opens: number;
  /** Friend-adds in the range (first follows, not unblocks). */
  friends: number;
  /** Customers acquired in the range (the cohort the columns below describe). */
  customers: number;
  /** Of them, those also known by an email, phone or member number (linked to the shop's records). */
  linkedMembers: number;
  /** Of them, those whose first completed order came after they were acquired. */
  firstPurchases: number;
  /** Their completed-order revenue since acquisition (total − refunds), integer yen. */
  revenue: number;
  /** revenue / customers, rounded to the yen (0 without customers). */
  ltv: number;
}

export interface AttributionReport {
  from: string;
  to: string;
  rows: AttributionRow[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const jstStart = (day: string) => new Date(`${day}T00:00:00+09:00`);

/** The range's JST days: both given, or the 30 days up to today (JST) by default. */
function range(query: { from?: string | undefined; to?: string | undefined }, now: Date) {
  const day = (path: 'from' | 'to', value: string) => {
    const start = jstStart(value);
    if (!DAY.test(value) || Number.isNaN(start.getTime()) || jstDay(start) !== value)
      throw invalid([{ path, message: `"${value}" is not a calendar day (YYYY-MM-DD, JST)` }]);
    return start;
  };
  // Each day is checked before any date arithmetic: an invalid one would make an Invalid Date.
  const to = query.to ?? jstDay(now);
  const end = new Date(day('to', to).getTime() + 86_400_000);
  const from = query.from ?? jstDay(new Date(end.getTime() - 30 * 86_400_000));
  const start = day('from', from);
  if (from > to) throw invalid([{ path: 'from', message: `is after to (${to})` }]);
  return { from, to, start, end };
}

interface Counts {
  source_id: number | null;
  opens: number;
  friends: number;
  customers: number;
  linked: number;
  first_purchases: number;
  revenue: number;
}

export async function attributionReport(
  db: Kysely<DB>,
  workspaceId: string,
  query: { from?: string | undefined; to?: string | undefined },
  now: Date,
): Promise<AttributionReport> {
  const { from, to, start, end } = range(query, now);
  const { rows } = await sql<Counts>`
    with follows as (
      select customer_id, min(occurred_at) as followed_at from event
      where workspace_id = ${workspaceId} and type = 'custom:line.follow'
        and coalesce(properties->>'isUnblocked', 'false') <> 'true'
      group by customer_id),
    cohort as (
      select c.id as customer_id, a.source_id, a.attributed_at, f.followed_at,
        least(a.attributed_at, f.followed_at) as acquired_at
      from customer c
      left join customer_attribution a on a.workspace_id = c.workspace_id and a.customer_id = c.id
      left join follows f on f.customer_id = c.id
      where c.workspace_id = ${workspaceId} and c.merged_into_id is null
        and (a.customer_id is not null or f.customer_id is not null)),
    acquired as (
      select k.customer_id, k.acquired_at,
        exists (select 1 from customer_identity i where i.workspace_id = ${workspaceId}
          and i.customer_id = k.customer_id and i.kind <> 'line') as linked,
        (select min(o.ordered_at) from customer_order o where o.workspace_id = ${workspaceId}
          and o.customer_id = k.customer_id and o.status = 'completed') as first_order_at,
        (select coalesce(sum(o.total - o.refunded_amount), 0) from customer_order o
          where o.workspace_id = ${workspaceId} and o.customer_id = k.customer_id
            and o.status = 'completed' and o.ordered_at >= k.acquired_at) as revenue
      from cohort k where k.acquired_at >= ${start} and k.acquired_at < ${end})
    select k.source_id,
      count(*) filter (where k.attributed_at >= ${start} and k.attributed_at < ${end})::int as opens,
      count(*) filter (where k.followed_at >= ${start} and k.followed_at < ${end})::int as friends,
      count(q.customer_id)::int as customers,
      count(*) filter (where q.linked)::int as linked,
      count(*) filter (where q.first_order_at >= q.acquired_at)::int as first_purchases,
      coalesce(sum(q.revenue), 0)::int8 as revenue
    from cohort k left join acquired q on q.customer_id = k.customer_id
    group by k.source_id`.execute(db);
  const bySource = new Map(rows.map((r) => [r.source_id === null ? null : Number(r.source_id), r]));
  const row = (source: AttributionSource | undefined, counts: Counts | undefined): AttributionRow => {
    const customers = counts?.customers ?? 0;
    const revenue = Number(counts?.revenue ?? 0);
    return {
      sourceId: source?.id ?? null,
      code: source?.code ?? null,
      name: source?.name ?? '不明',
      kind: source?.kind ?? null,
      opens: counts?.opens ?? 0,
      friends: counts?.friends ?? 0,
      customers,
      linkedMembers: counts?.linked ?? 0,
      firstPurchases: counts?.first_purchases ?? 0,
      revenue,
      ltv: customers ? Math.round(revenue / customers) : 0,
    };
  };
  const sources = await listSources(db, workspaceId);
  return {
    from,
    to,
    rows: [...sources.map((s) => row(s, bySource.get(s.id))), row(undefined, bySource.get(null))],
  };
}
