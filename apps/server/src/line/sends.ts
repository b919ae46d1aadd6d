import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { type FieldProblem, invalid, notFound } from '../shared/domain-error.ts';
import { assertCustomersExist } from './known-customers.ts';
import type { SendStatus } from './line-tables.ts';

export const SEND_JOB = 'line-send';

export interface SendInput {
  channelId: string;
  /** The content every recipient gets (1 to 5 LINE message objects); sent as multicast. */
  messages: unknown[];
  customerIds: number[];
  /** Per-customer content (sent as push); these customers need not be in customerIds. */
  personalized?: { customerId: number; messages: unknown[] }[];
  /** Repeating a create with the same key returns the first send. */
  idempotencyKey: string;
  /** Who asked: 'api', 'campaign:12', 'journey:3/step:2'. */
  origin?: string;
  /** LINE statistics unit for this send (`customAggregationUnits`), `^[a-zA-Z0-9_]{1,30}$`. */
  aggregationUnit?: string;
}

export interface SendView {
  id: number;
  channelId: string;
  origin: string;
  status: SendStatus;
  pausedReason: string | null;
  aggregationUnit: string | null;
  total: number;
  counts: { queued: number; sent: number; failed: number; skipped: number };
  createdAt: string;
  finishedAt: string | null;
}

function checkMessages(messages: unknown[], path: string, problems: FieldProblem[]): void {
  if (messages.length < 1 || messages.length > 5)
    problems.push({ path, message: 'must hold 1 to 5 messages' });
  messages.forEach((m, i) => {
    const message = m as { type?: unknown; text?: unknown };
    if (typeof message !== 'object' || message === null || typeof message.type !== 'string')
      problems.push({ path: `${path}[${i}].type`, message: 'required' });
    else if (message.type === 'text' && (typeof message.text !== 'string' || [...message.text].length > 5000))
      problems.push({ path: `${path}[${i}].text`, message: 'must be 1 to 5,000 characters' });
  });
}

/**
 * Creates a send and its outbox (one row per customer: shared content first, then personalised
 * rows) and enqueues its delivery in the same transaction. Customers without a LINE identity are
 * recorded as skipped at once; consent is checked later, when each batch is sent. A customer id
 * that is not this workspace's is `invalid`, naming it (`customerIds[3]`,
 * `personalized[0].customerId`), and nothing is written.
 */
export async function createSend(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  workspaceId: string,
  input: SendInput,
): Promise<SendView> {
  const problems: FieldProblem[] = [];
  checkMessages(input.messages, 'messages', problems);
  for (const [i, p] of (input.personalized ?? []).entries())
    checkMessages(p.messages, `personalized[${i}].messages`, problems);
  if (input.aggregationUnit !== undefined && !/^[a-zA-Z0-9_]{1,30}$/.test(input.aggregationUnit))
    problems.push({ path: 'aggregationUnit', message: 'must match ^[a-zA-Z0-9_]{1,30}$' });
  if (problems.length) throw invalid(problems);
  const personal = new Map((input.personalized ?? []).map((p) => [p.customerId, p.messages]));
  const shared = [...new Set(input.customerIds)].filter((id) => !personal.has(id));
  const ids = [...shared, ...personal.keys()];
  const contents = [...shared.map(() => null), ...[...personal.values()].map((m) => JSON.stringify(m))];
  return transact(db, async (tx) => {
    const existing = await findSendId(tx, workspaceId, input.idempotencyKey);
    if (existing !== undefined) return getSend(tx, workspaceId, existing);
    const channel = await tx
      .selectFrom('line_channel')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', input.channelId)
      .executeTakeFirst();
    if (!channel) throw notFound('LINE channel');
    await assertCustomersExist(tx, workspaceId, [
      ...input.customerIds.map((customerId, i) => ({ path: `customerIds[${i}]`, customerId })),
      ...(input.personalized ?? []).map((p, i) => ({
        path: `personalized[${i}].customerId`,
        customerId: p.customerId,
      })),
    ]);
    const send = await tx
      .insertInto('line_send')
      .values({
        workspace_id: workspaceId,
        channel_id: input.channelId,
        idempotency_key: input.idempotencyKey,
        origin: input.origin ?? 'api',
        messages: JSON.stringify(input.messages),
        aggregation_unit: input.aggregationUnit ?? null,
        status: 'queued',
        total: 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Merged-away customers are left out; a customer's LINE id is its lowest one.
    const { rows } = await sql<{ total: number }>`
      with input as (
        select u.customer_id, u.messages, u.ord from unnest(${ids}::bigint[], ${contents}::jsonb[]) with ordinality as u(customer_id, messages, ord)
      ), inserted as (
        insert into line_outbox (workspace_id, send_id, seq, customer_id, line_user_id, messages, status, reason)
        select ${workspaceId}::uuid, ${send.id}::bigint, (row_number() over (order by i.ord) - 1)::int, i.customer_id, l.value, i.messages,
          case when l.value is null then 'skipped' else 'queued' end,
          case when l.value is null then 'no_line_identity' end
        from input i
        join customer c on c.workspace_id = ${workspaceId} and c.id = i.customer_id and c.merged_into_id is null
        left join lateral (
          select value from customer_identity ci
          where ci.workspace_id = ${workspaceId} and ci.customer_id = i.customer_id and ci.kind = 'line'
          order by value limit 1) l on true
        returning 1
      ) select count(*)::int as total from inserted`.execute(tx);
    const total = rows[0]?.total ?? 0;
    await tx
      .updateTable('line_send')
      .set({ total })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', send.id)
      .execute();
    if (jobs) await jobs.sendInTransaction(tx, SEND_JOB, { workspaceId, sendId: send.id });
    return getSend(tx, workspaceId, send.id);
  });
}

async function findSendId(db: Kysely<DB>, workspaceId: string, key: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('line_send')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row?.id;
}

/** A send with its message counts: sent = recipients of accepted requests. */
export async function getSend(db: Kysely<DB>, workspaceId: string, sendId: number): Promise<SendView> {
  const send = await db
    .selectFrom('line_send')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sendId)
    .executeTakeFirst();
  if (!send) throw notFound('send');
  const { rows } = await sql<{ sent: number; failed: number; skipped: number; failed_rows: number }>`
    select
      (select coalesce(sum(recipient_count) filter (where status = 'accepted'), 0)::int from line_request
        where workspace_id = ${workspaceId} and send_id = ${sendId}) as sent,
      (select coalesce(sum(recipient_count) filter (where status = 'failed'), 0)::int from line_request
        where workspace_id = ${workspaceId} and send_id = ${sendId}) as failed,
      (select count(*) filter (where status = 'skipped')::int from line_outbox
        where workspace_id = ${workspaceId} and send_id = ${sendId} and status <> 'queued') as skipped,
      (select count(*) filter (where status = 'failed')::int from line_outbox
        where workspace_id = ${workspaceId} and send_id = ${sendId} and status <> 'queued') as failed_rows`.execute(
    db,
  );
  const c = rows[0]!;
  const failed = c.failed + c.failed_rows;
  return {
    id: send.id,
    channelId: send.channel_id,
    origin: send.origin,
    status: send.status,
    pausedReason: send.paused_reason,
    aggregationUnit: send.aggregation_unit,
    total: send.total,
    counts: { queued: send.total - c.sent - failed - c.skipped, sent: c.sent, failed, skipped: c.skipped },
    createdAt: send.created_at.toISOString(),
    finishedAt: send.finished_at?.toISOString() ?? null,
  };
}

export interface MessageStatus {
  customerId: number;
  lineUserId: string | null;
  status: 'queued' | 'sent' | 'failed' | 'skipped';
  reason: string | null;
}

/** Per-message status, in outbox order: a row's own outcome, else its request's. */
export async function listSendMessages(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  options: { afterSeq?: number; limit?: number; customerId?: number } = {},
): Promise<{ items: (MessageStatus & { seq: number })[] }> {
  await getSend(db, workspaceId, sendId);
  const { rows } = await sql<{
    seq: number;
    customer_id: number;
    line_user_id: string | null;
    status: string;
    reason: string | null;
    request_status: string | null;
    error: string | null;
  }>`
    select o.seq, o.customer_id, o.line_user_id, o.status, o.reason, r.status as request_status, r.error
    from line_outbox o
    left join lateral (
      select status, error, seq_to from line_request r
      where r.workspace_id = o.workspace_id and r.send_id = o.send_id and r.seq_from <= o.seq
      order by r.seq_from desc limit 1) r on r.seq_to >= o.seq
    where o.workspace_id = ${workspaceId} and o.send_id = ${sendId} and o.seq > ${options.afterSeq ?? -1}
      ${options.customerId !== undefined ? sql`and o.customer_id = ${options.customerId}` : sql``}
    order by o.seq limit ${options.limit ?? 100}`.execute(db);
  return {
    items: rows.map((r) => {
      const status =
        r.status !== 'queued'
          ? (r.status as 'skipped' | 'failed')
          : r.request_status === 'accepted'
            ? 'sent'
            : r.request_status === 'failed'
              ? 'failed'
              : 'queued';
      return {
        seq: r.seq,
        customerId: r.customer_id,
        lineUserId: r.line_user_id,
        status,
        reason: r.status !== 'queued' ? r.reason : r.request_status === 'failed' ? r.error : null,
      };
    }),
  };
}

/** Resumes a paused send (after the operator raised the quota or the month turned). */
export async function resumeSend(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  workspaceId: string,
  sendId: number,
): Promise<SendView> {
  await transact(db, async (tx) => {
    const send = await getSend(tx, workspaceId, sendId);
    if (send.status !== 'paused') return;
    await tx
      .updateTable('line_send')
      .set({ status: 'sending', paused_reason: null })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', sendId)
      .execute();
    if (jobs) await jobs.sendInTransaction(tx, SEND_JOB, { workspaceId, sendId });
  });
  return getSend(db, workspaceId, sendId);
}
