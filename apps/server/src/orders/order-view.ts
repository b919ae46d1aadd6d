// What the order read API returns (GET /v1/orders, /v1/orders/:id, and the customer timeline).
import { type Static, Type } from 'typebox';
import { OrderStatusSchema } from './order-schema.ts';

const Yen = (description: string) => Type.Integer({ description: `${description}, in integer yen` });
const Instant = (description: string) => Type.String({ format: 'date-time', description });

export const OrderLineView = Type.Object({
  lineNo: Type.Integer(),
  sku: Type.Union([Type.String(), Type.Null()]),
  productId: Type.Union([Type.Integer(), Type.Null()], { description: 'The catalogue product of the SKU' }),
  name: Type.String(),
  quantity: Type.Integer(),
  unitPrice: Yen('Price of one item'),
  amount: Yen('Line total'),
});

export const OrderSubscriptionView = Type.Object({
  id: Type.String({ description: "Your subscription's id" }),
  plan: Type.String(),
  interval: Type.Union([Type.Literal('week'), Type.Literal('month'), Type.Literal('year')]),
  intervalCount: Type.Integer({ description: 'Every this many intervals' }),
  sequence: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Which billing period the order pays (1 = the first), when given',
  }),
});

export const OrderView = Type.Object({
  id: Type.Integer(),
  externalId: Type.String({ description: 'Your order id' }),
  customerId: Type.Integer(),
  storeId: Type.Union([Type.Integer(), Type.Null()]),
  storeCode: Type.Union([Type.String(), Type.Null()]),
  status: OrderStatusSchema,
  financialStatus: Type.Union([Type.String(), Type.Null()], {
    description: 'The payment status as the source said it (Shopify: pending, authorized, paid, …)',
  }),
  orderedAt: Instant('When the order was placed'),
  currency: Type.String(),
  subtotal: Yen('Before discount, shipping and tax'),
  discount: Yen('Discount'),
  shipping: Yen('Shipping'),
  tax: Yen('Tax'),
  total: Yen('What the customer paid'),
  refundedAmount: Yen('Refunded so far'),
  source: Type.String(),
  createdAt: Instant('When Kizuna first stored it'),
  updatedAt: Instant('When Kizuna last changed it'),
  lines: Type.Array(OrderLineView),
  subscription: Type.Union([OrderSubscriptionView, Type.Null()], {
    description: 'The subscription (定期購入) the order pays a period of, if any',
  }),
});
export type OrderView = Static<typeof OrderView>;

export const OrderHistoryView = Type.Object({
  kind: Type.Union([
    Type.Literal('created'),
    Type.Literal('status_changed'),
    Type.Literal('refunded'),
    Type.Literal('updated'),
  ]),
  fromStatus: Type.Union([Type.String(), Type.Null()]),
  toStatus: Type.Union([Type.String(), Type.Null()]),
  amount: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Yen: the total when created, the refund when refunded',
  }),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'For `updated`: the fields that changed' }),
  occurredAt: Instant('When it happened'),
});

export const OrderDetailView = Type.Object({
  ...OrderView.properties,
  history: Type.Array(OrderHistoryView, { description: 'Oldest first' }),
});
export type OrderDetailView = Static<typeof OrderDetailView>;
