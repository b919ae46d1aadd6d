-- A large send's outbox is written in chunks, each committed on its own and two at a time on
-- PostgreSQL, so its delivery starts with the first chunk instead of after the whole outbox
-- (issue #20: 1M recipients took 16-19 s to write before the first multicast could leave).
--
-- A streamed outbox numbers each row by its entry's position in the create request, so that
-- chunks can be written side by side: where an entry writes no row (a customer merged away), its
-- seq is a gap. message_send.seq_end is then the end of the seqs (the request's entry count);
-- null for an outbox numbered without gaps, whose end is its total.
alter table message_send add column seq_end integer;

-- While the outbox is being written its send has a row here, which the planner reads (without
-- locking it) to know how far the outbox goes, and which a send cannot be finished past:
-- - input_total, first_chunk, chunk: the request's entries and how they are cut into chunks
--   (chunk 0 is the first `first_chunk` entries, each later one `chunk` entries);
-- - written_through: the entries below it are written, every chunk up to it committed; the
--   planner reads seqs below it only;
-- - done: chunks committed past written_through (written side by side, they commit in any order);
-- - rows_written: outbox rows committed (the send's total so far);
-- - input_digest: the request's recipients and contents, hashed, so that a repeat of the create
--   with the same idempotency key (which finishes an outbox whose writer died) cannot finish it
--   with another audience;
-- - writer_until: the writers' heartbeat, renewed by each chunk; a delivery that has sent
--   everything written waits while it is in the future and lets go of the send once it is past.
-- The row is deleted in the transaction that records the last chunk and sets the send's total.
create table message_send_writing (
  workspace_id uuid not null,
  send_id bigint not null,
  input_total integer not null check (input_total >= 0),
  first_chunk integer not null check (first_chunk > 0),
  chunk integer not null check (chunk > 0),
  written_through integer not null default 0 check (written_through between 0 and input_total),
  done integer[] not null default '{}',
  rows_written integer not null default 0 check (rows_written >= 0),
  input_digest text not null,
  writer_until timestamptz not null,
  primary key (workspace_id, send_id),
  foreign key (workspace_id, send_id) references message_send (workspace_id, id) on delete cascade
);
