-- Rich menus that follow a segment's membership (apps/server/src/line/rich-menu-sync.ts).
-- Every table leads its keys with workspace_id (see 0001_core.sql).

-- line_rich_menu.segment_id was free text before segments existed; it now names a segment.
-- Values that are not the id of one of the workspace's segments are cleared.
alter table line_rich_menu alter column segment_id type bigint
  using (case when segment_id ~ '^[0-9]{1,18}$' then segment_id::bigint end);
update line_rich_menu r set segment_id = null
  where segment_id is not null
    and not exists (select 1 from segment s where s.workspace_id = r.workspace_id and s.id = r.segment_id);
alter table line_rich_menu
  -- Precedence when a customer is in several segments that each have a menu on the channel:
  -- the highest priority wins, then the most recently assigned (segment_assigned_at), then the
  -- higher id. No menu: the per-user link is removed and the channel's default shows.
  add column priority integer not null default 0,
  add column segment_assigned_at timestamptz,
  -- Deleting the segment leaves the menu, following nothing (the next full reconcile unlinks).
  add constraint line_rich_menu_segment_fkey foreign key (workspace_id, segment_id)
    references segment (workspace_id, id) on delete set null (segment_id);
create index line_rich_menu_segment_idx on line_rich_menu (workspace_id, segment_id)
  where segment_id is not null;

-- The rich-menu sync of one workspace: its cursor over segment_membership_event (this
-- consumer's; journeys keep their own), the worker lease, and what the last run saw.
create table line_rich_menu_sync (
  workspace_id uuid not null references workspace (id) on delete cascade,
  -- Events with id <= event_cursor have been turned into intended links (line_rich_menu_link).
  event_cursor bigint not null default 0,
  -- A menu was assigned, unassigned or re-prioritised: recompute every member, not only events.
  full_requested boolean not null default true,
  last_full_at timestamptz,
  lease_owner text,
  lease_until timestamptz,
  last_sync_at timestamptz,
  last_error text,
  last_error_at timestamptz,
  primary key (workspace_id)
);

-- The intended and the applied rich menu of each LINE user the sync manages, per channel.
-- desired_menu_id is what the segments say (null: no segment menu, so the default applies);
-- applied_menu_id is what LINE was last told and confirmed (null: unlinked). status:
-- pending (LINE must be told), synced (applied = desired), blocked (the user blocked the
-- account: LINE is not called until they follow again), failed (LINE refused, with error).
-- Keyed by the LINE user, so a customer merge only moves customer_id.
create table line_rich_menu_link (
  workspace_id uuid not null,
  channel_id uuid not null,
  line_user_id text not null,
  customer_id bigint not null,
  desired_menu_id bigint,
  applied_menu_id bigint,
  status text not null check (status in ('pending', 'synced', 'blocked', 'failed')),
  error text,
  updated_at timestamptz not null default now(),
  synced_at timestamptz,
  primary key (workspace_id, channel_id, line_user_id),
  foreign key (workspace_id, channel_id) references line_channel (workspace_id, id) on delete cascade,
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index line_rich_menu_link_pending_idx on line_rich_menu_link (workspace_id, channel_id, desired_menu_id)
  where status = 'pending';
create index line_rich_menu_link_customer_idx on line_rich_menu_link (workspace_id, customer_id);
