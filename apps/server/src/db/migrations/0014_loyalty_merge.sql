-- Customer merges carry loyalty along (apps/server/src/loyalty/merge-loyalty.ts).
--
-- * point_entry gains the kind 'merge': the merged member's balance leaves its ledger with one
--   negative entry and arrives on the survivor's with one positive entry, while its lots move
--   with their own expiry dates. Each ledger therefore still sums to its member's balance.
-- * stamp_card gains the status 'merged': when both customers hold an active card of the same
--   template, the survivor's card takes the merged card's stamps and the merged card (moved to
--   the survivor as history) is marked merged, since a customer holds one active card per template.
alter table point_entry drop constraint point_entry_kind_check;
alter table point_entry add constraint point_entry_kind_check
  check (kind in ('earn', 'redeem', 'adjust', 'expire', 'reverse', 'void', 'merge'));

alter table stamp_card drop constraint stamp_card_status_check;
alter table stamp_card add constraint stamp_card_status_check
  check (status in ('active', 'completed', 'merged'));

-- The customers merged into a survivor, for the points-based tier basis: the merged records'
-- earn entries stay in their own (append-only) ledgers and still count for the survivor's tier.
create index customer_merged_into_idx on customer (workspace_id, merged_into_id)
  where merged_into_id is not null;
