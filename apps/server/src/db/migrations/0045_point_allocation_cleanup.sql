-- point_allocation (which lots a redemption, expiry or reversal drew from) has no foreign key to
-- its entry, so deleting a customer, whose entries and lots go by their keys' cascade, left the
-- allocation rows of those entries behind, and so did deleting a workspace. They hold no personal
-- data (ids and points) but explain nothing any more. A statement trigger on point_entry deletes
-- the allocations of the entries deleted, in the same statement as the cascade (the pattern of
-- 0041 and 0043), and the rows already left behind are removed here.
create function point_entry_delete_allocations() returns trigger language plpgsql as $$
begin
  delete from point_allocation a using deleted d
    where a.workspace_id = d.workspace_id and a.entry_id = d.id;
  return null;
end $$;
create trigger point_entry_delete_allocations after delete on point_entry
  referencing old table as deleted for each statement execute function point_entry_delete_allocations();

delete from point_allocation a
  where not exists (select 1 from point_entry e where e.workspace_id = a.workspace_id and e.id = a.entry_id);
