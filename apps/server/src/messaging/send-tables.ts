// Kysely's view of the send tables (created as line_* by migrations/0003_line.sql, made
// channel-neutral by 0027_message_tables.sql), added to DB by module augmentation. The messaging
// core owns them; a send names its channel, and its channel_id is that channel's account.
import type { ColumnType, Generated } from 'kysely';
import type { PauseReason } from './decisions.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

/** Every adapter's request kinds: LINE's multicast and push, email's one message per request. */
export type RequestKind = 'multicast' | 'push' | 'email';

export type SendStatus = 'queued' | 'sending' | 'paused' | 'done';

/** Marketing sends are capped and kept out of quiet hours; transactional ones are not. */
export type SendKind = 'marketing' | 'transactional';

/** What a marketing send does when it plans in quiet hours: wait for them to end, or skip. */
export type QuietHoursChoice = 'hold' | 'skip';

/** The channels the core sends on (each has an adapter: line/line-adapter.ts, email/email-adapter.ts). */
export type SendChannel = 'line' | 'email';

export interface MessageSendTable {
  workspace_id: string;
  id: Generated<number>;
  channel: SendChannel;
  /** The account on the channel (a line_channel, an email_sender); checked by the adapter. */
  channel_id: string;
  idempotency_key: string;
  origin: string;
  messages: Json<unknown[]>;
  aggregation_unit: string | null;
  status: SendStatus;
  paused_reason: PauseReason | null;
  kind: Generated<SendKind>;
  quiet_hours: Generated<QuietHoursChoice>;
  /** When a send held for quiet hours plans again. */
  resume_at: Date | null;
  /** Outbox rows. */
  total: number;
  /** The end of the outbox's seqs where they have gaps (a streamed outbox; 0044); null: total. */
  seq_end: number | null;
  next_seq: Generated<number>;
  lease_owner: string | null;
  lease_until: Date | null;
  created_at: Timestamp;
  finished_at: Date | null;
}

/** A send whose outbox is still being written, chunk by chunk (0044; create-send.ts). */
export interface MessageSendWritingTable {
  workspace_id: string;
  send_id: number;
  input_total: number;
  first_chunk: number;
  chunk: number;
  written_through: Generated<number>;
  done: Generated<number[]>;
  rows_written: Generated<number>;
  input_digest: string;
  writer_until: Date;
}

export interface MessageOutboxTable {
  workspace_id: string;
  send_id: number;
  seq: number;
  customer_id: number;
  /** The recipient's address on the channel (LINE userId, email address); null when skipped for none. */
  address: string | null;
  messages: Json<unknown[] | null>;
  status: Generated<'queued' | 'skipped' | 'failed'>;
  reason: string | null;
  /** The policy rule behind a `capped` or `quiet_hours` skip. */
  rule: string | null;
}

export interface MessageRequestTable {
  workspace_id: string;
  send_id: number;
  seq_from: number;
  seq_to: number;
  /** The adapter's request kind (the 0027 check allows these). */
  kind: RequestKind;
  retry_key: string;
  recipient_count: number;
  status: 'pending' | 'accepted' | 'failed';
  attempts: Generated<number>;
  /** The channel's id for the accepted request (x-line-request-id, the SMTP queue id). */
  provider_request_id: string | null;
  error: string | null;
  created_at: Timestamp;
  finished_at: Date | null;
}

export interface MessagingPolicyTable {
  workspace_id: string;
  quiet_start: string | null;
  quiet_end: string | null;
  updated_at: Timestamp;
}

export interface MessagingFrequencyCapTable {
  workspace_id: string;
  channel: 'line' | 'email';
  max_messages: number;
  window_hours: number;
}

export interface MessagingCapLockTable {
  workspace_id: string;
  channel: string;
  customer_id: number;
}

export interface MessagingCapLedgerTable {
  workspace_id: string;
  channel: string;
  customer_id: number;
  planned_at: Date;
  send_id: number;
  seq: number;
}

declare module '../db/schema.ts' {
  interface DB {
    message_send: MessageSendTable;
    message_send_writing: MessageSendWritingTable;
    message_outbox: MessageOutboxTable;
    message_request: MessageRequestTable;
    messaging_policy: MessagingPolicyTable;
    messaging_frequency_cap: MessagingFrequencyCapTable;
    messaging_cap_lock: MessagingCapLockTable;
    messaging_cap_ledger: MessagingCapLedgerTable;
  }
}
