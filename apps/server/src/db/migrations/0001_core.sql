-- Kizuna core schema.
--
-- Every table that holds a workspace's data carries workspace_id, and its primary key, unique
-- constraints and foreign keys all lead with it, so each table can be distributed by
-- workspace_id on Citus. The only tables without it are account-level: workspace itself,
-- app_user and user_session (Citus reference tables), and the migration ledger.

create table workspace (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  timezone text not null default 'Asia/Tokyo',
  currency text not null default 'JPY',
  created_at timestamptz not null default now()
);

create table app_user (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  name text not null default '',
  password_hash text not null,
  created_at timestamptz not null default now()
);
create unique index app_user_email_key on app_user (lower(email));

create table workspace_member (
  workspace_id uuid not null references workspace (id) on delete cascade,
  user_id uuid not null references app_user (id) on delete cascade,
  role text not null check (role in ('owner', 'admin', 'marketer', 'staff', 'viewer')),
  created_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);

create table user_session (
  token_hash text primary key,
  user_id uuid not null references app_user (id) on delete cascade,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index user_session_user_idx on user_session (user_id);

create table api_key (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  name text not null,
  secret_hash text not null,
  scopes text[] not null,
  created_by uuid references app_user (id) on delete set null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  primary key (workspace_id, id),
  unique (workspace_id, secret_hash)
);

create table store (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  code text not null,
  name text not null,
  prefecture text,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, code)
);

create table customer (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  family_name text,
  given_name text,
  family_name_kana text,
  given_name_kana text,
  birthday date,
  gender text check (gender in ('female', 'male', 'other', 'unanswered')),
  prefecture text,
  favorite_store_id bigint,
  interests text[] not null default '{}',
  registered_at timestamptz not null default now(),
  acquisition_source text,
  attributes jsonb not null default '{}',
  tags text[] not null default '{}',
  -- Set when this record was merged into another; merged records keep their history but no
  -- identities, and are hidden from lists.
  merged_into_id bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, favorite_store_id) references store (workspace_id, id),
  foreign key (workspace_id, merged_into_id) references customer (workspace_id, id)
);
create index customer_registered_idx on customer (workspace_id, registered_at);

create table customer_identity (
  workspace_id uuid not null,
  -- line: LINE userId; email: lower-cased address; phone: E.164; external: a shop system's id,
  -- with the system named in namespace (member_no, shopify, ec, ...).
  kind text not null check (kind in ('line', 'email', 'phone', 'external')),
  namespace text not null default '',
  value text not null,
  customer_id bigint not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, kind, namespace, value),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index customer_identity_customer_idx on customer_identity (workspace_id, customer_id);

create table customer_merge (
  workspace_id uuid not null,
  id bigint generated always as identity,
  survivor_id bigint not null,
  merged_id bigint not null,
  -- The identities that tied the two records together, and what moved.
  detail jsonb not null default '{}',
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, survivor_id) references customer (workspace_id, id) on delete cascade,
  foreign key (workspace_id, merged_id) references customer (workspace_id, id) on delete cascade
);

-- Consent is history: one row per change, never updated. customer_consent holds the latest
-- state per (customer, channel, purpose) for fast reads and segment conditions.
create table consent_event (
  workspace_id uuid not null,
  id bigint generated always as identity,
  customer_id bigint not null,
  channel text not null check (channel in ('line', 'email')),
  purpose text not null check (purpose in ('marketing', 'transactional')),
  status text not null check (status in ('granted', 'revoked', 'blocked')),
  source text not null,
  actor text,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index consent_event_customer_idx on consent_event (workspace_id, customer_id, channel, purpose, occurred_at);

create table customer_consent (
  workspace_id uuid not null,
  customer_id bigint not null,
  channel text not null,
  purpose text not null,
  status text not null,
  source text not null,
  occurred_at timestamptz not null,
  primary key (workspace_id, customer_id, channel, purpose),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);

create table product (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  sku text not null,
  name text not null,
  price integer,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, sku)
);

create table customer_order (
  workspace_id uuid not null,
  id bigint generated always as identity,
  -- The client's order id (order number): retries and re-imports upsert by it.
  external_id text not null,
  customer_id bigint not null,
  store_id bigint,
  status text not null check (status in ('completed', 'cancelled', 'refunded')),
  ordered_at timestamptz not null,
  currency text not null default 'JPY',
  subtotal bigint not null,
  discount bigint not null default 0,
  shipping bigint not null default 0,
  tax bigint not null default 0,
  total bigint not null,
  refunded_amount bigint not null default 0,
  source text not null default 'api',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, external_id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade,
  foreign key (workspace_id, store_id) references store (workspace_id, id)
);
create index customer_order_customer_idx on customer_order (workspace_id, customer_id, ordered_at);

create table order_line (
  workspace_id uuid not null,
  order_id bigint not null,
  line_no integer not null,
  product_id bigint,
  sku text,
  name text not null,
  quantity integer not null,
  unit_price bigint not null,
  amount bigint not null,
  primary key (workspace_id, order_id, line_no),
  foreign key (workspace_id, order_id) references customer_order (workspace_id, id) on delete cascade,
  foreign key (workspace_id, product_id) references product (workspace_id, id)
);

-- Status changes and refunds of an order, oldest first: a refund never overwrites history.
create table order_history (
  workspace_id uuid not null,
  id bigint generated always as identity,
  order_id bigint not null,
  kind text not null check (kind in ('created', 'status_changed', 'refunded', 'updated')),
  from_status text,
  to_status text,
  amount bigint,
  reason text,
  occurred_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, order_id) references customer_order (workspace_id, id) on delete cascade
);
create index order_history_order_idx on order_history (workspace_id, order_id, id);

create table visit (
  workspace_id uuid not null,
  id bigint generated always as identity,
  external_id text not null,
  customer_id bigint not null,
  store_id bigint,
  visited_at timestamptz not null,
  source text not null default 'api',
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, external_id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade,
  foreign key (workspace_id, store_id) references store (workspace_id, id)
);
create index visit_customer_idx on visit (workspace_id, customer_id, visited_at);

create table event (
  workspace_id uuid not null,
  id bigint generated always as identity,
  -- The client's event id; optional, but when given a retried batch stores each event once.
  external_id text,
  customer_id bigint not null,
  type text not null,
  occurred_at timestamptz not null,
  properties jsonb not null default '{}',
  received_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create unique index event_external_id_key on event (workspace_id, external_id) where external_id is not null;
create index event_customer_idx on event (workspace_id, customer_id, occurred_at);
