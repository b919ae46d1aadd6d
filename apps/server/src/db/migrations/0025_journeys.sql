-- Journeys (src/journeys/): step delivery (ステップ配信) started by a domain event or a date.
-- A journey has numbered versions; a run follows the version it entered on, node by node; every
-- node a run executes is one journey_step row, the record that makes its effect happen once.

create table journey (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  name text not null check (length(name) between 1 and 200),
  status text not null default 'draft' check (status in ('draft', 'live', 'paused', 'archived')),
  -- The version new runs enter: the latest one published. Null until the first publish.
  live_version integer,
  latest_version integer not null default 1,
  -- The trigger's kind ('line.friend_added', 'date:birthday', ...), copied from the live
  -- version so the trigger consumer finds its journeys without reading every definition.
  trigger_kind text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id)
);
create index journey_trigger_idx on journey (workspace_id, trigger_kind) where status = 'live';

create table journey_version (
  workspace_id uuid not null,
  journey_id bigint not null,
  version integer not null check (version >= 1),
  definition jsonb not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, journey_id, version),
  foreign key (workspace_id, journey_id) references journey (workspace_id, id) on delete cascade
);

-- One customer's way through one version. `node_id` is the node to execute at `due_at`.
-- A run waiting for an event stays on its waitForEvent node with wait_event set, due at its
-- timeout; an event of that type brings due_at forward.
create table journey_run (
  workspace_id uuid not null,
  id bigint generated always as identity,
  journey_id bigint not null,
  version integer not null,
  customer_id bigint not null,
  -- The entry key ('' unless the journey is keyed: an order id, a booking id, a birthday year).
  run_key text not null default '',
  -- Set when the version's re-entry policy was 'never': the customer may not enter again (per key).
  once boolean not null default false,
  node_id text not null,
  -- Nodes executed so far: the next step's number, so a node visited twice (a loop with a wait)
  -- has two step rows.
  step_count integer not null default 0,
  status text not null default 'active' check (status in ('active', 'exited')),
  due_at timestamptz,
  wait_event text,
  wait_since timestamptz,
  wait_until timestamptz,
  entered_at timestamptz not null,
  exited_at timestamptz,
  exit_reason text check (exit_reason in ('completed', 'goal', 'cancelled', 'archived', 'merged', 'operator')),
  primary key (workspace_id, id),
  foreign key (workspace_id, journey_id, version) references journey_version (workspace_id, journey_id, version) on delete cascade,
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade,
  check ((status = 'active') = (exited_at is null))
);
-- At most one active run per journey, customer and key: enforced here, not by the consumer alone.
create unique index journey_run_one_active on journey_run (workspace_id, journey_id, customer_id, run_key)
  where status = 'active';
-- Re-entry 'never': one run ever per journey, customer and key.
create unique index journey_run_once on journey_run (workspace_id, journey_id, customer_id, run_key)
  where once;
-- The engine's claim: due active runs, oldest first.
create index journey_run_due_idx on journey_run (workspace_id, due_at) where status = 'active';
create index journey_run_customer_idx on journey_run (workspace_id, customer_id);
create index journey_run_journey_idx on journey_run (workspace_id, journey_id, id);

-- One row per executed node of a run, keyed by (run, step number): inserted in the transaction
-- that performs the node's effect, on conflict nothing, so an effect is never made twice.
-- send_id names the messaging send (no foreign key: the send tables are messaging's).
create table journey_step (
  workspace_id uuid not null,
  run_id bigint not null,
  step_no integer not null,
  node_id text not null,
  node_type text not null,
  -- What happened: 'sent' (queued to the messaging core), 'done', 'yes'/'no' (a branch or a
  -- wait for an event), 'skipped' (an action the owning capability refused, see detail).
  outcome text not null,
  detail jsonb,
  send_id bigint,
  executed_at timestamptz not null,
  primary key (workspace_id, run_id, step_no),
  foreign key (workspace_id, run_id) references journey_run (workspace_id, id) on delete cascade
);
create index journey_step_send_idx on journey_step (workspace_id, send_id) where send_id is not null;

-- Where the trigger consumer has read the workspace's domain event stream to.
create table journey_trigger_cursor (
  workspace_id uuid primary key references workspace (id) on delete cascade,
  cursor text,
  updated_at timestamptz not null default now()
);
