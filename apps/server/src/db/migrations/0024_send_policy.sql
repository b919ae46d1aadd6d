-- The send policy (messaging/send-policy.ts): a send's kind and quiet-hours choice, a
-- workspace's quiet hours (JST) and frequency caps per channel, and the per-customer rows that
-- make a cap hold across workers and sends.

-- A send is marketing (capped, held or skipped in quiet hours) or transactional (neither; only
-- a block or an opt-out of transactional messages stops it). `quiet_hours` is what a marketing
-- send does when it plans in quiet hours: wait for the window to open (hold) or skip its
-- recipients. A held send is paused with paused_reason 'quiet_hours' until `resume_at`.
alter table line_send
  add column kind text not null default 'marketing' check (kind in ('marketing', 'transactional')),
  add column quiet_hours text not null default 'hold' check (quiet_hours in ('hold', 'skip')),
  add column resume_at timestamptz;

-- The policy rule behind a recipient's skip (`cap:line:2/168h`, `quiet:21:00-09:00`); null for
-- the other reasons, whose reason says it all.
alter table line_outbox add column rule text;

-- One row per workspace with quiet hours (JST wall clock, 'HH:MM'; start > end wraps midnight).
create table messaging_policy (
  workspace_id uuid primary key references workspace (id) on delete cascade,
  quiet_start text check (quiet_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  quiet_end text check (quiet_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  updated_at timestamptz not null default now(),
  check ((quiet_start is null) = (quiet_end is null) and (quiet_start is null or quiet_start <> quiet_end))
);

-- At most max_messages marketing messages per customer on a channel in any rolling window of
-- window_hours. No row: no cap.
create table messaging_frequency_cap (
  workspace_id uuid not null references workspace (id) on delete cascade,
  channel text not null check (channel in ('line', 'email')),
  max_messages integer not null check (max_messages between 1 and 1000),
  window_hours integer not null check (window_hours between 1 and 8760),
  primary key (workspace_id, channel)
);

-- The row a planner locks (for update, in customer order) before it counts and records a
-- customer's capped messages: two plans of the same customer wait for each other instead of
-- both seeing room for one more. It holds nothing else; a merge drops the merged record's row.
create table messaging_cap_lock (
  workspace_id uuid not null,
  channel text not null,
  customer_id bigint not null,
  primary key (workspace_id, channel, customer_id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);

-- Each marketing message planned on a capped channel, at the instant it was planned: what the
-- cap counts. Written under the customer's lock row in the plan's transaction. send_id and seq
-- name the outbox row but have no foreign key on purpose: a message that went out still counts
-- if its send is deleted later (with its LINE channel), and a plan writes one row per recipient,
-- where a per-row check would cost.
create table messaging_cap_ledger (
  workspace_id uuid not null,
  channel text not null,
  customer_id bigint not null,
  planned_at timestamptz not null,
  send_id bigint not null,
  seq integer not null,
  primary key (workspace_id, send_id, seq),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index messaging_cap_ledger_customer_idx on messaging_cap_ledger (workspace_id, channel, customer_id, planned_at);
