// Kysely's view of the tables in migrations/*.sql. Keep the two in step: a column added to a
// migration is added here in the same commit.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<
  Record<string, unknown>,
  string | Record<string, unknown> | undefined,
  string | Record<string, unknown>
>;
type Id = Generated<number>;

export interface WorkspaceTable {
  id: Generated<string>;
  name: string;
  timezone: Generated<string>;
  currency: Generated<string>;
  created_at: Timestamp;
}

export interface AppUserTable {
  id: Generated<string>;
  email: string;
  name: Generated<string>;
  password_hash: string;
  created_at: Timestamp;
}

export type Role = 'owner' | 'admin' | 'marketer' | 'staff' | 'viewer';

export interface WorkspaceMemberTable {
  workspace_id: string;
  user_id: string;
  role: Role;
  created_at: Timestamp;
}

export interface UserSessionTable {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface ApiKeyTable {
  workspace_id: string;
  id: Id;
  name: string;
  secret_hash: string;
  scopes: string[];
  created_by: string | null;
  created_at: Timestamp;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface StoreTable {
  workspace_id: string;
  id: Id;
  code: string;
  name: string;
  prefecture: string | null;
  created_at: Timestamp;
}

export type Gender = 'female' | 'male' | 'other' | 'unanswered';

export interface CustomerTable {
  workspace_id: string;
  id: Id;
  family_name: string | null;
  given_name: string | null;
  family_name_kana: string | null;
  given_name_kana: string | null;
  birthday: string | null;
  gender: Gender | null;
  prefecture: string | null;
  favorite_store_id: number | null;
  interests: Generated<string[]>;
  registered_at: Timestamp;
  acquisition_source: string | null;
  attributes: Json;
  tags: Generated<string[]>;
  merged_into_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type IdentityKind = 'line' | 'email' | 'phone' | 'external';

export interface CustomerIdentityTable {
  workspace_id: string;
  kind: IdentityKind;
  namespace: Generated<string>;
  value: string;
  customer_id: number;
  created_at: Timestamp;
}

export interface CustomerMergeTable {
  workspace_id: string;
  id: Id;
  survivor_id: number;
  merged_id: number;
  detail: Json;
  created_at: Timestamp;
}

export type ConsentChannel = 'line' | 'email';
export type ConsentPurpose = 'marketing' | 'transactional';
export type ConsentStatus = 'granted' | 'revoked' | 'blocked';

export interface ConsentEventTable {
  workspace_id: string;
  id: Id;
  customer_id: number;
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string;
  actor: string | null;
  occurred_at: Timestamp;
  recorded_at: Timestamp;
}

export interface CustomerConsentTable {
  workspace_id: string;
  customer_id: number;
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string;
  occurred_at: Timestamp;
}

export interface ProductTable {
  workspace_id: string;
  id: Id;
  sku: string;
  name: string;
  price: number | null;
  created_at: Timestamp;
}

export type OrderStatus = 'completed' | 'cancelled' | 'refunded';

export interface CustomerOrderTable {
  workspace_id: string;
  id: Id;
  external_id: string;
  customer_id: number;
  store_id: number | null;
  status: OrderStatus;
  ordered_at: Timestamp;
  currency: Generated<string>;
  subtotal: number;
  discount: Generated<number>;
  shipping: Generated<number>;
  tax: Generated<number>;
  total: number;
  refunded_amount: Generated<number>;
  source: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrderLineTable {
  workspace_id: string;
  order_id: number;
  line_no: number;
  product_id: number | null;
  sku: string | null;
  name: string;
  quantity: number;
  unit_price: number;
  amount: number;
}

export interface OrderHistoryTable {
  workspace_id: string;
  id: Id;
  order_id: number;
  kind: 'created' | 'status_changed' | 'refunded' | 'updated';
  from_status: OrderStatus | null;
  to_status: OrderStatus | null;
  amount: number | null;
  reason: string | null;
  occurred_at: Timestamp;
}

export interface VisitTable {
  workspace_id: string;
  id: Id;
  external_id: string;
  customer_id: number;
  store_id: number | null;
  visited_at: Timestamp;
  source: Generated<string>;
  created_at: Timestamp;
}

export interface EventTable {
  workspace_id: string;
  id: Id;
  external_id: string | null;
  customer_id: number;
  type: string;
  occurred_at: Timestamp;
  properties: Json;
  received_at: Timestamp;
}

// Loyalty (migrations/0002_loyalty.sql). The loyalty code queries these through sql``; the types
// keep Kysely's view complete.
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

export interface DB {
  workspace: WorkspaceTable;
  app_user: AppUserTable;
  workspace_member: WorkspaceMemberTable;
  user_session: UserSessionTable;
  api_key: ApiKeyTable;
  store: StoreTable;
  customer: CustomerTable;
  customer_identity: CustomerIdentityTable;
  customer_merge: CustomerMergeTable;
  consent_event: ConsentEventTable;
  customer_consent: CustomerConsentTable;
  product: ProductTable;
  customer_order: CustomerOrderTable;
  order_line: OrderLineTable;
  order_history: OrderHistoryTable;
  visit: VisitTable;
  event: EventTable;
  loyalty_program: LoyaltyProgramTable;
  loyalty_member: LoyaltyMemberTable;
  point_entry: PointEntryTable;
  point_lot: PointLotTable;
  point_allocation: PointAllocationTable;
  coupon_template: CouponTemplateTable;
  coupon: CouponTable;
  coupon_event: CouponEventTable;
  stamp_card_template: StampCardTemplateTable;
  stamp_card: StampCardTable;
  stamp_entry: StampEntryTable;
  tier_change: TierChangeTable;
  till_operation: TillOperationTable;
}
