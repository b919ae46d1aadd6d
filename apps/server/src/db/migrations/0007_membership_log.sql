-- Segment membership history and the entry/exit outbox become one append-only log
-- (src/segments/membership-write.ts).
--
-- Before, every entry inserted a spell into segment_membership and every exit updated it (a
-- new row version and index entries, since exited_at was in a partial index), next to the
-- outbox row in segment_membership_event: about half of the incremental recompute's write time.
-- Now an exit event carries the instant its spell began (the member row's entered_at), so the
-- history is the current members (open spells) plus the exit events (closed spells), and
-- segment_membership is a view over the two. Exits are logged for every segment; entries only
-- once a segment has had its first full evaluation (journeys must not fire for everyone who
-- already matched when a segment was saved), as before.
--
-- The foreign keys from segment_member and segment_membership_event to segment checked every
-- inserted row against segment (measured: about a fifth of the recompute's write time). Those
-- rows are only written for segments the writer holds locked, so the check can never fail;
-- deleting a segment (directly, or with its workspace) still removes its members and events,
-- through a statement trigger instead of the cascades.

alter table segment_membership_event add column entered_at timestamptz;

-- Exit events learn when their spell began.
update segment_membership_event e set entered_at = h.entered_at
  from segment_membership h
  where e.kind = 'exited' and h.workspace_id = e.workspace_id and h.segment_id = e.segment_id
    and h.customer_id = e.customer_id and h.exited_at = e.occurred_at;

-- Spells closed without an exit event (a segment before its first full evaluation emitted no
-- events) become exit events, so that no history is lost. Consumers see them past their cursors;
-- an exit of a customer they never saw enter changes nothing for them.
insert into segment_membership_event (workspace_id, segment_id, customer_id, kind, occurred_at, entered_at)
  select h.workspace_id, h.segment_id, h.customer_id, 'exited', h.exited_at, h.entered_at
  from segment_membership h
  where h.exited_at is not null
    and not exists (select 1 from segment_membership_event e
      where e.workspace_id = h.workspace_id and e.segment_id = h.segment_id and e.customer_id = h.customer_id
        and e.kind = 'exited' and e.occurred_at = h.exited_at)
  order by h.exited_at, h.id;

drop table segment_membership;

alter table segment_membership_event
  add constraint segment_membership_event_exit_entered check (kind = 'entered' or entered_at is not null) not valid;

-- Every spell: open ones are the current members, closed ones the exit events.
create view segment_membership as
  select m.workspace_id, m.segment_id, m.customer_id, m.entered_at, null::timestamptz as exited_at
    from segment_member m
  union all
  select e.workspace_id, e.segment_id, e.customer_id, e.entered_at, e.occurred_at as exited_at
    from segment_membership_event e
    where e.kind = 'exited';

alter table segment_member drop constraint segment_member_workspace_id_segment_id_fkey;
alter table segment_membership_event drop constraint segment_membership_event_workspace_id_segment_id_fkey;

create function segment_delete_membership() returns trigger language plpgsql as $$
begin
  delete from segment_member m using deleted d
    where m.workspace_id = d.workspace_id and m.segment_id = d.id;
  delete from segment_membership_event e using deleted d
    where e.workspace_id = d.workspace_id and e.segment_id = d.id;
  return null;
end $$;
create trigger segment_delete_membership after delete on segment
  referencing old table as deleted for each statement execute function segment_delete_membership();
