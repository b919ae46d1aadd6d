// Kysely's view of the send tables (migrations/0003_line.sql), added to DB by module augmentation.
// The messaging core owns them. They keep their first names (line_send, line_outbox,
// line_request) until a migration gives them channel-neutral ones with a `channel` column; the
// LINE-named columns (line_user_id, line_request_id) hold the channel's address and request id.
import type { ColumnType, Generated } from 'kysely';
import type { PauseReason } from './decisions.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type SendStatus = 'queued' | 'sending' | 'paused' | 'done';

/** Marketing sends are capped and kept out of quiet hours; transactional ones are not. */
export type SendKind = 'marketing' | 'transactional';

/** What a marketing send does when it plans in quiet hours: wait for them to end, or skip. */
export type QuietHoursChoice = 'hold' | 'skip';

export interface LineSendTable {
  workspace_id: string;
  id: Generated<number>;
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
  total: number;
  next_seq: Generated<number>;
  lease_owner: string | null;
  lease_until: Date | null;
  created_at: Timestamp;
  finished_at: Date | null;
}

export interface LineOutboxTable {
  workspace_id: string;
  send_id: number;
  seq: number;
  customer_id: number;
  line_user_id: string | null;
  messages: Json<unknown[] | null>;
  status: Generated<'queued' | 'skipped' | 'failed'>;
  reason: string | null;
  /** The policy rule behind a `capped` or `quiet_hours` skip. */
  rule: string | null;
}

export interface LineRequestTable {
  workspace_id: string;
  send_id: number;
  seq_from: number;
  seq_to: number;
  /** The adapter's request kind; the 0003 check allows LINE's two. */
  kind: 'multicast' | 'push';
  retry_key: string;
  recipient_count: number;
  status: 'pending' | 'accepted' | 'failed';
  attempts: Generated<number>;
  line_request_id: string | null;
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
    line_send: LineSendTable;
    line_outbox: LineOutboxTable;
    line_request: LineRequestTable;
    messaging_policy: MessagingPolicyTable;
    messaging_frequency_cap: MessagingFrequencyCapTable;
    messaging_cap_lock: MessagingCapLockTable;
    messaging_cap_ledger: MessagingCapLedgerTable;
  }
}
