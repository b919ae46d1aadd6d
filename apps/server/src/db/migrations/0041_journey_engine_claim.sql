-- The journey engine at a million runs (bench/journeys, issue #14).
--
-- 1. The engine's claim reads due runs `order by due_at, id` (journeys/run-state.ts). With the
--    index on (workspace_id, due_at) alone, runs due at the same instant (a whole segment
--    entering, a cohort waiting "until 10:00") came out of the index unordered by id, and
--    PostgreSQL sorted every run of that instant to hand out the first thousand. With id in the
--    index the claim stops after the rows it takes.
drop index journey_run_due_idx;
create index journey_run_due_idx on journey_run (workspace_id, due_at, id) where status = 'active';

-- 2. journey_step's foreign key to journey_run checked every step row as it was inserted: one
--    lookup and key-share lock of a run the engine already holds locked, per row, about 2/3 of
--    the insert's time (100,000 rows: 610-1,000 ms with the key, 130-290 ms without, measured on
--    the shared machine). The engine writes steps only of runs it has claimed (locked), so the
--    reference holds by construction; what the key still did is the cascade, kept here: deleting
--    runs (a customer erased, a journey or workspace deleted) deletes their steps, as segment's
--    membership rows do (0007).
alter table journey_step drop constraint journey_step_workspace_id_run_id_fkey;

create function journey_run_delete_steps() returns trigger language plpgsql as $$
begin
  delete from journey_step s using deleted d
    where s.workspace_id = d.workspace_id and s.run_id = d.id;
  return null;
end $$;
create trigger journey_run_delete_steps after delete on journey_run
  referencing old table as deleted for each statement execute function journey_run_delete_steps();
