-- A rich menu a journey linked to a LINE friend directly (the journey action linkRichMenu,
-- apps/server/src/line/rich-menu-assignments.ts). It takes precedence over segment menus until
-- the journey's unlinkRichMenu releases it: the rich menu sync (line/rich-menu-targets.ts) reads
-- it when it works out each user's intended menu, and stays the only writer of
-- line_rich_menu_link and the only caller of LINE for per-user menus.
-- Keyed by the LINE user, as line_rich_menu_link is, so a customer merge only moves customer_id.
-- menu_id null: released (unlinkRichMenu), kept until the sync has recomputed the user, then
-- deleted. changed: written since the sync last recomputed the user.
create table line_rich_menu_assignment (
  workspace_id uuid not null,
  channel_id uuid not null,
  line_user_id text not null,
  customer_id bigint not null,
  menu_id bigint,
  -- Who assigned or released it ('journey:12') and the effect's key ('journey-run:5:step:3').
  assigned_by text not null,
  assignment_key text not null,
  assigned_at timestamptz not null,
  changed boolean not null default true,
  primary key (workspace_id, channel_id, line_user_id),
  foreign key (workspace_id, channel_id) references line_channel (workspace_id, id) on delete cascade,
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade,
  foreign key (workspace_id, menu_id) references line_rich_menu (workspace_id, id) on delete cascade
);
create index line_rich_menu_assignment_customer_idx on line_rich_menu_assignment (workspace_id, customer_id);
create index line_rich_menu_assignment_changed_idx on line_rich_menu_assignment (workspace_id)
  where changed;
