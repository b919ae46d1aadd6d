// Shopify's orders export (Admin → Orders → Export → "Plain CSV file"). One row per line item;
// the first row of an order carries the order's columns and later rows only the Lineitem ones.
// Columns Kizuna does not use (street, city, shipping address, payment method, …) are ignored.
// The mapping, column by column, is in README.md.
import type { OrderStatus } from '../orders/order-tables.ts';
import { type Parsed, parseAmount, parseTimestamp } from './csv-values.ts';
import type { OrderFormat, OrderHead } from './order-formats.ts';
import { SHOPIFY_CUSTOMER_COLUMNS, shopifyCustomer } from './shopify-customer.ts';

const USED = [
  'Name',
  'Email',
  'Phone',
  'Billing Phone',
  'Financial Status',
  'Created at',
  'Cancelled at',
  'Currency',
  'Subtotal',
  'Shipping',
  'Taxes',
  'Total',
  'Discount Amount',
  'Refunded Amount',
  'Lineitem quantity',
  'Lineitem name',
  'Lineitem price',
  'Lineitem sku',
  ...SHOPIFY_CUSTOMER_COLUMNS,
] as const;

/** Shopify's header has these; Kizuna reads a file as Shopify's when all three are present. */
export const SHOPIFY_SIGNATURE = ['Name', 'Financial Status', 'Lineitem name'] as const;

export function looksLikeShopify(header: readonly string[]): boolean {
  return SHOPIFY_SIGNATURE.every((column) => header.includes(column));
}

/**
 * Kizuna's status for each Shopify financial status. Not paid yet (pending, authorized,
 * partially_paid, unpaid) is pending: no revenue until a later import says paid. A voided or
 * expired payment is cancelled; partially_refunded stays completed with its Refunded Amount.
 */
export const SHOPIFY_FINANCIAL_STATUSES: Readonly<Record<string, OrderStatus>> = {
  pending: 'pending',
  authorized: 'pending',
  partially_paid: 'pending',
  unpaid: 'pending',
  paid: 'completed',
  partially_refunded: 'completed',
  refunded: 'refunded',
  voided: 'cancelled',
  expired: 'cancelled',
};

/** Shopify's financial status as Kizuna stores it: lower case, words joined by _. */
function financialStatusOf(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/**
 * Kizuna's status from Shopify's (see SHOPIFY_FINANCIAL_STATUSES). An order with Cancelled at
 * set is cancelled whatever its payment; an empty financial status says nothing is owed, so the
 * order is completed (as Shopify's own reports count it).
 */
export function shopifyStatus(financialStatus: string, cancelledAt: string): Parsed<OrderStatus> {
  const status = financialStatusOf(financialStatus);
  if (cancelledAt) return { ok: true, value: 'cancelled' };
  if (!status) return { ok: true, value: 'completed' };
  const mapped = SHOPIFY_FINANCIAL_STATUSES[status];
  return mapped
    ? { ok: true, value: mapped }
    : {
        ok: false,
        message: `unknown financial status "${financialStatus.slice(0, 30)}" (expected ${Object.keys(SHOPIFY_FINANCIAL_STATUSES).join(', ')})`,
      };
}

export const SHOPIFY_ORDERS: OrderFormat = {
  name: 'shopify',
  idColumn: 'Name',
  known: () => true,
  required: [['Name'], ['Email', 'Phone', 'Billing Phone'], ['Created at'], ['Total']],
  columns: USED,
  orderColumns: USED.filter((c) => c !== 'Name' && !c.startsWith('Lineitem ')),
  lineColumns: {
    sku: 'Lineitem sku',
    name: 'Lineitem name',
    quantity: 'Lineitem quantity',
    unitPrice: 'Lineitem price',
  },
  pathColumns: {
    id: 'Name',
    customer: 'Email|Phone|Billing Phone',
    'customer.email': 'Email',
    'customer.phone': 'Phone',
    status: 'Financial Status',
    financialStatus: 'Financial Status',
    orderedAt: 'Created at',
    currency: 'Currency',
    subtotal: 'Subtotal',
    discount: 'Discount Amount',
    shipping: 'Shipping',
    tax: 'Taxes',
    total: 'Total',
    refundedAmount: 'Refunded Amount',
  },
  head(read) {
    const currency = read.cell('Currency').toUpperCase() || 'JPY';
    const amount = (column: string) => read.take(column, (raw) => parseAmount(raw, currency));
    const email = read.cell('Email');
    // The phone only identifies the customer when there is no email: a shared phone (a shop's
    // or a family's) would otherwise merge different customers.
    const phone = email ? '' : read.cell('Phone') || read.cell('Billing Phone');
    const discount = amount('Discount Amount');
    const subtotal = amount('Subtotal');
    const cancelledAt = read.cell('Cancelled at');
    if (cancelledAt) read.take('Cancelled at', parseTimestamp);
    const financialStatus = financialStatusOf(read.cell('Financial Status'));
    const status = shopifyStatus(read.cell('Financial Status'), cancelledAt);
    if (!status.ok) read.problem('Financial Status', status.message);
    const head: Record<string, unknown> = {
      id: read.cell('Name'),
      customer: email ? { email } : phone ? { phone } : {},
      status: status.ok ? status.value : undefined,
      financialStatus: financialStatus || undefined,
      orderedAt: read.take('Created at', parseTimestamp) ?? read.cell('Created at'),
      currency,
      // Shopify's Subtotal is after discounts; Kizuna's is before them.
      subtotal: subtotal === undefined ? undefined : subtotal + (discount ?? 0),
      discount,
      shipping: amount('Shipping'),
      tax: amount('Taxes'),
      total: amount('Total'),
      refundedAmount: amount('Refunded Amount'),
      source: 'shopify',
    };
    for (const key of Object.keys(head)) if (head[key] === undefined) delete head[key];
    return head as OrderHead;
  },
  customer: shopifyCustomer,
};
