// The messages sent (or meant) to one customer, newest first, with each one's decision: what the
// karte timeline shows as sent messages. Reads the outbox, its send and its request.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { KeyBound } from '../shared/page-cursor.ts';
import type { Decision } from './decisions.ts';
import { type DecisionRow, decisionOf } from './send-status.ts';
import type { SendChannel } from './send-tables.ts';

export type SentMessageView = Decision & {
  sendId: number;
  channel: SendChannel;
  channelId: string;
  /** What made the send: a campaign, a journey step, a test. */
  origin: string;
  /** The messages as sent: the recipient's own (personalised) or the send's. */
  messages: unknown[];
  /** When the send was created (the timeline sorts by it). */
  createdAt: string;
};

/**
 * Up to `limit` outbox rows of one customer, newest send first; the key is (send's created_at,
 * send id, seq), so `before` carries `sub` (the seq).
 */
export async function readCustomerMessages(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  page: { limit: number; before?: KeyBound | undefined },
): Promise<{ key: KeyBound; message: SentMessageView }[]> {
  const before = page.before;
  const { rows } = await sql<
    DecisionRow & {
      send_id: number;
      channel: SendChannel;
      channel_id: string;
      origin: string;
      messages: unknown[];
      created_at: Date;
      key_at: string;
    }
  >`
    select o.seq, o.customer_id, o.address, o.status, o.reason,
      r.status as request_status, r.error, o.send_id, s.channel, s.channel_id, s.origin,
      coalesce(o.messages, s.messages) as messages, s.created_at,
      to_char(s.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as key_at
    from message_outbox o
    join message_send s on s.workspace_id = o.workspace_id and s.id = o.send_id
    left join lateral (
      select status, error, seq_to from message_request r
      where r.workspace_id = o.workspace_id and r.send_id = o.send_id and r.seq_from <= o.seq
      order by r.seq_from desc limit 1) r on r.seq_to >= o.seq
    where o.workspace_id = ${workspaceId} and o.customer_id = ${customerId}
      ${before ? sql`and (s.created_at, o.send_id, o.seq) < (${before.at}::timestamptz, ${before.id}::bigint, ${before.sub ?? '0'}::bigint)` : sql``}
    order by s.created_at desc, o.send_id desc, o.seq desc
    limit ${page.limit}`.execute(db);
  return rows.map((r) => ({
    key: { at: r.key_at, id: String(r.send_id), sub: String(r.seq) },
    message: {
      sendId: Number(r.send_id),
      channel: r.channel,
      channelId: r.channel_id,
      origin: r.origin,
      messages: r.messages,
      createdAt: r.created_at.toISOString(),
      ...decisionOf(r),
    },
  }));
}
