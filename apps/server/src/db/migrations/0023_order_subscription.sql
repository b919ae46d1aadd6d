-- An order can pay one billing period of a subscription (orders/order-schema.ts `subscription`):
-- the subscription's own id at the shop, its plan, its billing interval (every N weeks, months or
-- years) and, when the shop knows it, which billing period the order pays (1 = the first).
-- Kept on the order rather than in a table of subscriptions: each renewal says what it paid for,
-- a plan change shows on the orders that follow it, and a customer's merge or erasure moves or
-- deletes these with the order. analytics/subscription-ltv.ts fits retention per plan from them.
alter table customer_order
  add column subscription_id text,
  add column subscription_plan text,
  add column subscription_interval_unit text,
  add column subscription_interval_count integer,
  add column subscription_sequence integer,
  add constraint customer_order_subscription_check check (
    (subscription_id is null and subscription_plan is null and subscription_interval_unit is null
      and subscription_interval_count is null and subscription_sequence is null)
    or (subscription_id is not null and subscription_plan is not null
      and subscription_interval_unit in ('week', 'month', 'year')
      and subscription_interval_count between 1 and 120
      and (subscription_sequence is null or subscription_sequence >= 1))
  );
-- Subscription LTV reads a workspace's subscription orders, plan by plan.
create index customer_order_subscription_idx on customer_order (workspace_id, subscription_plan, subscription_id, ordered_at)
  where subscription_id is not null;
