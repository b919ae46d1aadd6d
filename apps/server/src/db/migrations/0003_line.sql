-- LINE channel: channels, webhook events, friends, account links, the delivery outbox and rich menus.
-- Every table leads its keys with workspace_id (see 0001_core.sql).

-- One LINE Official Account's Messaging API channel. `id` is Kizuna's key for the channel and the
-- last segment of its webhook URL (/line/webhook/:id); `line_channel_id` is LINE's channel id.
-- The secret and the access token are sealed with the deployment's key (shared/secret-box.ts).
create table line_channel (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  line_channel_id text not null,
  name text not null default '',
  secret_sealed text not null,
  access_token_sealed text not null,
  api_base_url text not null default 'https://api.line.me',
  data_api_base_url text not null default 'https://api-data.line.me',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, line_channel_id)
);
-- The public webhook route knows only the channel key.
create unique index line_channel_id_key on line_channel (id);

-- Every webhook event as received, once per webhookEventId. processed_at is set by the worker.
create table line_webhook_event (
  workspace_id uuid not null,
  webhook_event_id text not null,
  channel_id uuid not null,
  type text not null,
  line_user_id text,
  occurred_at timestamptz not null,
  payload jsonb not null,
  redelivered boolean not null default false,
  -- How many times LINE delivered it (duplicates and redeliveries after the first).
  deliveries integer not null default 1,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  outcome text,
  primary key (workspace_id, webhook_event_id),
  foreign key (workspace_id, channel_id) references line_channel (workspace_id, id) on delete cascade
);
create index line_webhook_event_pending_idx on line_webhook_event (workspace_id, channel_id, received_at)
  where processed_at is null;

-- A LINE user of a channel: a friend while status = 'friend', 'blocked' after an unfollow.
create table line_friend (
  workspace_id uuid not null,
  channel_id uuid not null,
  line_user_id text not null,
  customer_id bigint not null,
  status text not null check (status in ('friend', 'blocked')),
  display_name text,
  picture_url text,
  follow_count integer not null default 0,
  last_event_at timestamptz not null,
  primary key (workspace_id, channel_id, line_user_id),
  foreign key (workspace_id, channel_id) references line_channel (workspace_id, id) on delete cascade,
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index line_friend_customer_idx on line_friend (workspace_id, customer_id);

-- The account-link nonce flow: a nonce issued for a signed-in customer, consumed by the
-- accountLink webhook (link.nonce) that names the LINE user.
create table line_account_link (
  workspace_id uuid not null,
  nonce text not null,
  channel_id uuid not null,
  customer_id bigint not null,
  line_user_id text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  result text,
  primary key (workspace_id, nonce),
  foreign key (workspace_id, channel_id) references line_channel (workspace_id, id) on delete cascade,
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);

-- A send: one content to a list of customers (a campaign's or a journey's step), delivered
-- through the outbox. `next_seq` is the batching cursor: outbox rows below it are in requests.
create table line_send (
  workspace_id uuid not null,
  id bigint generated always as identity,
  channel_id uuid not null,
  idempotency_key text not null,
  origin text not null,
  messages jsonb not null,
  aggregation_unit text,
  status text not null check (status in ('queued', 'sending', 'paused', 'done')),
  paused_reason text,
  total integer not null,
  next_seq integer not null default 0,
  lease_owner text,
  lease_until timestamptz,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (workspace_id, id),
  unique (workspace_id, idempotency_key),
  foreign key (workspace_id, channel_id) references line_channel (workspace_id, id) on delete cascade
);

-- The outbox: one message per customer of a send, numbered by seq. `messages` is set for
-- personalised content (sent as push); null means the send's content (multicast, 500 a request).
-- `status` is set here only for per-recipient outcomes (skipped at send time, failed); a queued
-- row's delivery is its request's outcome (line_request covers seq_from..seq_to).
create table line_outbox (
  workspace_id uuid not null,
  send_id bigint not null,
  seq integer not null,
  customer_id bigint not null,
  line_user_id text,
  messages jsonb,
  status text not null default 'queued' check (status in ('queued', 'skipped', 'failed')),
  reason text,
  primary key (workspace_id, send_id, seq),
  foreign key (workspace_id, send_id) references line_send (workspace_id, id) on delete cascade,
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index line_outbox_customer_idx on line_outbox (workspace_id, customer_id);

-- One request to LINE (multicast or push), written with its retry key BEFORE it is sent, so a
-- retry, even by another worker after a crash, reuses the key and LINE accepts it at most once.
-- Its recipients are the outbox rows seq_from..seq_to still 'queued' (rows skipped at planning
-- are marked in the same transaction), so a resend rebuilds exactly the same list.
create table line_request (
  workspace_id uuid not null,
  send_id bigint not null,
  seq_from integer not null,
  seq_to integer not null,
  kind text not null check (kind in ('multicast', 'push')),
  retry_key uuid not null,
  recipient_count integer not null,
  status text not null check (status in ('pending', 'accepted', 'failed')),
  attempts integer not null default 0,
  line_request_id text,
  error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (workspace_id, send_id, seq_from),
  foreign key (workspace_id, send_id) references line_send (workspace_id, id) on delete cascade
);
create index line_request_pending_idx on line_request (workspace_id, send_id) where status = 'pending';

-- Rich menus defined in Kizuna and created on LINE (rich_menu_id once created).
create table line_rich_menu (
  workspace_id uuid not null,
  id bigint generated always as identity,
  channel_id uuid not null,
  name text not null,
  definition jsonb not null,
  rich_menu_id text,
  image_uploaded boolean not null default false,
  is_default boolean not null default false,
  -- Menus linked to a segment follow its membership once segments exist (segments issue).
  segment_id text,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, channel_id) references line_channel (workspace_id, id) on delete cascade
);
