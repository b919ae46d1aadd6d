// Shopify's orders export (Admin → Orders → Export → "Plain CSV file"). One row per line item;
// the first row of an order carries the order's columns and later rows only the Lineitem ones.
// Columns Kizuna does not use (addresses, payment method, notes, …) are ignored.

import { parseAmount, parseTimestamp } from './csv-values.ts';
import type { OrderFormat, OrderHead } from './order-formats.ts';

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
] as const;

/** Shopify's header has these; Kizuna reads a file as Shopify's when all three are present. */
export const SHOPIFY_SIGNATURE = ['Name', 'Financial Status', 'Lineitem name'] as const;

export function looksLikeShopify(header: readonly string[]): boolean {
  return SHOPIFY_SIGNATURE.every((column) => header.includes(column));
}

/**
 * Kizuna's status from Shopify's: a cancelled order (Cancelled at set, or payment voided) is
 * cancelled; "refunded" is refunded; "partially_refunded" stays completed with its Refunded Amount.
 */
export function shopifyStatus(financialStatus: string, cancelledAt: string): OrderHead['status'] {
  const status = financialStatus.trim().toLowerCase();
  if (cancelledAt || status === 'voided') return 'cancelled';
  if (status === 'refunded') return 'refunded';
  return 'completed';
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
    const head: Record<string, unknown> = {
      id: read.cell('Name'),
      customer: email ? { email } : phone ? { phone } : {},
      status: shopifyStatus(read.cell('Financial Status'), cancelledAt),
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
};
