// Kysely types of the analytics tables (migrations/0004_segments.sql).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<Record<string, unknown>, string, string>;

export interface CustomerStatsTable {
  workspace_id: string;
  customer_id: number;
  order_count: number;
  revenue: number;
  first_order_at: Date | null;
  last_order_at: Date | null;
  visit_count: number;
  first_visit_at: Date | null;
  last_visit_at: Date | null;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  /** A copy of the customer's clv_prediction figures (null without one): see copyPredictionsToStats. */
  p_alive: number | null;
  expected_purchases_90d: number | null;
  predicted_clv: number | null;
  clv_percentile: number | null;
  updated_at: Timestamp;
}

export interface ClvModelTable {
  workspace_id: string;
  id: Generated<number>;
  model: string;
  fallback_reason: string | null;
  params: Json;
  quality: Json;
  forecast: Json;
  customers: number;
  calibration_end: Timestamp;
  timings: Json;
  fitted_at: Timestamp;
}

export interface ClvPredictionTable {
  workspace_id: string;
  customer_id: number;
  model_id: number;
  p_alive: number | null;
  expected_purchases_30d: number;
  expected_purchases_90d: number;
  expected_purchases_365d: number;
  expected_spend: number;
  predicted_clv: number;
  clv_percentile: number;
}

export interface AnalyticsSummaryTable {
  workspace_id: string;
  view: string;
  body: Json;
  computed_at: Timestamp;
  took_ms: Generated<number>;
}

declare module '../db/schema.ts' {
  interface DB {
    customer_stats: CustomerStatsTable;
    clv_model: ClvModelTable;
    clv_prediction: ClvPredictionTable;
    analytics_summary: AnalyticsSummaryTable;
  }
}
