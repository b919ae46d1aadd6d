-- LIFF member app: per-channel LIFF and LINE Login settings, member sessions, the first-open survey.
-- Every table leads its keys with workspace_id (see 0001_core.sql).

-- One LIFF app of a LINE channel. The LIFF app belongs to a LINE Login channel (its ID tokens'
-- `aud` is login_channel_id), whose secret is sealed with the deployment's key like the
-- Messaging API channel's. The public session route knows only the LIFF id, so it is unique
-- across workspaces.
create table liff_app (
  workspace_id uuid not null,
  channel_id uuid not null,
  liff_id text not null,
  login_channel_id text not null,
  login_channel_secret_sealed text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, channel_id),
  foreign key (workspace_id, channel_id) references line_channel (workspace_id, id) on delete cascade
);
create unique index liff_app_liff_id_key on liff_app (liff_id);

-- A member session: what a LIFF app holds after POST /v1/liff/session, for one customer of one
-- workspace. Only the token's SHA-256 is stored; the token names its workspace, like an API key.
create table liff_member_session (
  workspace_id uuid not null,
  token_hash text not null,
  customer_id bigint not null,
  channel_id uuid not null,
  line_user_id text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  primary key (workspace_id, token_hash),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade,
  foreign key (workspace_id, channel_id) references line_channel (workspace_id, id) on delete cascade
);
create index liff_member_session_customer_idx on liff_member_session (workspace_id, customer_id);

-- The workspace's first-open survey: its questions (see liff/survey.ts for the shape).
create table liff_survey (
  workspace_id uuid not null references workspace (id) on delete cascade,
  questions jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (workspace_id)
);

-- When a customer answered the survey (the answers themselves live on the customer).
create table liff_survey_response (
  workspace_id uuid not null,
  customer_id bigint not null,
  answered_at timestamptz not null,
  primary key (workspace_id, customer_id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
