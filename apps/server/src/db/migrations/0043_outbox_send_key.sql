-- message_outbox's foreign key to message_send checked every outbox row as it was inserted: a
-- lookup and a key-share lock of the one send row, a thousand times for a journey batch's
-- thousand recipients (EXPLAIN ANALYZE at 100,000 recipients due at once: 12.2 ms of the
-- statement's ~40 ms per batch; the key to customer, kept, 6.0 ms). Outbox rows are written in one
-- place only, messaging's insertSend, in the transaction that has just inserted their send, so
-- the reference holds by construction. What the key still did is the cascade, kept here: deleting
-- sends (a workspace deleted) deletes their outbox rows, as journey_run's trigger does for steps
-- (0041).
alter table message_outbox drop constraint line_outbox_workspace_id_send_id_fkey;

create function message_send_delete_outbox() returns trigger language plpgsql as $$
begin
  delete from message_outbox o using deleted d
    where o.workspace_id = d.workspace_id and o.send_id = d.id;
  return null;
end $$;
create trigger message_send_delete_outbox after delete on message_send
  referencing old table as deleted for each statement execute function message_send_delete_outbox();
