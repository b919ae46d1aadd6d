import { type Static, Type } from 'typebox';
import { CustomerRef } from '../customers/customer-schema.ts';

const Yen = (description: string) => Type.Integer({ minimum: 0, maximum: 1e12, description });

export const OrderLineInput = Type.Object(
  {
    sku: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    name: Type.String({ minLength: 1, maxLength: 300 }),
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    unitPrice: Yen('Price of one item, in integer yen (or the minor unit of `currency`)'),
    amount: Type.Optional(Yen('Line total; defaults to quantity × unitPrice')),
  },
  { additionalProperties: false },
);

export const SubscriptionInput = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 100,
      description: "Your subscription's id (定期購入の契約番号)",
    }),
    plan: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Plan code or name; LTV is fitted per plan',
    }),
    interval: Type.Union([Type.Literal('week'), Type.Literal('month'), Type.Literal('year')], {
      description: 'Billing interval unit',
    }),
    intervalCount: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 120,
        description: 'Every this many units; default 1 (2 = every 2 months)',
      }),
    ),
    sequence: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        description: 'Which billing period the order pays, the first being 1; else taken from the dates',
      }),
    ),
  },
  { additionalProperties: false, description: 'The subscription (定期購入) this order pays one period of' },
);
export type SubscriptionInput = Static<typeof SubscriptionInput>;
/**
 * An order's status. `pending` is placed but not paid (bank transfer, konbini, authorised card):
 * like `cancelled` and `refunded` it is no revenue, earns no points and counts in no segment
 * until a later write says `completed`.
 */
export const OrderStatusSchema = Type.Union(
  [Type.Literal('pending'), Type.Literal('completed'), Type.Literal('cancelled'), Type.Literal('refunded')],
  { description: 'pending = not paid yet; only completed orders count as revenue' },
);

export const OrderInput = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Your order id (order number). Retries and re-imports upsert by it.',
    }),
    customer: CustomerRef,
    storeCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    status: Type.Optional(OrderStatusSchema),
    financialStatus: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 40,
        description:
          'The payment status as your system says it (Shopify: pending, authorized, partially_paid, paid, …); kept as given',
      }),
    ),
    orderedAt: Type.String({ format: 'date-time', maxLength: 40 }),
    currency: Type.Optional(
      Type.String({ maxLength: 3, pattern: '^[A-Z]{3}$', description: 'ISO 4217; default JPY' }),
    ),
    subtotal: Type.Optional(
      Yen('Before discount, shipping and tax; defaults to the sum of the lines, else total'),
    ),
    discount: Type.Optional(Yen('Discount')),
    shipping: Type.Optional(Yen('Shipping')),
    tax: Type.Optional(Yen('Tax')),
    total: Yen('What the customer paid'),
    refundedAmount: Type.Optional(
      Yen('Refunded so far; only grows. A refunded order defaults to its total.'),
    ),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    lines: Type.Optional(Type.Array(OrderLineInput, { maxItems: 500 })),
    subscription: Type.Optional(SubscriptionInput),
  },
  { additionalProperties: false },
);
export type OrderInput = Static<typeof OrderInput>;
