// Kysely's view of the tables in migrations/0002_loyalty.sql; the loyalty code queries most of them through sql``, added to DB by module augmentation.
import type { ColumnType, Generated } from 'kysely';
import type { Id, Json, Timestamp } from '../db/column-types.ts';

export interface LoyaltyProgramTable {
  workspace_id: string;
  rules: Json;
  card_key_sealed: string | null;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface LoyaltyMemberTable {
  workspace_id: string;
  customer_id: number;
  member_no: string;
  balance: Generated<number>;
  tier_code: string | null;
  tier_since: Date | null;
  joined_at: Timestamp;
  updated_at: Timestamp;
}

export interface PointEntryTable {
  workspace_id: string;
  id: Id;
  customer_id: number;
  kind: 'earn' | 'redeem' | 'adjust' | 'expire' | 'reverse' | 'void' | 'merge';
  points: number;
  balance_after: number;
  order_id: number | null;
  order_points: number | null;
  voids_entry_id: number | null;
  idempotency_key: string | null;
  reason: string | null;
  actor: string;
  detail: Json;
  created_at: Timestamp;
}

export interface PointLotTable {
  workspace_id: string;
  id: Id;
  customer_id: number;
  entry_id: number;
  order_id: number | null;
  earned: number;
  remaining: number;
  earned_at: Timestamp;
  expires_at: Timestamp;
}

export interface PointAllocationTable {
  workspace_id: string;
  entry_id: number;
  lot_id: number;
  points: number;
}

export interface CouponTemplateTable {
  workspace_id: string;
  id: Id;
  name: string;
  description: Generated<string>;
  kind: 'amount_off' | 'percent_off' | 'free_item';
  value: Generated<number>;
  free_item: string | null;
  min_spend: Generated<number>;
  store_codes: Generated<string[]>;
  valid_from: Date | null;
  valid_until: Date | null;
  valid_days: number | null;
  per_customer_limit: number | null;
  total_limit: number | null;
  issued_count: Generated<number>;
  active: Generated<boolean>;
  tier_codes: Generated<string[]>;
  created_at: Timestamp;
}

export interface CouponTable {
  workspace_id: string;
  id: Id;
  template_id: number;
  customer_id: number;
  code: string;
  status: Generated<'active' | 'redeemed' | 'revoked'>;
  valid_from: Timestamp;
  valid_until: Date | null;
  source: string;
  grant_key: string | null;
  redeemed_at: Date | null;
  redeemed_by: string | null;
  redeemed_store_code: string | null;
  redemption_key: string | null;
  granted_order_id: number | null;
  created_at: Timestamp;
}

/** migrations/0022_loyalty_gaps.sql */
export interface CouponGrantSkipTable {
  workspace_id: string;
  id: Id;
  template_id: number;
  customer_id: number;
  source: string;
  grant_key: string;
  reason: 'tier_restricted' | 'per_customer_limit' | 'total_limit' | 'inactive';
  message: string;
  created_at: Timestamp;
}

export interface CouponEventTable {
  workspace_id: string;
  id: Id;
  coupon_id: number;
  kind: 'granted' | 'redeemed' | 'voided' | 'revoked';
  actor: string;
  reason: string | null;
  store_code: string | null;
  created_at: Timestamp;
}

export interface StampCardTemplateTable {
  workspace_id: string;
  id: Id;
  name: string;
  stamps_required: number;
  stamp_per: Generated<'visit' | 'order'>;
  min_order_total: Generated<number>;
  max_per_day: number | null;
  rewards: ColumnType<{ at: number; couponTemplateId: number }[], string | undefined, string>;
  active: Generated<boolean>;
  created_at: Timestamp;
}

export interface StampCardTable {
  workspace_id: string;
  id: Id;
  template_id: number;
  customer_id: number;
  stamps: Generated<number>;
  status: Generated<'active' | 'completed' | 'merged'>;
  started_at: Timestamp;
  completed_at: Date | null;
}

export interface StampEntryTable {
  workspace_id: string;
  id: Id;
  card_id: number;
  template_id: number;
  customer_id: number;
  stamps: number;
  stamped_on: string;
  source: string;
  idempotency_key: string | null;
  actor: string;
  created_at: Timestamp;
}

export interface TierChangeTable {
  workspace_id: string;
  id: Id;
  customer_id: number;
  from_tier: string | null;
  to_tier: string;
  basis_value: number;
  reason: string;
  created_at: Timestamp;
}

export interface TillOperationTable {
  workspace_id: string;
  idempotency_key: string;
  request_hash: string;
  response: Json;
  actor: string;
  created_at: Timestamp;
}

declare module '../db/schema.ts' {
  interface DB {
    loyalty_program: LoyaltyProgramTable;
    loyalty_member: LoyaltyMemberTable;
    point_entry: PointEntryTable;
    point_lot: PointLotTable;
    point_allocation: PointAllocationTable;
    coupon_template: CouponTemplateTable;
    coupon: CouponTable;
    coupon_event: CouponEventTable;
    coupon_grant_skip: CouponGrantSkipTable;
    stamp_card_template: StampCardTemplateTable;
    stamp_card: StampCardTable;
    stamp_entry: StampEntryTable;
    tier_change: TierChangeTable;
    till_operation: TillOperationTable;
  }
}
