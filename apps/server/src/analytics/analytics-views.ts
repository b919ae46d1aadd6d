/**
 * The dashboard views, each computed by one SQL query and stored as one JSON document in
 * analytics_summary, so a dashboard read is one primary-key lookup at any size. The refresh job
 * recomputes them hourly (and after a CLV refit); a view never computed is computed on first read.
 *
 * Historical LTV = AOV × purchase frequency × lifespan (= revenue per buyer), where lifespan is
 * the mean number of JST days from first to last completed order (+1), in years, and frequency is
 * orders per buyer per year of lifespan. Cohorts are the JST month of the first completed order.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import '../segments/segment-tables.ts';
import './analytics-tables.ts';
import { scoreRfm, updateCustomerStats } from './customer-stats.ts';
import { storeOverview } from './overview.ts';

export const VIEWS = ['ltv_cohort', 'ltv_source', 'ltv_segment', 'retention', 'rfm_grid'] as const;
export type AnalyticsView = (typeof VIEWS)[number];

/** What each stored view holds (the JSON document in analytics_summary.body). */
export interface ViewBodies {
  ltv_cohort: { rows: ReturnType<typeof ltvRows> };
  ltv_source: { rows: ReturnType<typeof ltvRows> };
  ltv_segment: { rows: ReturnType<typeof ltvRows> };
  retention: Awaited<ReturnType<typeof retention>>;
  rfm_grid: {
    cells: { r: number; f: number; customers: number; revenue: number; meanMonetaryScore: number }[];
  };
}

interface LtvRow {
  key: string | null;
  label?: string | null;
  customers: number;
  orders: number;
  revenue: number;
  lifespan_days: number;
}

function ltvRows(rows: LtvRow[]) {
  return rows.map((r) => {
    const customers = Number(r.customers);
    const orders = Number(r.orders);
    const revenue = Number(r.revenue);
    const lifespanYears = Number(r.lifespan_days) / 365.25;
    const purchaseFrequency = customers && lifespanYears ? orders / customers / lifespanYears : 0;
    return {
      key: r.key ?? 'unknown',
      ...(r.label !== undefined ? { label: r.label } : {}),
      customers,
      orders,
      revenue,
      // Yen are integers: the averages are rounded to the yen. AOV × frequency × lifespan is the
      // revenue per buyer, so ltv is rounded from that quotient, not from the rounded AOV.
      aov: orders ? Math.round(revenue / orders) : 0,
      purchaseFrequency,
      lifespanYears,
      ltv: customers ? Math.round(revenue / customers) : 0,
    };
  });
}

const LTV_COLUMNS = sql`count(*)::int as customers, sum(s.order_count)::bigint as orders,
  sum(s.revenue)::bigint as revenue,
  avg((s.last_order_at at time zone 'Asia/Tokyo')::date - (s.first_order_at at time zone 'Asia/Tokyo')::date + 1)::float8 as lifespan_days`;

async function compute(db: Kysely<DB>, ws: string, view: AnalyticsView): Promise<unknown> {
  switch (view) {
    case 'ltv_cohort': {
      const { rows } =
        await sql<LtvRow>`select to_char(s.first_order_at at time zone 'Asia/Tokyo', 'YYYY-MM') as key,
          ${LTV_COLUMNS} from customer_stats s where s.workspace_id = ${ws} and s.order_count > 0
        group by 1 order by 1`.execute(db);
      return { rows: ltvRows(rows) };
    }
    case 'ltv_source': {
      const { rows } = await sql<LtvRow>`select c.acquisition_source as key, ${LTV_COLUMNS}
        from customer_stats s join customer c on c.workspace_id = s.workspace_id and c.id = s.customer_id
        where s.workspace_id = ${ws} and s.order_count > 0 group by 1 order by 1`.execute(db);
      return { rows: ltvRows(rows) };
    }
    case 'ltv_segment': {
      const { rows } = await sql<LtvRow>`select g.id::text as key, g.name as label, ${LTV_COLUMNS}
        from segment g join segment_member m on m.workspace_id = g.workspace_id and m.segment_id = g.id
        join customer_stats s on s.workspace_id = m.workspace_id and s.customer_id = m.customer_id
        where g.workspace_id = ${ws} and s.order_count > 0 group by g.id, g.name order by g.id`.execute(db);
      return { rows: ltvRows(rows) };
    }
    case 'retention':
      return retention(db, ws);
    case 'rfm_grid': {
      const { rows } = await sql<{ r: number; f: number; customers: number; revenue: number; m: number }>`
        select r_score as r, f_score as f, count(*)::int as customers, sum(revenue)::bigint as revenue,
          avg(m_score)::float8 as m
        from customer_stats where workspace_id = ${ws} and r_score is not null
        group by 1, 2 order by 1, 2`.execute(db);
      return {
        cells: rows.map((r) => ({
          r: Number(r.r),
          f: Number(r.f),
          customers: Number(r.customers),
          revenue: Number(r.revenue),
          meanMonetaryScore: Number(r.m),
        })),
      };
    }
  }
}

/** Share of each first-order-month cohort that ordered again k months later (k = 0 is 100%). */
async function retention(db: Kysely<DB>, ws: string) {
  const { rows } = await sql<{ cohort: string; k: number; n: number }>`
    with o as (select customer_id, date_trunc('month', ordered_at at time zone 'Asia/Tokyo') as m
        from customer_order where workspace_id = ${ws} and status = 'completed' group by 1, 2),
      f as (select customer_id, min(m) as cm from o group by 1)
    select to_char(f.cm, 'YYYY-MM') as cohort,
      ((extract(year from o.m) - extract(year from f.cm)) * 12 + extract(month from o.m) - extract(month from f.cm))::int as k,
      count(*)::int as n
    from o join f using (customer_id) group by 1, 2 order by 1, 2`.execute(db);
  const cohorts = new Map<string, number[]>();
  for (const r of rows) {
    const counts = cohorts.get(r.cohort) ?? [];
    counts[Number(r.k)] = Number(r.n);
    cohorts.set(r.cohort, counts);
  }
  return {
    cohorts: [...cohorts.entries()].map(([cohort, counts]) => {
      const size = counts[0] ?? 0;
      const filled = Array.from(counts, (n) => n ?? 0);
      return { cohort, customers: size, active: filled, retention: filled.map((n) => (size ? n / size : 0)) };
    }),
  };
}

/** Recomputes one view and stores it. */
export async function refreshView(db: Kysely<DB>, workspaceId: string, view: AnalyticsView) {
  const started = Date.now();
  const body = await compute(db, workspaceId, view);
  const computedAt = new Date();
  await db
    .insertInto('analytics_summary')
    .values({
      workspace_id: workspaceId,
      view,
      body: JSON.stringify(body),
      computed_at: computedAt,
      took_ms: Date.now() - started,
    })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'view']).doUpdateSet((eb) => ({
        body: eb.ref('excluded.body'),
        computed_at: eb.ref('excluded.computed_at'),
        took_ms: eb.ref('excluded.took_ms'),
      })),
    )
    .execute();
  return { body, computedAt };
}

/** The stored view (computed now if it never was). */
export async function readView<V extends AnalyticsView>(db: Kysely<DB>, workspaceId: string, view: V) {
  const row = await db
    .selectFrom('analytics_summary')
    .select(['body', 'computed_at'])
    .where('workspace_id', '=', workspaceId)
    .where('view', '=', view)
    .executeTakeFirst();
  const { body, computedAt } = row
    ? { body: row.body, computedAt: row.computed_at }
    : await refreshView(db, workspaceId, view);
  return { view, computedAt: computedAt.toISOString(), ...(body as ViewBodies[V]) };
}

/** Full rebuild of customer_stats, RFM scores and every view of a workspace. */
export async function refreshAnalytics(db: Kysely<DB>, workspaceId: string): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  let mark = Date.now();
  // Whole-workspace aggregates and sorts: more work_mem than the default 4 MB keeps them in memory.
  await db.transaction().execute(async (tx) => {
    await sql`set local work_mem = '256MB'`.execute(tx);
    await updateCustomerStats(tx, workspaceId);
    await scoreRfm(tx, workspaceId);
    timings.stats = Date.now() - mark;
    for (const view of VIEWS) {
      mark = Date.now();
      await refreshView(tx, workspaceId, view);
      timings[view] = Date.now() - mark;
    }
    // The dashboard's headline figures, read from here by workspaces of 100,000 customers or more.
    mark = Date.now();
    await storeOverview(tx, workspaceId);
    timings.overview = Date.now() - mark;
  });
  return timings;
}
