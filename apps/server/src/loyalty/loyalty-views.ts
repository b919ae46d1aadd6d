// The API's camelCase view of loyalty's stored rows (coupon templates, coupons, stamp cards,
// ledger entries and lots). Domain code works on the rows; routes answer with these views, so no
// column name (or the workspace id) reaches a client.
import type { Coupon, CouponKind } from './coupon-types.ts';
import type { CouponTemplate } from './coupons.ts';
import type { LedgerEntry } from './points-ledger.ts';
import type { StampCardTemplate } from './stamp-cards.ts';

const iso = (at: Date | null) => at?.toISOString() ?? null;

export function couponTemplateView(t: CouponTemplate) {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    kind: t.kind,
    value: t.value,
    freeItem: t.free_item,
    minSpend: t.min_spend,
    storeCodes: t.store_codes,
    validFrom: iso(t.valid_from),
    validUntil: iso(t.valid_until),
    validDays: t.valid_days,
    perCustomerLimit: t.per_customer_limit,
    totalLimit: t.total_limit,
    issuedCount: t.issued_count,
    active: t.active,
    tierCodes: t.tier_codes,
  };
}

export function couponView(c: Coupon) {
  return {
    id: c.id,
    templateId: c.template_id,
    customerId: c.customer_id,
    code: c.code,
    status: c.status,
    validFrom: c.valid_from.toISOString(),
    validUntil: iso(c.valid_until),
    source: c.source,
    redeemedAt: iso(c.redeemed_at),
    grantedOrderId: c.granted_order_id === null ? null : Number(c.granted_order_id),
  };
}

/** A coupon with what its template offers (the coupon-by-code read). */
export function couponDetailView(
  c: Coupon & {
    name: string;
    description: string;
    kind: CouponKind;
    value: number;
    free_item: string | null;
    min_spend: number;
  },
) {
  return {
    ...couponView(c),
    name: c.name,
    description: c.description,
    kind: c.kind,
    value: c.value,
    freeItem: c.free_item,
    minSpend: c.min_spend,
  };
}

export function stampCardTemplateView(t: StampCardTemplate) {
  return {
    id: t.id,
    name: t.name,
    stampsRequired: t.stamps_required,
    stampPer: t.stamp_per,
    minOrderTotal: t.min_order_total,
    maxPerDay: t.max_per_day,
    rewards: t.rewards,
    active: t.active,
  };
}

export function ledgerEntryView(e: LedgerEntry) {
  return {
    id: Number(e.id),
    kind: e.kind,
    points: Number(e.points),
    balanceAfter: Number(e.balance_after),
    orderId: e.order_id === null ? null : Number(e.order_id),
    reason: e.reason,
    actor: e.actor,
    detail: e.detail,
    createdAt: e.created_at.toISOString(),
  };
}

export function lotView(l: {
  id: number;
  earned: number;
  remaining: number;
  earned_at: Date;
  expires_at: Date;
  order_id: number | null;
}) {
  return {
    id: Number(l.id),
    earned: Number(l.earned),
    remaining: Number(l.remaining),
    earnedAt: l.earned_at.toISOString(),
    expiresAt: l.expires_at.toISOString(),
    orderId: l.order_id === null ? null : Number(l.order_id),
  };
}
