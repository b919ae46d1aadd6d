-- Loyalty gaps (issue #17 item 7): next-purchase coupons, tier-restricted coupons, skipped grants.
--
-- * coupon_template.tier_codes: the tiers (codes of loyalty_program.rules.tiers) whose members may
--   be granted and may redeem the coupon; empty means every member. Tiers are identified by code
--   because they live in the rules document, which has no ids.
-- * coupon.granted_order_id: the order whose arrival granted a next-purchase coupon (次回使える
--   クーポン). Redemption refuses it on that same order. No foreign key: an order is never deleted
--   while its customer lives (a customer's deletion cascades to both), and a merge moves both.
-- * coupon_grant_skip: grants a rule would have made but the coupon's conditions refused (the
--   member's tier, a per-customer or total limit, an inactive template), with the reason, so a
--   shop can see why a member did not get a coupon. At most one row per (template, customer,
--   grant key) is written (the writer checks first, under the member lock).
alter table coupon_template add column tier_codes text[] not null default '{}';

alter table coupon add column granted_order_id bigint;

create table coupon_grant_skip (
  workspace_id uuid not null,
  id bigint generated always as identity,
  template_id bigint not null,
  customer_id bigint not null,
  source text not null,
  grant_key text not null,
  reason text not null check (reason in ('tier_restricted', 'per_customer_limit', 'total_limit', 'inactive')),
  message text not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, template_id) references coupon_template (workspace_id, id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index coupon_grant_skip_customer_idx on coupon_grant_skip (workspace_id, customer_id, template_id, grant_key);
