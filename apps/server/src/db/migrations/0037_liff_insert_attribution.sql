-- Insert QR codes (同梱物: a per-order QR printed on the packing slip) and friend-add attribution
-- (tracked QR codes and links per source). Issue #18, items 5 and 6. Every table leads its keys
-- with workspace_id (see 0001_core.sql).

-- The coupon an insert QR claim grants, per workspace (none: a claim links the order only).
create table liff_insert_setting (
  workspace_id uuid not null references workspace (id) on delete cascade,
  coupon_template_id bigint,
  updated_at timestamptz not null default now(),
  primary key (workspace_id),
  foreign key (workspace_id, coupon_template_id) references coupon_template (workspace_id, id)
);

-- One claim per order, ever: the primary key is what makes a second scan (by anyone) grant nothing.
create table liff_insert_claim (
  workspace_id uuid not null,
  order_id bigint not null,
  customer_id bigint not null,
  line_user_id text not null,
  coupon_id bigint,
  claimed_at timestamptz not null,
  primary key (workspace_id, order_id),
  foreign key (workspace_id, order_id) references customer_order (workspace_id, id) on delete cascade,
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index liff_insert_claim_customer_idx on liff_insert_claim (workspace_id, customer_id);

-- Wrong proofs, counted per order so that guessing the last four digits is bounded.
create table liff_insert_attempt (
  workspace_id uuid not null,
  order_id bigint not null,
  line_user_id text not null,
  failed_at timestamptz not null,
  foreign key (workspace_id, order_id) references customer_order (workspace_id, id) on delete cascade
);
create index liff_insert_attempt_order_idx on liff_insert_attempt (workspace_id, order_id, failed_at);

-- A place a friend-add comes from: a store poster, a receipt, a leaflet, Instagram, a campaign.
create table attribution_source (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  code text not null,
  name text not null,
  kind text not null check (kind in ('poster', 'receipt', 'leaflet', 'instagram', 'campaign', 'other')),
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, code)
);

-- The source a customer came through: the first one recorded wins (first touch); later opens
-- through another source change nothing.
create table customer_attribution (
  workspace_id uuid not null,
  customer_id bigint not null,
  source_id bigint not null,
  attributed_at timestamptz not null,
  primary key (workspace_id, customer_id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade,
  foreign key (workspace_id, source_id) references attribution_source (workspace_id, id) on delete cascade
);
create index customer_attribution_source_idx on customer_attribution (workspace_id, source_id, attributed_at);
