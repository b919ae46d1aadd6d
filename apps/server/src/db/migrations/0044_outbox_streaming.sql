-- A large send's outbox is written in chunks, each committed on its own, so its delivery starts
-- with the first chunk instead of after the whole outbox (issue #20: 1M recipients took 17-19 s to
-- write before the first multicast could leave). While the outbox is being written its send has
-- a row here, which the planner reads (without locking it) to know how far the outbox goes, and
-- which a send cannot be finished past:
-- - input_total / input_done: the create request's entries, and how many of them are written
--   (merged-away customers are left out, so an entry may write no row);
-- - written: outbox rows committed, seq 0 .. written - 1;
-- - input_digest: the request's recipients and contents, hashed, so a repeat of the create with the
--   same idempotency key (which finishes an outbox whose writer died) cannot finish it with
--   another audience;
-- - writer_until: the writer's heartbeat, renewed by each chunk; a delivery that has sent
--   everything written waits while it is in the future and lets go of the send once it is past.
-- The row is deleted in the transaction that writes the last chunk and sets the send's total.
create table message_send_writing (
  workspace_id uuid not null,
  send_id bigint not null,
  input_total integer not null check (input_total >= 0),
  input_done integer not null default 0 check (input_done between 0 and input_total),
  written integer not null default 0 check (written >= 0),
  input_digest text not null,
  writer_until timestamptz not null,
  primary key (workspace_id, send_id),
  foreign key (workspace_id, send_id) references message_send (workspace_id, id) on delete cascade
);
