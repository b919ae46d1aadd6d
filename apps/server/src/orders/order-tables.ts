// Kysely's view of the tables in migrations/0001_core.sql, added to DB by module augmentation.
import type { Generated } from 'kysely';
import type { Id, Timestamp } from '../db/column-types.ts';

/** `pending`: placed but not paid (migration 0020); only `completed` orders are revenue. */
export type OrderStatus = 'pending' | 'completed' | 'cancelled' | 'refunded';

export type SubscriptionIntervalUnit = 'week' | 'month' | 'year';

export interface CustomerOrderTable {
  workspace_id: string;
  id: Id;
  external_id: string;
  customer_id: number;
  store_id: number | null;
  status: OrderStatus;
  ordered_at: Timestamp;
  currency: Generated<string>;
  subtotal: number;
  discount: Generated<number>;
  shipping: Generated<number>;
  tax: Generated<number>;
  total: number;
  refunded_amount: Generated<number>;
  source: Generated<string>;
  /** The subscription the order pays a period of (migrations/0023_order_subscription.sql). */
  subscription_id: Generated<string | null>;
  subscription_plan: Generated<string | null>;
  subscription_interval_unit: Generated<SubscriptionIntervalUnit | null>;
  subscription_interval_count: Generated<number | null>;
  subscription_sequence: Generated<number | null>;
  /** The payment status as the source said it (Shopify's Financial Status), migration 0020. */
  financial_status: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrderLineTable {
  workspace_id: string;
  order_id: number;
  line_no: number;
  product_id: number | null;
  sku: string | null;
  name: string;
  quantity: number;
  unit_price: number;
  amount: number;
}

export interface OrderHistoryTable {
  workspace_id: string;
  id: Id;
  order_id: number;
  kind: 'created' | 'status_changed' | 'refunded' | 'updated';
  from_status: OrderStatus | null;
  to_status: OrderStatus | null;
  amount: number | null;
  reason: string | null;
  occurred_at: Timestamp;
}

declare module '../db/schema.ts' {
  interface DB {
    customer_order: CustomerOrderTable;
    order_line: OrderLineTable;
    order_history: OrderHistoryTable;
  }
}
