-- A campaign whose send cannot go out ends `failed`, with the reason the API shows (issue #14),
-- instead of staying `sending` (retried every minute for ever) or showing `sent` when LINE refused
-- every message (a refused channel access token).
--
-- * failure_reason: why, in the words of the error (LINE's, or the domain's);
-- * send_failures: how many runs of the campaign's send failed in a row (a failure that may pass,
--   such as the database, is retried by the minute job up to a bound; campaigns/campaign-failure.ts);
-- * delivery_checked_at: when the minute job found every variant's send finished and read its
--   outcomes (null: not yet, so a sent campaign is checked once, after its delivery ends).
alter table campaign drop constraint campaign_status_check;
alter table campaign add constraint campaign_status_check
  check (status in ('draft', 'scheduled', 'sending', 'sent', 'cancelled', 'failed'));
alter table campaign add column failed_at timestamptz;
alter table campaign add column failure_reason text;
alter table campaign add column send_failures integer not null default 0;
alter table campaign add column delivery_checked_at timestamptz;
create index campaign_unchecked_idx on campaign (workspace_id, id) where status = 'sent' and delivery_checked_at is null;
