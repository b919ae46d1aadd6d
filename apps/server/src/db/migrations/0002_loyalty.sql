-- Loyalty engine: points ledger and lots, stamp cards, coupons, tiers, membership cards.
--
-- Invariants (see src/loyalty/README.md):
-- * loyalty_member.balance = sum(point_entry.points) = sum(point_lot.remaining) for a member,
--   and never negative. Every change to points takes the member's row lock first
--   (select … for update), writes one point_entry and updates the balance in one transaction.
-- * point_entry, point_allocation, coupon_event, stamp_entry and tier_change are append-only:
--   a trigger refuses updates. Corrections are new rows (reverse, void, adjust).

-- Per-workspace programme: earn rules, tiers, clawback, expiry (validated JSON, see rules.ts),
-- and the membership-card signing key sealed with the deployment's secret box.
create table loyalty_program (
  workspace_id uuid primary key references workspace (id) on delete cascade,
  rules jsonb not null default '{}',
  card_key_sealed text,
  updated_by text,
  updated_at timestamptz not null default now()
);

-- One row per member: the cached balance and tier, and the lock every points change takes.
create table loyalty_member (
  workspace_id uuid not null,
  customer_id bigint not null,
  member_no text not null,
  balance bigint not null default 0 check (balance >= 0),
  tier_code text,
  tier_since timestamptz,
  joined_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, customer_id),
  unique (workspace_id, member_no),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);

-- The points ledger. points is the signed change of the balance; order_points is the change in
-- what an order is credited with (a clawback may recover less than it reverses).
create table point_entry (
  workspace_id uuid not null,
  id bigint generated always as identity,
  customer_id bigint not null,
  kind text not null check (kind in ('earn', 'redeem', 'adjust', 'expire', 'reverse', 'void')),
  points bigint not null,
  balance_after bigint not null check (balance_after >= 0),
  order_id bigint,
  order_points bigint,
  -- For a void: the redemption it restores.
  voids_entry_id bigint,
  idempotency_key text,
  reason text,
  actor text not null,
  detail jsonb not null default '{}',
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create unique index point_entry_idempotency_key on point_entry (workspace_id, idempotency_key)
  where idempotency_key is not null;
create unique index point_entry_void_once on point_entry (workspace_id, voids_entry_id)
  where voids_entry_id is not null;
create index point_entry_customer_idx on point_entry (workspace_id, customer_id, id);
create index point_entry_order_idx on point_entry (workspace_id, order_id) where order_id is not null;

-- Points land in lots with an expiry; spending takes the oldest-expiring lots first.
create table point_lot (
  workspace_id uuid not null,
  id bigint generated always as identity,
  customer_id bigint not null,
  entry_id bigint not null,
  order_id bigint,
  earned bigint not null check (earned > 0),
  remaining bigint not null check (remaining >= 0 and remaining <= earned),
  earned_at timestamptz not null,
  expires_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index point_lot_open_idx on point_lot (workspace_id, customer_id, expires_at, id) where remaining > 0;
create index point_lot_expiry_idx on point_lot (workspace_id, expires_at) where remaining > 0;

-- Which lots an entry drew from (redeem, expire, reverse) or gave back to (void): points > 0
-- takes from the lot, < 0 returns to it.
create table point_allocation (
  workspace_id uuid not null,
  entry_id bigint not null,
  lot_id bigint not null,
  points bigint not null,
  primary key (workspace_id, entry_id, lot_id)
);
create index point_allocation_lot_idx on point_allocation (workspace_id, lot_id);

create table coupon_template (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  name text not null check (length(name) between 1 and 200),
  description text not null default '',
  kind text not null check (kind in ('amount_off', 'percent_off', 'free_item')),
  -- Yen for amount_off, percent for percent_off, unused for free_item.
  value integer not null default 0 check (value >= 0),
  free_item text,
  min_spend integer not null default 0 check (min_spend >= 0),
  store_codes text[] not null default '{}',
  valid_from timestamptz,
  valid_until timestamptz,
  valid_days integer check (valid_days > 0),
  per_customer_limit integer check (per_customer_limit > 0),
  total_limit integer check (total_limit > 0),
  issued_count integer not null default 0,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  check (total_limit is null or issued_count <= total_limit)
);

-- A coupon granted to one customer, with its own unguessable code.
create table coupon (
  workspace_id uuid not null,
  id bigint generated always as identity,
  template_id bigint not null,
  customer_id bigint not null,
  code text not null,
  status text not null default 'active' check (status in ('active', 'redeemed', 'revoked')),
  valid_from timestamptz not null,
  valid_until timestamptz,
  source text not null,
  -- Makes a grant idempotent: `birthday:2026`, `stamp:12:10`, a client's key.
  grant_key text,
  redeemed_at timestamptz,
  redeemed_by text,
  redeemed_store_code text,
  redemption_key text,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, code),
  foreign key (workspace_id, template_id) references coupon_template (workspace_id, id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create unique index coupon_grant_key on coupon (workspace_id, template_id, customer_id, grant_key)
  where grant_key is not null;
create index coupon_customer_idx on coupon (workspace_id, customer_id, status);

create table coupon_event (
  workspace_id uuid not null,
  id bigint generated always as identity,
  coupon_id bigint not null,
  kind text not null check (kind in ('granted', 'redeemed', 'voided', 'revoked')),
  actor text not null,
  reason text,
  store_code text,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id)
);
create index coupon_event_coupon_idx on coupon_event (workspace_id, coupon_id, id);

create table stamp_card_template (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  name text not null check (length(name) between 1 and 200),
  stamps_required integer not null check (stamps_required between 1 and 100),
  -- visit: one per till stamp or visit; order: one per completed order of at least min_order_total.
  stamp_per text not null default 'visit' check (stamp_per in ('visit', 'order')),
  min_order_total integer not null default 0,
  max_per_day integer check (max_per_day > 0),
  -- [{ "at": 5, "couponTemplateId": 3 }, { "at": 10, "couponTemplateId": 4 }]
  rewards jsonb not null default '[]',
  active boolean not null default true,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id)
);

create table stamp_card (
  workspace_id uuid not null,
  id bigint generated always as identity,
  template_id bigint not null,
  customer_id bigint not null,
  stamps integer not null default 0 check (stamps >= 0),
  status text not null default 'active' check (status in ('active', 'completed')),
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, template_id) references stamp_card_template (workspace_id, id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create unique index stamp_card_one_active on stamp_card (workspace_id, template_id, customer_id)
  where status = 'active';

create table stamp_entry (
  workspace_id uuid not null,
  id bigint generated always as identity,
  card_id bigint not null,
  template_id bigint not null,
  customer_id bigint not null,
  stamps integer not null,
  -- The JST calendar day, for "at most N a day".
  stamped_on date not null,
  source text not null,
  idempotency_key text,
  actor text not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id)
);
create unique index stamp_entry_idempotency_key on stamp_entry (workspace_id, template_id, idempotency_key)
  where idempotency_key is not null;
create index stamp_entry_day_idx on stamp_entry (workspace_id, template_id, customer_id, stamped_on);

create table tier_change (
  workspace_id uuid not null,
  id bigint generated always as identity,
  customer_id bigint not null,
  from_tier text,
  to_tier text not null,
  basis_value bigint not null,
  reason text not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);

-- Till operations, by the client's idempotency key: a retried call returns the stored response.
create table till_operation (
  workspace_id uuid not null references workspace (id) on delete cascade,
  idempotency_key text not null,
  request_hash text not null,
  response jsonb not null,
  actor text not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, idempotency_key)
);

create function loyalty_append_only() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only', tg_table_name using errcode = '55000';
end $$;
create trigger point_entry_append_only before update on point_entry
  for each row execute function loyalty_append_only();
create trigger point_allocation_append_only before update on point_allocation
  for each row execute function loyalty_append_only();
create trigger coupon_event_append_only before update on coupon_event
  for each row execute function loyalty_append_only();
create trigger stamp_entry_append_only before update on stamp_entry
  for each row execute function loyalty_append_only();
create trigger tier_change_append_only before update on tier_change
  for each row execute function loyalty_append_only();
