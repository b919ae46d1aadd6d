-- An optional second DKIM key per sender, Ed25519 (RFC 8463), made by `kizuna email dkim
-- --algorithm ed25519`. A sender with both keys signs every mail twice (rsa-sha256 and
-- ed25519-sha256): a receiver that does not know Ed25519 ignores that signature and checks the
-- RSA one (RFC 8463 section 5 asks signers to keep both for now). The private key is sealed like
-- the RSA one; the public key is the raw 32 bytes, base64, as the k=ed25519 record's p= carries it.
alter table email_sender
  add column dkim_ed25519_selector text check (dkim_ed25519_selector ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  add column dkim_ed25519_private_sealed text,
  add column dkim_ed25519_public text,
  add constraint email_sender_ed25519_whole check (
    (dkim_ed25519_selector is null) = (dkim_ed25519_private_sealed is null)
    and (dkim_ed25519_selector is null) = (dkim_ed25519_public is null)
  ),
  -- Two keys under one selector would be one DNS name for two records.
  add constraint email_sender_ed25519_own_selector check (dkim_ed25519_selector <> dkim_selector);
