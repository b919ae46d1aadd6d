// A coupon's shapes, shared by granting (coupons.ts) and redemption (redeem-coupon.ts).

export type CouponKind = 'amount_off' | 'percent_off' | 'free_item';

/** A coupon row as stored. */
export interface Coupon {
  id: number;
  template_id: number;
  customer_id: number;
  code: string;
  status: 'active' | 'redeemed' | 'revoked';
  valid_from: Date;
  valid_until: Date | null;
  source: string;
  redeemed_at: Date | null;
  redemption_key: string | null;
  /** The order that granted a next-purchase coupon (it cannot be used on that order). */
  granted_order_id: number | null;
}
