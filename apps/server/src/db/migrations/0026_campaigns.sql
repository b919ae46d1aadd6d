-- Campaigns (campaigns/), click tracking (clicks/) and the LINE plan a campaign's cost is priced
-- from. No foreign key points at the send tables (line_send, line_outbox, line_request): they are
-- being renamed channel-neutral; a variant names its send by id, a click its message by origin.

-- A one-off send to a segment or a customer list, now or at `scheduled_at`. The audience is fixed
-- (campaign_recipient) when it sends, not when it is written.
create table campaign (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  name text not null check (length(name) between 1 and 200),
  channel_id text not null,
  -- Exactly one audience: a segment's members at send time, or a fixed list of customers.
  segment_id bigint,
  customer_ids bigint[],
  holdout_percent numeric(5, 2) not null default 0 check (holdout_percent >= 0 and holdout_percent <= 50),
  attribution_days integer not null default 7 check (attribution_days between 1 and 90),
  quiet_hours text not null default 'hold' check (quiet_hours in ('hold', 'skip')),
  coupon_template_id bigint,
  track_clicks boolean not null default true,
  status text not null default 'draft' check (status in ('draft', 'scheduled', 'sending', 'sent', 'cancelled')),
  scheduled_at timestamptz,
  -- The public URL click redirects start with (the server's, when the campaign was written).
  link_base text not null,
  audience_fixed_at timestamptz,
  sent_at timestamptz,
  cancelled_at timestamptz,
  created_by text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  check ((segment_id is null) <> (customer_ids is null)),
  check (status <> 'scheduled' or scheduled_at is not null)
);
create index campaign_due_idx on campaign (scheduled_at) where status in ('scheduled', 'sending');

-- A/B content: each recipient outside the holdout gets one variant, by weight.
create table campaign_variant (
  workspace_id uuid not null,
  campaign_id bigint not null,
  key text not null check (key ~ '^[A-Z]$'),
  weight integer not null check (weight between 1 and 10000),
  messages jsonb not null,
  -- The messaging core's send of this variant (its idempotency key is campaign:<id>:<key>).
  send_id bigint,
  primary key (workspace_id, campaign_id, key),
  foreign key (workspace_id, campaign_id) references campaign (workspace_id, id) on delete cascade
);

-- The audience as it was when the campaign sent, with each member's stable bucket (0–9999, a hash
-- of the campaign and the customer), variant and decision: holdout (never messaged), send, or
-- render_failed (the content did not render for them; detail says why).
create table campaign_recipient (
  workspace_id uuid not null,
  campaign_id bigint not null,
  customer_id bigint not null,
  bucket integer not null check (bucket between 0 and 9999),
  variant_key text,
  decision text not null check (decision in ('holdout', 'send', 'render_failed')),
  detail text,
  primary key (workspace_id, campaign_id, customer_id),
  foreign key (workspace_id, campaign_id) references campaign (workspace_id, id) on delete cascade,
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade,
  check ((decision = 'holdout') = (variant_key is null))
);
create index campaign_recipient_customer_idx on campaign_recipient (workspace_id, customer_id);

-- The workspace's LINE official account plan (料金プラン), to price the messages a campaign sent.
-- additional_message_yen null: the plan cannot send beyond its free messages.
create table line_plan (
  workspace_id uuid primary key references workspace (id) on delete cascade,
  plan text not null check (plan in ('communication', 'light', 'standard', 'custom')),
  monthly_fee_yen integer not null check (monthly_fee_yen >= 0),
  free_messages integer not null check (free_messages >= 0),
  additional_message_yen numeric(8, 2) check (additional_message_yen >= 0),
  updated_at timestamptz not null
);

-- Click tracking: the key redirect tokens are signed with (random per workspace, sealed with the
-- server's secret key), each URL that was in a sent message, and each click.
create table link_key (
  workspace_id uuid primary key references workspace (id) on delete cascade,
  key_sealed text not null
);

create table tracked_link (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  -- The message it was in: the send's origin (campaign:12/A, journey:3/step:2).
  origin text not null,
  url text not null,
  primary key (workspace_id, id),
  unique (workspace_id, origin, url)
);

create table link_click (
  workspace_id uuid not null,
  id bigint generated always as identity,
  link_id bigint not null,
  customer_id bigint not null,
  clicked_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, link_id) references tracked_link (workspace_id, id) on delete cascade,
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index link_click_link_idx on link_click (workspace_id, link_id, customer_id);
create index link_click_customer_idx on link_click (workspace_id, customer_id);
