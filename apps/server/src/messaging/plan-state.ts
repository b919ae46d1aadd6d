// What a plan needs to know about its send before reading the outbox: the cursor (locked), the
// send's kind, and the workspace's policy as it applies to this send at `now`.
import { type Kysely, sql } from 'kysely';
import type { ConsentChannel } from '../customers/customer-tables.ts';
import type { DB } from '../db/schema.ts';
import { type FrequencyCap, quietUntil } from './send-policy.ts';
import type { SendKind } from './send-tables.ts';

export interface PlanState {
  channel: ConsentChannel;
  nextSeq: number;
  /**
   * The end of the outbox's seqs: of all of them, or, while it is being written, of the part
   * committed without a gap (the seqs of a streamed outbox may skip; see create-send.ts).
   */
  total: number;
  /** A live writer is still adding chunks to the outbox (a large send's; create-send.ts). */
  writing: boolean;
  kind: SendKind;
  /** Set when a marketing send plans in quiet hours: hold it until `until`, or skip (`hold` false). */
  quiet: { hold: boolean; until: Date; rule: string } | null;
  /** The channel's cap, for a marketing send on a capped channel; else null (and the cap costs nothing). */
  cap: FrequencyCap | null;
}

/**
 * Locks the send's cursor (one plan at a time per send) and reads the policy in the same
 * statement, so a send with no policy pays no extra round trip.
 */
export async function readPlanState(
  tx: Kysely<DB>,
  channel: ConsentChannel,
  workspaceId: string,
  sendId: number,
  now: Date,
): Promise<PlanState> {
  const { rows } = await sql<{
    next_seq: number;
    total: number;
    writing: boolean;
    kind: SendKind;
    quiet_hours: 'hold' | 'skip';
    quiet_start: string | null;
    quiet_end: string | null;
    max_messages: number | null;
    window_hours: number | null;
  }>`
    select s.next_seq, case when w.send_id is null then coalesce(s.seq_end, s.total) else w.written_through end as total, coalesce(w.writer_until > now(), false) as writing, s.kind, s.quiet_hours, p.quiet_start, p.quiet_end, c.max_messages, c.window_hours
    from message_send s
    left join message_send_writing w on w.workspace_id = s.workspace_id and w.send_id = s.id
    left join messaging_policy p on p.workspace_id = s.workspace_id
    left join messaging_frequency_cap c on c.workspace_id = s.workspace_id and c.channel = ${channel}
    where s.workspace_id = ${workspaceId} and s.id = ${sendId}
    for update of s`.execute(tx);
  const row = rows[0];
  if (!row) throw new Error(`send ${sendId} of workspace ${workspaceId} is gone`);
  const marketing = row.kind === 'marketing';
  const quietHours = row.quiet_start && row.quiet_end ? { start: row.quiet_start, end: row.quiet_end } : null;
  const until = marketing && quietHours ? quietUntil(quietHours, now) : null;
  return {
    channel,
    nextSeq: row.next_seq,
    total: row.total,
    writing: row.writing,
    kind: row.kind,
    quiet:
      until && quietHours
        ? { hold: row.quiet_hours === 'hold', until, rule: `quiet:${quietHours.start}-${quietHours.end}` }
        : null,
    cap:
      marketing && row.max_messages !== null && row.window_hours !== null
        ? { max: row.max_messages, windowHours: row.window_hours }
        : null,
  };
}

/**
 * Pauses a send that planned in quiet hours until they end (`resume_at`); its worker stops, and
 * the delivery job runs again at `resume_at` (line/line-jobs.ts) and plans normally.
 */
export async function holdForQuietHours(
  tx: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  until: Date,
): Promise<void> {
  await tx
    .updateTable('message_send')
    .set({ status: 'paused', paused_reason: 'quiet_hours', resume_at: until })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sendId)
    .execute();
}
