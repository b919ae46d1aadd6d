// Response schemas of the loyalty API: what each route answers, in camelCase, money as integer
// yen and instants as ISO 8601. Fastify serializes through them, so a property missing here is
// not sent.
import { Type } from 'typebox';
import { FreeObject, Instant, Nullable, Yen } from '../shared/response-types.ts';

const CouponKind = Type.Union(
  [Type.Literal('amount_off'), Type.Literal('percent_off'), Type.Literal('free_item')],
  { description: 'amount_off, percent_off or free_item' },
);
const CouponValue = Type.Integer({
  description: 'Yen off (amount_off), percent off (percent_off), 0 (free_item)',
});

export const CouponTemplate = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  kind: CouponKind,
  value: CouponValue,
  freeItem: Nullable(Type.String()),
  minSpend: Yen('Minimum order total in yen (0: none)'),
  storeCodes: Type.Array(Type.String()),
  validFrom: Nullable(Instant()),
  validUntil: Nullable(Instant()),
  validDays: Nullable(Type.Integer({ description: 'Days a granted coupon stays valid' })),
  perCustomerLimit: Nullable(Type.Integer()),
  totalLimit: Nullable(Type.Integer({ description: 'Most coupons ever granted from it' })),
  issuedCount: Type.Integer(),
  active: Type.Boolean(),
  tierCodes: Type.Array(Type.String(), {
    description: 'Tiers whose members may hold and use it; empty: all',
  }),
});

const CouponFields = {
  id: Type.Integer(),
  templateId: Type.Integer(),
  customerId: Type.Integer(),
  code: Type.String(),
  status: Type.String({ description: 'active, redeemed or revoked' }),
  validFrom: Instant(),
  validUntil: Nullable(Instant()),
  source: Type.String(),
  redeemedAt: Nullable(Instant()),
  grantedOrderId: Nullable(
    Type.Integer({ description: 'A next-purchase coupon: the order that granted it (not usable on it)' }),
  ),
};

export const GrantedCoupon = Type.Object({
  ...CouponFields,
  replayed: Type.Boolean({ description: 'The grantKey had been used: the first grant is returned' }),
});

export const CouponDetail = Type.Object({
  ...CouponFields,
  name: Type.String(),
  description: Type.String(),
  kind: CouponKind,
  value: CouponValue,
  freeItem: Nullable(Type.String()),
  minSpend: Yen('Minimum order total in yen (0: none)'),
});

export const FlexMessage = Type.Object({
  type: Type.Literal('flex'),
  altText: Type.String(),
  contents: FreeObject('A LINE flex bubble (LINE Messaging API format)'),
});

export const RedeemedCoupon = Type.Object({
  couponId: Type.Integer(),
  code: Type.String(),
  customerId: Type.Integer(),
  name: Type.String(),
  kind: CouponKind,
  discount: Nullable(Yen('Yen off this order when orderTotal was given (0 for a free item)')),
  freeItem: Nullable(Type.String()),
  replayed: Type.Boolean(),
});

export const VoidedCoupon = Type.Object({
  couponId: Type.Integer(),
  code: Type.String(),
  status: Type.Literal('active'),
});

export const StampCardTemplate = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  stampsRequired: Type.Integer(),
  stampPer: Type.String({ description: 'visit or order' }),
  minOrderTotal: Yen('Least order total (yen) that earns a stamp'),
  maxPerDay: Nullable(Type.Integer()),
  rewards: Type.Array(
    Type.Object({
      at: Type.Integer({ description: 'Stamp count that grants the coupon' }),
      couponTemplateId: Type.Integer(),
    }),
  ),
  active: Type.Boolean(),
});

export const StampResult = Type.Object({
  templateId: Type.Integer(),
  cardId: Type.Integer(),
  added: Type.Integer(),
  stamps: Type.Integer(),
  required: Type.Integer(),
  completedCards: Type.Integer(),
  grantedCoupons: Type.Array(Type.String(), { description: 'Codes of the coupons granted' }),
  limited: Type.Boolean({ description: 'Fewer stamps were added than asked: the daily limit' }),
  replayed: Type.Boolean(),
});

export const EntryResult = Type.Object({
  entryId: Type.Integer(),
  customerId: Type.Integer(),
  points: Type.Integer(),
  balance: Type.Integer({ description: 'Points balance after the entry' }),
  replayed: Type.Boolean(),
});

const TierPerkView = Type.Object({
  nameJa: Type.String(),
  nameEn: Nullable(Type.String()),
  couponTemplateId: Nullable(Type.Integer({ description: 'Coupon granted once on reaching the tier' })),
});

export const MemberSummary = Type.Object({
  customerId: Type.Integer(),
  mergedInto: Nullable(Type.Integer({ description: 'Set when the id asked for was merged away' })),
  memberNo: Nullable(Type.String()),
  name: Nullable(Type.String()),
  nameKana: Nullable(Type.String({ description: 'Reading of the name (katakana)' })),
  tier: Nullable(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      perks: Type.Array(TierPerkView, { description: "The tier's benefits (rules.tiers[].perks)" }),
    }),
  ),
  points: Type.Integer(),
  pointsExpiringSoon: Type.Object({
    points: Type.Integer(),
    firstExpiry: Nullable(Instant()),
  }),
  stamps: Type.Array(
    Type.Object({
      templateId: Type.Integer(),
      name: Type.String(),
      stamps: Type.Integer(),
      required: Type.Integer(),
    }),
  ),
  coupons: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      kind: CouponKind,
      value: CouponValue,
      freeItem: Nullable(Type.String()),
      minSpend: Yen('Minimum order total in yen (0: none)'),
      validUntil: Nullable(Instant()),
    }),
  ),
});

export const MemberLedger = Type.Object({
  customerId: Type.Integer(),
  mergedInto: Nullable(Type.Integer()),
  entries: Type.Array(
    Type.Object({
      id: Type.Integer(),
      kind: Type.String({ description: 'earn, redeem, adjust, expire, reverse, void or merge' }),
      points: Type.Integer(),
      balanceAfter: Type.Integer(),
      orderId: Nullable(Type.Integer()),
      reason: Nullable(Type.String()),
      actor: Type.String(),
      detail: FreeObject('What else the entry records'),
      createdAt: Instant(),
    }),
  ),
  lots: Type.Array(
    Type.Object({
      id: Type.Integer(),
      earned: Type.Integer(),
      remaining: Type.Integer(),
      earnedAt: Instant(),
      expiresAt: Instant(),
      orderId: Nullable(Type.Integer()),
    }),
  ),
});

export const CardPayload = Type.Object({
  memberNo: Type.String(),
  payload: Type.String({ description: 'What the QR code holds' }),
  issuedAt: Instant(),
  expiresAt: Instant(),
});

export const OrderLoyaltyOutcome = Type.Object({
  orderId: Type.Integer(),
  customerId: Type.Integer(),
  earned: Type.Integer({ description: 'Points' }),
  reversed: Type.Integer({ description: 'Points' }),
  unrecovered: Type.Integer({ description: 'Points a reversal could not take back' }),
  stamps: Type.Integer(),
  tier: Nullable(Type.String()),
  nextPurchaseCoupons: Type.Integer({ description: 'Next-purchase coupons this call granted' }),
});

export const CouponGrantSkips = Type.Object({
  items: Type.Array(
    Type.Object({
      templateId: Type.Integer(),
      source: Type.String({ description: 'The rule: status:…, tier:…, next_purchase:order:…, stamp_card:…' }),
      grantKey: Type.String(),
      reason: Type.Union(
        [
          Type.Literal('tier_restricted'),
          Type.Literal('per_customer_limit'),
          Type.Literal('total_limit'),
          Type.Literal('inactive'),
        ],
        { description: 'tier_restricted, per_customer_limit, total_limit or inactive' },
      ),
      message: Type.String(),
      createdAt: Instant(),
    }),
  ),
});

export const TillResult = Type.Object({
  customerId: Type.Integer(),
  stamp: Nullable(StampResult),
  earned: Nullable(EntryResult),
  redeemed: Nullable(EntryResult),
  coupon: Nullable(RedeemedCoupon),
  summary: MemberSummary,
  replayed: Type.Boolean(),
});
