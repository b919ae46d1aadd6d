-- Indexes for the read APIs (GET /v1/orders, /v1/visits, /v1/events, /v1/line/friends): each
-- lists a workspace's rows newest first by (instant, id) and resumes below a cursor on that key,
-- which these indexes answer without sorting the workspace's rows. The customer timeline uses
-- the existing (workspace_id, customer_id, instant) indexes.
create index customer_order_recent_idx on customer_order (workspace_id, ordered_at desc, id desc);
create index visit_recent_idx on visit (workspace_id, visited_at desc, id desc);
create index event_recent_idx on event (workspace_id, occurred_at desc, id desc);
create index line_friend_recent_idx on line_friend (workspace_id, last_event_at desc, channel_id desc, line_user_id desc);
-- The product filter of GET /v1/orders (orders with a line of this SKU).
create index order_line_sku_idx on order_line (workspace_id, sku) where sku is not null;
