-- The email channel (email/README.md): a workspace's sender, its templates, what happened to
-- each message after it left (opens, bounces, complaints, unsubscribes) and the addresses that
-- must not be mailed again. Sends, outbox and requests are the messaging core's (0027).

-- A workspace's sender: who the mail is from and the identity the specified e-mail act
-- (特定電子メール法) requires in every advertising mail (postal address, contact). The DKIM
-- private key and the key that signs unsubscribe and tracking tokens are sealed with the
-- deployment's SecretBox, like LINE secrets. `id` is the send's channel_id.
create table email_sender (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  from_name text not null check (length(from_name) between 1 and 100),
  from_address text not null check (length(from_address) between 3 and 254),
  reply_to text check (length(reply_to) between 3 and 254),
  postal_address text not null check (length(postal_address) between 1 and 300),
  contact text not null check (length(contact) between 1 and 300),
  -- The domain of VERP return paths (bounce+TOKEN@…) and the unsubscribe mailto; it must reach
  -- the inbound listener (MX). Defaults to the From domain.
  return_domain text not null check (length(return_domain) between 1 and 253),
  dkim_selector text not null check (dkim_selector ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  dkim_private_sealed text not null,
  dkim_public text not null,
  token_key_sealed text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id)
);

-- A template in MJML, compiled when saved (a template that does not compile is refused); html
-- and text are what a send carries. `kind` decides whether mail from it is marketing (footer,
-- List-Unsubscribe) or transactional.
create table email_template (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  name text not null check (length(name) between 1 and 200),
  subject text not null check (length(subject) between 1 and 300),
  mjml text not null,
  html text not null,
  text text not null,
  kind text not null default 'marketing' check (kind in ('marketing', 'transactional')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, name)
);

-- What happened to a message after it left, tied to its outbox row (send_id, seq). An open is
-- an estimate (Apple Mail Privacy Protection fetches every pixel); a hard bounce or complaint
-- also suppresses the address. No foreign key to the send: a bounce that arrives after its send
-- was deleted is still recorded.
create table email_event (
  workspace_id uuid not null references workspace (id) on delete cascade,
  id bigint generated always as identity,
  send_id bigint not null,
  seq integer not null,
  customer_id bigint not null,
  kind text not null check (kind in ('open', 'hard_bounce', 'soft_bounce', 'complaint', 'unsubscribe')),
  detail text,
  occurred_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, customer_id) references customer (workspace_id, id) on delete cascade
);
create index email_event_message_idx on email_event (workspace_id, send_id, seq);
create index email_event_customer_idx on email_event (workspace_id, customer_id);
-- One open per message is enough to count it (a client may load the pixel many times).
create unique index email_event_one_open on email_event (workspace_id, send_id, seq) where kind = 'open';

-- Addresses that must not be mailed (hard bounce, complaint), and the soft-bounce count toward
-- the threshold that suppresses too. Keyed by address, not customer: a bounce names an address.
create table email_suppression (
  workspace_id uuid not null references workspace (id) on delete cascade,
  address text not null,
  suppressed boolean not null default false,
  reason text check (reason in ('hard_bounce', 'complaint', 'soft_bounces')),
  soft_bounces integer not null default 0,
  detail text,
  updated_at timestamptz not null,
  primary key (workspace_id, address)
);
