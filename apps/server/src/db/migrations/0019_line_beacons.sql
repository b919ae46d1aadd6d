-- LINE beacons placed in stores (apps/server/src/line/beacons.ts): a beacon `enter` webhook from
-- a friend near a beacon tied to a store records a visit there (once per customer, store and
-- day in Japan time). Every table leads its keys with workspace_id (see 0001_core.sql).
create table line_beacon (
  workspace_id uuid not null,
  channel_id uuid not null,
  -- LINE's hardware id of the beacon (10 hexadecimal digits).
  hwid text not null,
  store_id bigint not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, channel_id, hwid),
  foreign key (workspace_id, channel_id) references line_channel (workspace_id, id) on delete cascade,
  foreign key (workspace_id, store_id) references store (workspace_id, id)
);
