-- One append-only log of customer-level domain events (src/domain-events/): orders and visits
-- recorded, segment entries and exits, LINE friend-adds and blocks, loyalty milestones. Each
-- row is written in the transaction of the change it announces; journeys read it by cursor.
--
-- Ordering. `seq` comes from an identity, and identity values are handed out before commit: a
-- transaction may take seq 5, stay open, and commit after another one has committed seq 6. A
-- reader that had already moved its cursor past 6 would never see 5. So each row also keeps the
-- id of the transaction that wrote it (`xid`, filled in by the default), readers order by
-- (xid, seq), and they only return rows whose transaction is older than the oldest one still
-- running (pg_snapshot_xmin(pg_current_snapshot())). Such a transaction has ended, so no row
-- can ever appear below the cursor later. xid8 is the 64-bit, never-wrapping transaction id.
create table domain_event (
  workspace_id uuid not null references workspace (id) on delete cascade,
  seq bigint generated always as identity,
  xid xid8 not null default pg_current_xact_id(),
  customer_id bigint not null,
  type text not null,
  payload jsonb not null,
  -- When it happened in the shop's world (the order's time, the webhook's timestamp).
  occurred_at timestamptz not null,
  recorded_at timestamptz not null default now(),
  -- Set by publishers that may see the same change twice (a redelivered webhook, the expiry job
  -- running again): the second append is skipped.
  dedupe_key text,
  primary key (workspace_id, seq),
  -- Erasing a customer erases their events; a merge keeps the merged record, so it deletes none.
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create unique index domain_event_dedupe_key on domain_event (workspace_id, dedupe_key)
  where dedupe_key is not null;
-- The cursor read: (workspace_id, xid, seq) > cursor, in that order.
create index domain_event_cursor_idx on domain_event (workspace_id, xid, seq);
create index domain_event_customer_idx on domain_event (workspace_id, customer_id, seq);
