-- DKIM rotation with an overlap. A rotation makes a **pending** RSA key under a new selector
-- (kizuna1 → kizuna2) while the current key keeps signing; the owner publishes the pending record
-- and then activates it. Activation moves the current key's selector and public key to **retired**:
-- its record stays listed ("can be removed after a few days") because mail signed before the
-- switch is still in transit or queued at receivers and is verified with it. The retired private
-- key is not kept: nothing signs with it any more.
alter table email_sender
  add column dkim_pending_selector text check (dkim_pending_selector ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  add column dkim_pending_private_sealed text,
  add column dkim_pending_public text,
  add column dkim_retired_selector text check (dkim_retired_selector ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  add column dkim_retired_public text,
  add column dkim_retired_at timestamptz,
  add constraint email_sender_pending_whole check (
    (dkim_pending_selector is null) = (dkim_pending_private_sealed is null)
    and (dkim_pending_selector is null) = (dkim_pending_public is null)
  ),
  add constraint email_sender_retired_whole check (
    (dkim_retired_selector is null) = (dkim_retired_public is null)
    and (dkim_retired_selector is null) = (dkim_retired_at is null)
  ),
  -- One DNS name, one record: the pending key never shares a selector with a key in use.
  add constraint email_sender_pending_own_selector check (
    dkim_pending_selector <> dkim_selector and dkim_pending_selector <> dkim_ed25519_selector
  );
