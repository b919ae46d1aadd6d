-- Security hardening of accounts (issue #19, items 1, 7 and 10): invitations instead of
-- attaching existing accounts, one-time password-reset links, per-workspace session revocation,
-- and login throttle counters that every Kizuna process shares.

-- An invitation to join a workspace with a role. Only the token's hash is stored; the link is
-- shown once to the admin who invited. An existing user accepts while logged in as themselves; a
-- new user sets their own password with it. At most one pending invitation per email and
-- workspace: inviting again revokes the earlier link.
create table member_invitation (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  email text not null check (email = lower(email)),
  role text not null check (role in ('owner', 'admin', 'marketer', 'staff', 'viewer')),
  token_hash text not null,
  -- `user:<uuid>` or `api_key:<id>`
  invited_by text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references app_user (id) on delete set null,
  revoked_at timestamptz,
  primary key (workspace_id, id),
  unique (workspace_id, token_hash)
);
create unique index member_invitation_pending_key on member_invitation (workspace_id, email)
  where accepted_at is null and revoked_at is null;

-- A one-time link that lets a user set a new password. Account-level like user_session (a Citus
-- reference table): issued by the operator's CLI (issued_in_workspace null) or by an owner or
-- admin of the one workspace the user belongs to; such a link stops working if the user joins
-- another workspace before using it.
create table password_reset (
  token_hash text primary key,
  user_id uuid not null references app_user (id) on delete cascade,
  issued_in_workspace uuid references workspace (id) on delete cascade,
  issued_by text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index password_reset_user_idx on password_reset (user_id);

-- Sessions get a public id (the token hash never leaves the server) and what the user needs to
-- recognise them in their list of sessions.
alter table user_session
  add column id uuid not null default gen_random_uuid(),
  add column user_agent text,
  add column client_ip text;
create unique index user_session_id_key on user_session (id);

-- last_seen_at: when the member last used a session in this workspace (for the member list).
-- sessions_not_before: sessions started before this instant no longer reach this workspace (an
-- owner or admin revoked them); sessions are per user, so this cuts one workspace only.
alter table workspace_member
  add column last_seen_at timestamptz,
  add column sessions_not_before timestamptz;

-- Failed-login counters by key: a client address, an account (email hash) or an (account,
-- client) pair. Account-level and shared by all processes, so limits hold across processes and
-- restarts. Keys are hashes: no email address or IP is stored here.
create table login_throttle (
  key text primary key,
  failures integer not null check (failures >= 0),
  last_failure_at timestamptz not null
);
create index login_throttle_last_idx on login_throttle (last_failure_at);
