/** Reads of the stored CLV model and per-customer LTV. */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import './analytics-tables.ts';
import { unorderedVisitSpend } from '../visits/visit-spend.ts';

/** The latest fit: model, fallback reason, parameters, holdout quality and revenue forecast. */
export async function latestClvModel(db: Kysely<DB>, workspaceId: string) {
  const row = await db
    .selectFrom('clv_model')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    model: row.model,
    fallbackReason: row.fallback_reason,
    params: row.params,
    quality: row.quality,
    forecast: yenForecast(row.forecast),
    customers: row.customers,
    timings: row.timings,
    fittedAt: row.fitted_at.toISOString(),
  };
}

/**
 * The stored forecast in integer yen. Fits stored before forecasts were rounded hold fractional
 * yen, so the read rounds too.
 */
function yenForecast(stored: unknown): { days30: number; days90: number; days365: number } | null {
  if (!stored || typeof stored !== 'object') return null;
  const f = stored as Record<string, unknown>;
  if (!('days30' in f)) return null;
  const yen = (v: unknown) => Math.round(Number(v ?? 0));
  return { days30: yen(f.days30), days90: yen(f.days90), days365: yen(f.days365) };
}

interface LtvRow {
  customer_id: number;
  order_count: number;
  revenue: number;
  visit_spend: number;
  first_order_at: Date | null;
  last_order_at: Date | null;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  p_alive: number | null;
  expected_purchases_90d: number | null;
  predicted_clv: number | null;
  clv_percentile: number | null;
  model_id: number | null;
}

// Visit spend without an order: a shop without an order system records the money on its visits.
const VISIT_SPEND = unorderedVisitSpend(sql.ref('s.workspace_id'), sql.ref('s.customer_id'));

const LTV_COLUMNS = sql`s.customer_id, s.order_count, s.revenue, s.first_order_at, s.last_order_at,
      s.r_score, s.f_score, s.m_score, p.p_alive, p.expected_purchases_90d, p.predicted_clv,
      p.clv_percentile, p.model_id, ${VISIT_SPEND} as visit_spend
    from customer_stats s
    left join clv_prediction p on p.workspace_id = s.workspace_id and p.customer_id = s.customer_id`;

function ltvView(r: LtvRow) {
  return {
    customerId: Number(r.customer_id),
    orders: Number(r.order_count),
    // Order revenue plus the spend of visits without an order (VISIT_SPEND).
    historicalLtv: Number(r.revenue) + Number(r.visit_spend),
    visitSpend: Number(r.visit_spend),
    firstOrderAt: r.first_order_at?.toISOString() ?? null,
    lastOrderAt: r.last_order_at?.toISOString() ?? null,
    rfm: r.r_score === null ? null : { r: Number(r.r_score), f: Number(r.f_score), m: Number(r.m_score) },
    prediction:
      r.model_id === null
        ? null
        : {
            modelId: Number(r.model_id),
            pAlive: r.p_alive,
            expectedPurchases90d: r.expected_purchases_90d,
            // Stored unrounded (a model output); returned as integer yen.
            predictedClv: r.predicted_clv === null ? null : Math.round(r.predicted_clv),
            clvPercentile: r.clv_percentile,
          },
  };
}

export type CustomerLtv = ReturnType<typeof ltvView>;

/** Historical and predicted LTV per customer, by customer id, `limit` after the cursor. */
export async function customerLtv(
  db: Kysely<DB>,
  workspaceId: string,
  page: { limit: number; after?: number },
) {
  const { rows } = await sql<LtvRow>`select ${LTV_COLUMNS}
    where s.workspace_id = ${workspaceId} and s.customer_id > ${page.after ?? 0}
    order by s.customer_id limit ${page.limit + 1}`.execute(db);
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit).map(ltvView);
  return { items, nextCursor: more ? String(items[items.length - 1]?.customerId) : null };
}

/** One customer's historical and predicted LTV; null before their statistics exist. */
export async function oneCustomerLtv(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
): Promise<CustomerLtv | null> {
  const { rows } = await sql<LtvRow>`select ${LTV_COLUMNS}
    where s.workspace_id = ${workspaceId} and s.customer_id = ${customerId}`.execute(db);
  return rows[0] ? ltvView(rows[0]) : null;
}
