-- LINE webhook events whose handling fails (apps/server/src/line/process-events.ts): each failure
-- is recorded on the event, which is retried with a growing pause and, when it keeps failing (or
-- can never be handled), set aside with its reason for an operator, while the channel's other
-- events go on. Every table leads its keys with workspace_id (see 0001_core.sql).
alter table line_webhook_event
  -- Failed handling attempts since the event was stored (or last put back by an operator).
  add column attempts integer not null default 0,
  -- The last failure's reason (bounded; never the event's personal data on purpose).
  add column last_error text,
  -- Not retried before this instant; null: due now.
  add column retry_at timestamptz,
  -- Set aside: not retried until an operator puts it back (POST …/webhook-events/:id/retry).
  add column set_aside_at timestamptz;

-- The operator's list of set-aside events, newest first.
create index line_webhook_event_set_aside_idx on line_webhook_event (workspace_id, set_aside_at)
  where set_aside_at is not null;
