-- Email campaigns (campaigns/README.md): a campaign names its channel, and an email campaign's
-- variant holds where its mail comes from ({"templateId": n} or {"subject", "mjml"}) instead of
-- LINE messages (its `messages` is then []). Existing campaigns are LINE campaigns.
alter table campaign add column channel text not null default 'line' check (channel in ('line', 'email'));
alter table campaign_variant add column email jsonb;
