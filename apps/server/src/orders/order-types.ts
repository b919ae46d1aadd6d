// What an order write works with and returns, shared by upsert-orders.ts and order-events.ts.
import type { OrderStatus, SubscriptionIntervalUnit } from './order-tables.ts';

export type OrderOutcome = { id: number; externalId: string; outcome: 'created' | 'updated' | 'unchanged' };

export interface PreparedOrder {
  index: number;
  externalId: string;
  customerId: number;
  storeId: number | null;
  status: OrderStatus;
  financialStatus: string | null;
  orderedAt: Date;
  currency: string;
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  total: number;
  refundedAmount: number;
  source: string;
  subscription: {
    id: string;
    plan: string;
    interval: SubscriptionIntervalUnit;
    intervalCount: number;
    sequence: number | null;
  } | null;
  lines: {
    line_no: number;
    sku: string | null;
    name: string;
    quantity: number;
    unit_price: number;
    amount: number;
  }[];
}
