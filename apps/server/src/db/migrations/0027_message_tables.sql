-- The send tables become channel-neutral: email is the second channel of the messaging core
-- (messaging/README.md), beside LINE. Names only change; rows, keys and indexes stay.

alter table line_send rename to message_send;
alter table line_outbox rename to message_outbox;
alter table line_request rename to message_request;

-- The address on the send's channel (a LINE userId, an email address) and the channel's id for
-- an accepted request (LINE's x-line-request-id, the SMTP server's queue id).
alter table message_outbox rename column line_user_id to address;
alter table message_request rename column line_request_id to provider_request_id;

alter index line_outbox_customer_idx rename to message_outbox_customer_idx;
alter index line_request_pending_idx rename to message_request_pending_idx;

-- Which channel a send goes out on. Existing sends are LINE's. No default from here on: the
-- core always names the channel (its adapter's), so a send cannot land on the wrong one.
alter table message_send add column channel text not null default 'line' check (channel in ('line', 'email'));
alter table message_send alter column channel drop default;

-- channel_id names the account on the send's channel (a line_channel, an email_sender), so it
-- can no longer reference line_channel. The adapter checks it when the send is created
-- (ChannelAdapter.assertChannel, in the same transaction). The send still goes with its
-- workspace.
alter table message_send drop constraint line_send_workspace_id_channel_id_fkey;
alter table message_send add constraint message_send_workspace_fkey
  foreign key (workspace_id) references workspace (id) on delete cascade;

-- A request's kind is its adapter's: LINE's multicast and push, email's one message per request.
alter table message_request drop constraint line_request_kind_check;
alter table message_request add constraint message_request_kind_check
  check (kind in ('multicast', 'push', 'email'));

-- An idempotency key names one effect on one channel (a journey step's (run, node), a campaign's
-- (campaign, customer)): two channels' sends may derive the same key without meeting.
alter table message_send drop constraint line_send_workspace_id_idempotency_key_key;
alter table message_send add constraint message_send_idempotency_key
  unique (workspace_id, channel, idempotency_key);
