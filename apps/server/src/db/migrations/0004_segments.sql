-- Segments and LTV analytics (see src/segments/README.md).
--
-- segment_member is the current membership, rewritten only by diffs (entries and exits), never by
-- truncate-and-reload, so entered_at survives re-evaluation. segment_membership keeps every spell
-- (entered_at, exited_at) and segment_membership_event is the outbox journeys read entries and
-- exits from, in id order.

create table segment (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  name text not null check (length(name) between 1 and 200),
  description text not null default '',
  -- The validated rule tree (segments/rule-tree.ts).
  definition jsonb not null,
  -- The built-in template it was made from, if any (segments/templates.ts).
  template text,
  -- True when membership can change with the clock alone ("no order for 180 days"), so the
  -- scheduled refresh re-evaluates it; also true for RFM and prediction conditions, which change
  -- when their jobs run.
  time_based boolean not null default false,
  member_count integer not null default 0,
  evaluated_at timestamptz,
  created_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id)
);

create table segment_member (
  workspace_id uuid not null,
  segment_id bigint not null,
  customer_id bigint not null,
  entered_at timestamptz not null,
  primary key (workspace_id, segment_id, customer_id),
  foreign key (workspace_id, segment_id) references segment (workspace_id, id) on delete cascade
);
create index segment_member_customer_idx on segment_member (workspace_id, customer_id);

create table segment_membership (
  workspace_id uuid not null,
  id bigint generated always as identity,
  segment_id bigint not null,
  customer_id bigint not null,
  entered_at timestamptz not null,
  exited_at timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, segment_id) references segment (workspace_id, id) on delete cascade
);
create index segment_membership_open_idx on segment_membership (workspace_id, segment_id, customer_id)
  where exited_at is null;
create index segment_membership_customer_idx on segment_membership (workspace_id, customer_id);

create table segment_membership_event (
  workspace_id uuid not null,
  id bigint generated always as identity,
  segment_id bigint not null,
  customer_id bigint not null,
  kind text not null check (kind in ('entered', 'exited')),
  occurred_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, segment_id) references segment (workspace_id, id) on delete cascade
);
create index segment_membership_event_segment_idx on segment_membership_event (workspace_id, segment_id, id);

-- Per-customer order and visit figures, kept current for the customers each change touches and
-- rebuilt by the analytics refresh, which also scores RFM (1-5 quintiles over buyers).
-- Orders count only with status 'completed'; revenue is total - refunded_amount.
create table customer_stats (
  workspace_id uuid not null,
  customer_id bigint not null,
  order_count integer not null default 0,
  revenue bigint not null default 0,
  first_order_at timestamptz,
  last_order_at timestamptz,
  visit_count integer not null default 0,
  first_visit_at timestamptz,
  last_visit_at timestamptz,
  r_score smallint,
  f_score smallint,
  m_score smallint,
  updated_at timestamptz not null default now(),
  primary key (workspace_id, customer_id)
);

-- One row per CLV refit: the model that was fitted (or the fallback, and why), its parameters,
-- calibration-vs-holdout quality and the forecast it implies.
create table clv_model (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  -- 'bgnbd+gg', 'pareto+gg', 'historical' (the fallback when no model can be fitted).
  model text not null,
  fallback_reason text,
  params jsonb not null default '{}',
  quality jsonb not null default '{}',
  forecast jsonb not null default '{}',
  customers integer not null default 0,
  calibration_end timestamptz not null,
  timings jsonb not null default '{}',
  fitted_at timestamptz not null default now(),
  primary key (workspace_id, id)
);

-- The latest prediction per customer, with the model (clv_model.id) that made it.
create table clv_prediction (
  workspace_id uuid not null,
  customer_id bigint not null,
  model_id bigint not null,
  p_alive double precision,
  expected_purchases_30d double precision not null,
  expected_purchases_90d double precision not null,
  expected_purchases_365d double precision not null,
  expected_spend double precision not null,
  -- Discounted expected spend over the next 365 days.
  predicted_clv double precision not null,
  -- 0-100: the share of the workspace's predicted customers with a lower predicted CLV.
  clv_percentile double precision not null,
  primary key (workspace_id, customer_id)
);

-- Dashboard figures computed by the analytics refresh job (and on demand): one JSON document per
-- view, so that a dashboard reads one row whatever the size of the customer base.
create table analytics_summary (
  workspace_id uuid not null references workspace (id) on delete cascade,
  view text not null,
  body jsonb not null,
  computed_at timestamptz not null default now(),
  took_ms integer not null default 0,
  primary key (workspace_id, view)
);
