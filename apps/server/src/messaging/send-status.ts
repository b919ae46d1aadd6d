// Reading a send back: its counts, each recipient's decision, and resuming a paused send.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { notFound } from '../shared/domain-error.ts';
import type { Decision, MessageStatus, PauseReason, SkipReason } from './decisions.ts';
import type { QuietHoursChoice, SendChannel, SendKind, SendStatus } from './send-tables.ts';

export interface SendView {
  id: number;
  channelId: string;
  origin: string;
  status: SendStatus;
  kind: SendKind;
  quietHours: QuietHoursChoice;
  pausedReason: PauseReason | null;
  /** When a send held for quiet hours plans again; null otherwise. */
  resumeAt: string | null;
  aggregationUnit: string | null;
  total: number;
  counts: { queued: number; sent: number; failed: number; skipped: number };
  createdAt: string;
  finishedAt: string | null;
}

/** The send created with this idempotency key on this channel (keys are per channel). */
export async function findSendId(
  db: Kysely<DB>,
  workspaceId: string,
  channel: SendChannel,
  key: string,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('message_send')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', channel)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row?.id;
}

/**
 * A send with its message counts: sent = recipients of accepted requests. With `channel`, a send
 * on another channel is not found (a channel's routes see only their own sends).
 */
export async function getSend(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  channel?: SendChannel,
): Promise<SendView> {
  const send = await db
    .selectFrom('message_send')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sendId)
    .$if(channel !== undefined, (q) => q.where('channel', '=', channel!))
    .executeTakeFirst();
  if (!send) throw notFound('send');
  const { rows } = await sql<{
    sent: number;
    failed: number;
    skipped: number;
    failed_rows: number;
    written: number | null;
  }>`
    select
      (select coalesce(sum(recipient_count) filter (where status = 'accepted'), 0)::int from message_request
        where workspace_id = ${workspaceId} and send_id = ${sendId}) as sent,
      (select coalesce(sum(recipient_count) filter (where status = 'failed'), 0)::int from message_request
        where workspace_id = ${workspaceId} and send_id = ${sendId}) as failed,
      (select count(*) filter (where status = 'skipped')::int from message_outbox
        where workspace_id = ${workspaceId} and send_id = ${sendId} and status <> 'queued') as skipped,
      (select count(*) filter (where status = 'failed')::int from message_outbox
        where workspace_id = ${workspaceId} and send_id = ${sendId} and status <> 'queued') as failed_rows,
      (select rows_written from message_send_writing
        where workspace_id = ${workspaceId} and send_id = ${sendId}) as written`.execute(db);
  const c = rows[0]!;
  const failed = c.failed + c.failed_rows;
  // While a large send's outbox is being written, its total is what is written so far.
  const total = c.written ?? send.total;
  return {
    id: send.id,
    channelId: send.channel_id,
    origin: send.origin,
    status: send.status,
    kind: send.kind,
    quietHours: send.quiet_hours,
    pausedReason: send.paused_reason,
    resumeAt: send.resume_at?.toISOString() ?? null,
    aggregationUnit: send.aggregation_unit,
    total,
    counts: { queued: total - c.sent - failed - c.skipped, sent: c.sent, failed, skipped: c.skipped },
    createdAt: send.created_at.toISOString(),
    finishedAt: send.finished_at?.toISOString() ?? null,
  };
}

export type RecipientDecision = Decision & { seq: number; customerId: number; address: string | null };

export interface DecisionRow {
  seq: number;
  customer_id: number;
  address: string | null;
  status: 'queued' | 'skipped' | 'failed';
  reason: string | null;
  rule: string | null;
  request_status: string | null;
  error: string | null;
}

/** A row's own decision (skipped, failed) if it has one, else its request's outcome. */
export function decisionOf(r: DecisionRow): Decision {
  // Only the core writes a skip reason, always a SkipReason (decisions.ts).
  if (r.status === 'skipped') return { status: 'skipped', reason: r.reason as SkipReason, rule: r.rule };
  if (r.status === 'failed') return { status: 'failed', reason: r.reason ?? '' };
  if (r.request_status === 'accepted') return { status: 'sent', reason: null };
  if (r.request_status === 'failed') return { status: 'failed', reason: r.error ?? '' };
  return { status: 'queued', reason: null };
}

/** Each recipient's decision, in outbox order. */
export async function listSendDecisions(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  options: { afterSeq?: number; limit?: number; customerId?: number; channel?: SendChannel } = {},
): Promise<RecipientDecision[]> {
  await getSend(db, workspaceId, sendId, options.channel);
  const { rows } = await sql<DecisionRow>`
    select o.seq, o.customer_id, o.address, o.status, o.reason, o.rule, r.status as request_status, r.error
    from message_outbox o
    left join lateral (
      select status, error, seq_to from message_request r
      where r.workspace_id = o.workspace_id and r.send_id = o.send_id and r.seq_from <= o.seq
      order by r.seq_from desc limit 1) r on r.seq_to >= o.seq
    where o.workspace_id = ${workspaceId} and o.send_id = ${sendId} and o.seq > ${options.afterSeq ?? -1}
      ${options.customerId !== undefined ? sql`and o.customer_id = ${options.customerId}` : sql``}
    order by o.seq limit ${options.limit ?? 100}`.execute(db);
  return rows.map((r) => ({
    seq: r.seq,
    customerId: Number(r.customer_id),
    address: r.address,
    ...decisionOf(r),
  }));
}

export type { MessageStatus };

/**
 * Sends a worker left queued or sending (killed mid-send), and sends held for quiet hours (in
 * case the job due at their `resumeAt` was lost): the next worker to start resumes them (a held
 * send whose hours have not ended stays held). Across all workspaces on purpose: a worker serves
 * every workspace; each result names its own.
 */
export async function unfinishedSends(
  db: Kysely<DB>,
  channel: SendChannel,
): Promise<{ workspaceId: string; sendId: number; resumeAt: Date | null }[]> {
  const rows = await db
    .selectFrom('message_send')
    .select(['workspace_id', 'id', 'resume_at'])
    .where('channel', '=', channel)
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['queued', 'sending']),
        eb.and([eb('status', '=', 'paused'), eb('paused_reason', '=', 'quiet_hours')]),
      ]),
    )
    .execute();
  return rows.map((r) => ({ workspaceId: r.workspace_id, sendId: r.id, resumeAt: r.resume_at }));
}

/**
 * Lets a send held for quiet hours go on once `now` has reached its `resumeAt` (its plans apply
 * the policy afresh). Returns whether the send is still held.
 */
export async function releaseQuietHold(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  now: Date,
): Promise<boolean> {
  const { rows } = await sql<{ held: boolean }>`
    update message_send set
      status = case when resume_at <= ${now.toISOString()}::timestamptz then 'sending' else status end,
      paused_reason = case when resume_at <= ${now.toISOString()}::timestamptz then null else paused_reason end,
      resume_at = case when resume_at <= ${now.toISOString()}::timestamptz then null else resume_at end
    where workspace_id = ${workspaceId} and id = ${sendId} and status = 'paused' and paused_reason = 'quiet_hours'
    returning status = 'paused' as held`.execute(db);
  return rows[0]?.held ?? false;
}

/** Resumes a paused send (after the operator raised the quota or the month turned). */
export async function resumeSend(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  channel: { jobName: string; channel: SendChannel },
  workspaceId: string,
  sendId: number,
): Promise<SendView> {
  const { jobName } = channel;
  await transact(db, async (tx) => {
    const send = await getSend(tx, workspaceId, sendId, channel.channel);
    if (send.status !== 'paused') return;
    await tx
      .updateTable('message_send')
      .set({ status: 'sending', paused_reason: null })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', sendId)
      .execute();
    if (jobs) await jobs.sendInTransaction(tx, jobName, { workspaceId, sendId });
  });
  return getSend(db, workspaceId, sendId, channel.channel);
}
