// The orders CSV formats Kizuna reads: its own, and Shopify's orders export. Both put one line
// item per row; an order spans consecutive rows with the same order id, and its later rows may
// leave the order's columns empty (Shopify does) or repeat them.
import type { CustomerInput } from '../customers/customer-schema.ts';
import type { OrderInput } from '../orders/order-schema.ts';
import { type Parsed, parseAmount, parseTimestamp } from './csv-values.ts';

export type OrderFormatName = 'kizuna' | 'shopify';

/** An order without its lines, as one format's columns describe it. */
export type OrderHead = Omit<OrderInput, 'lines'>;

/**
 * What an order's row says about its customer beyond the identities that find them (Shopify's
 * billing name and address, Accepts Marketing, note attributes). See README.md for the rules.
 */
export interface ImportedCustomer {
  profile: Pick<CustomerInput, 'familyName' | 'givenName' | 'prefecture' | 'postalCode' | 'attributes'>;
  /** A LINE userId the row names (validated): the customer gets it as an identity. */
  lineUserId?: string;
  /** Accepts Marketing: true said yes, false said no, absent said nothing. */
  emailMarketing?: boolean;
  /** The consent history's source for emailMarketing, e.g. shopify_import. */
  consentSource: string;
}

/**
 * Reads a cell of the order's first row; `take` reports a parse problem under the column.
 * `warn` reports a cell that is skipped without stopping the import (a customer detail that
 * cannot be read must not keep an order, which is revenue, out).
 */
export interface CellReader {
  cell(column: string): string;
  take<T>(column: string, parse: (raw: string) => Parsed<T>): T | undefined;
  problem(column: string, message: string): void;
  warn(column: string, message: string): void;
}

export interface OrderFormat {
  name: OrderFormatName;
  /** The column holding the order id; rows with the same id in a row are one order. */
  idColumn: string;
  known(column: string): boolean;
  required: readonly (readonly string[])[];
  /** All columns, for the error listing the known ones. */
  columns: readonly string[];
  /** Order-level columns: later rows of an order leave them empty or repeat the first row's. */
  orderColumns: readonly string[];
  lineColumns: { sku: string; name: string; quantity: string; unitPrice: string; amount?: string };
  /** API path prefix → column, to name the column behind a validation problem. */
  pathColumns: Readonly<Record<string, string>>;
  head(read: CellReader): OrderHead;
  /** What the row says about the customer besides identities (Shopify only). */
  customer?(read: CellReader): ImportedCustomer | undefined;
}

const KIZUNA_ORDER_COLUMNS = [
  'order_id',
  'customer_id',
  'customer_line_user_id',
  'customer_email',
  'customer_phone',
  'customer_member_no',
  'store_code',
  'status',
  'financial_status',
  'ordered_at',
  'currency',
  'subtotal',
  'discount',
  'shipping',
  'tax',
  'total',
  'refunded_amount',
  'source',
  'subscription_id',
  'subscription_plan',
  'subscription_interval',
  'subscription_interval_count',
  'subscription_sequence',
  'sku',
  'item_name',
  'quantity',
  'unit_price',
  'line_amount',
] as const;

const KIZUNA_LINE_COLUMNS = ['sku', 'item_name', 'quantity', 'unit_price', 'line_amount'];

const STATUSES = ['pending', 'completed', 'cancelled', 'refunded'] as const;

function parseStatus(raw: string): Parsed<OrderHead['status']> {
  const status = raw.toLowerCase() as (typeof STATUSES)[number];
  return STATUSES.includes(status)
    ? { ok: true, value: status }
    : { ok: false, message: `must be pending, completed, cancelled or refunded: "${raw}"` };
}

function amounts(read: CellReader, currency: string, columns: Record<string, string>) {
  const out: Record<string, number | undefined> = {};
  for (const [field, column] of Object.entries(columns))
    out[field] = read.take(column, (raw) => parseAmount(raw, currency));
  return out;
}

/** Drops undefined fields, so the schema sees "absent" rather than "undefined". */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export const KIZUNA_ORDERS: OrderFormat = {
  name: 'kizuna',
  idColumn: 'order_id',
  known: (column) => (KIZUNA_ORDER_COLUMNS as readonly string[]).includes(column),
  required: [
    ['order_id'],
    ['customer_id', 'customer_line_user_id', 'customer_email', 'customer_phone', 'customer_member_no'],
    ['ordered_at'],
    ['total'],
  ],
  columns: KIZUNA_ORDER_COLUMNS,
  orderColumns: KIZUNA_ORDER_COLUMNS.filter((c) => !KIZUNA_LINE_COLUMNS.includes(c)),
  lineColumns: {
    sku: 'sku',
    name: 'item_name',
    quantity: 'quantity',
    unitPrice: 'unit_price',
    amount: 'line_amount',
  },
  pathColumns: {
    id: 'order_id',
    customer: 'customer_id|customer_line_user_id|customer_email|customer_phone|customer_member_no',
    'customer.id': 'customer_id',
    'customer.lineUserId': 'customer_line_user_id',
    'customer.email': 'customer_email',
    'customer.phone': 'customer_phone',
    'customer.external': 'customer_member_no',
    storeCode: 'store_code',
    status: 'status',
    financialStatus: 'financial_status',
    orderedAt: 'ordered_at',
    currency: 'currency',
    subtotal: 'subtotal',
    discount: 'discount',
    shipping: 'shipping',
    tax: 'tax',
    total: 'total',
    refundedAmount: 'refunded_amount',
    source: 'source',
    subscription: 'subscription_id',
    'subscription.id': 'subscription_id',
    'subscription.plan': 'subscription_plan',
    'subscription.interval': 'subscription_interval',
    'subscription.intervalCount': 'subscription_interval_count',
    'subscription.sequence': 'subscription_sequence',
  },
  head(read) {
    const currency = read.cell('currency').toUpperCase() || 'JPY';
    const customerId = read.take(
      'customer_id',
      (raw): Parsed<number> =>
        /^\d+$/.test(raw)
          ? { ok: true, value: Number(raw) }
          : { ok: false, message: `not a customer id: "${raw}"` },
    );
    const memberNo = read.cell('customer_member_no');
    const customer =
      customerId !== undefined
        ? { id: customerId }
        : defined({
            lineUserId: read.cell('customer_line_user_id') || undefined,
            email: read.cell('customer_email') || undefined,
            phone: read.cell('customer_phone') || undefined,
            external: memberNo ? [{ namespace: 'member_no', value: memberNo }] : undefined,
          });
    return defined({
      id: read.cell('order_id'),
      customer,
      storeCode: read.cell('store_code') || undefined,
      status: read.take('status', parseStatus),
      financialStatus: read.cell('financial_status') || undefined,
      orderedAt: read.take('ordered_at', parseTimestamp) ?? read.cell('ordered_at'),
      currency,
      ...amounts(read, currency, {
        subtotal: 'subtotal',
        discount: 'discount',
        shipping: 'shipping',
        tax: 'tax',
        total: 'total',
        refundedAmount: 'refunded_amount',
      }),
      source: read.cell('source') || 'csv_import',
      subscription: subscription(read),
    }) as OrderHead;
  },
};

/**
 * The subscription columns: subscription_id names the subscription the order pays a period of;
 * plan and interval (week, month or year) are then required, interval_count (default 1) and
 * sequence (1 = the first period) optional. The schema names a missing or bad one.
 */
function subscription(read: CellReader): OrderHead['subscription'] {
  const id = read.cell('subscription_id');
  if (!id) {
    for (const column of ['subscription_plan', 'subscription_interval', 'subscription_sequence'])
      if (read.cell(column)) read.problem(column, 'needs subscription_id');
    return undefined;
  }
  const whole = (raw: string): Parsed<number> =>
    /^\d+$/.test(raw.normalize('NFKC').trim())
      ? { ok: true, value: Number(raw.normalize('NFKC').trim()) }
      : { ok: false, message: `not a whole number: "${raw}"` };
  return defined({
    id,
    plan: read.cell('subscription_plan') || undefined,
    interval: (read.cell('subscription_interval').toLowerCase() || undefined) as 'week' | 'month' | 'year',
    intervalCount: read.take('subscription_interval_count', whole),
    sequence: read.take('subscription_sequence', whole),
  }) as OrderHead['subscription'];
}
