import { type Static, Type } from 'typebox';
import { CustomerRef } from '../customers/customer-schema.ts';

/** The most a yen amount may be (a visit's spend, a menu item's price): ¥1,000,000,000. */
const MAX_YEN = 1_000_000_000;

export const MenuItemInput = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'メニュー名 (e.g. カット, ブレンドコーヒー)',
    }),
    code: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Your menu code or the product SKU' }),
    ),
    category: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'e.g. カラー, ドリンク' }),
    ),
    price: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_YEN, description: 'Unit price in yen (tax included)' }),
    ),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Default 1' })),
  },
  { additionalProperties: false },
);
export type MenuItemInput = Static<typeof MenuItemInput>;

export const VisitInput = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Your visit id (e.g. the POS check-in id). Retries upsert by it.',
    }),
    customer: CustomerRef,
    storeCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    visitedAt: Type.String({ format: 'date-time', maxLength: 40 }),
    source: Type.Optional(
      Type.String({ minLength: 1, maxLength: 50, description: 'pos, reservation, checkin, …' }),
    ),
    menuItems: Type.Optional(Type.Array(MenuItemInput, { maxItems: 100, description: 'What was had' })),
    staff: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'The staff member (担当): a name or code' }),
    ),
    spend: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_YEN,
        description: 'What the customer paid, in yen. Default: the sum of price × quantity of the menu items',
      }),
    ),
    orderId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          'Your order id, when the visit was paid through an order you also send to /v1/orders: ' +
          'its spend then counts once in the historical LTV, as that order',
      }),
    ),
  },
  { additionalProperties: false },
);
export type VisitInput = Static<typeof VisitInput>;

/** The visit's spend: as given, else the sum of its priced menu items (0 without any). */
export function visitSpend(visit: Pick<VisitInput, 'spend' | 'menuItems'>): number {
  if (visit.spend !== undefined) return visit.spend;
  return (visit.menuItems ?? []).reduce((sum, m) => sum + (m.price ?? 0) * (m.quantity ?? 1), 0);
}
