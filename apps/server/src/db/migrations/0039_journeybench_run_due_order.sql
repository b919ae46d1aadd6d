-- The engine's claim reads due runs `order by due_at, id` (journeys/run-state.ts). With the index
-- on (workspace_id, due_at) alone, runs due at the same instant (a whole segment entering, a
-- cohort waiting "until 10:00") come out of the index unordered by id, and PostgreSQL sorts every
-- run of that instant to hand out the first thousand: at a million runs, each batch's claim read
-- and sorted a million rows. With id in the index the claim stops after the rows it takes.
drop index journey_run_due_idx;
create index journey_run_due_idx on journey_run (workspace_id, due_at, id) where status = 'active';
