-- LIFF account link from the member side (POST /v1/liff/me/link): each attempt a LINE user makes
-- to link a shop account, so failed attempts can be limited per LINE user and per member number.
-- member_no_key is the member number as typed (normalised), whether or not it exists, so the
-- limit per number says nothing about which numbers exist. Rows older than the window are
-- deleted as new attempts arrive (liff/member-link-attempts.ts).
create table liff_link_attempt (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  line_user_id text not null,
  member_no_key text not null,
  attempted_at timestamptz not null,
  succeeded boolean not null,
  primary key (workspace_id, id)
);
create index liff_link_attempt_user_idx on liff_link_attempt (workspace_id, line_user_id, attempted_at);
create index liff_link_attempt_member_no_idx on liff_link_attempt (workspace_id, member_no_key, attempted_at);
