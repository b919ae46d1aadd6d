// Planning a send's requests: each with its retry key, stored before it is sent.
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { PlannedRequest } from './line-request.ts';

/** LINE keeps a retry key 24 h; a request still pending near that age can no longer be retried safely. */
const RETRY_KEY_LIFETIME_MS = 23 * 60 * 60 * 1000;

/** Requests planned earlier (by this or a dead worker) and not yet answered, oldest first. */
export async function pendingRequests(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  limit: number,
  shared: unknown[],
  unit: string | null,
): Promise<PlannedRequest[]> {
  const rows = await db
    .selectFrom('line_request as r')
    .leftJoin('line_outbox as o', (join) =>
      join
        .onRef('o.workspace_id', '=', 'r.workspace_id')
        .onRef('o.send_id', '=', 'r.send_id')
        .onRef('o.seq', '=', 'r.seq_from')
        .on('r.kind', '=', 'push'),
    )
    .select(['r.seq_from', 'r.seq_to', 'r.kind', 'r.retry_key', 'r.created_at', 'o.messages'])
    .where('r.workspace_id', '=', workspaceId)
    .where('r.send_id', '=', sendId)
    .where('r.status', '=', 'pending')
    .orderBy('r.seq_from')
    .limit(limit)
    .execute();
  const expired = rows.filter((r) => Date.now() - r.created_at.getTime() > RETRY_KEY_LIFETIME_MS);
  if (expired.length)
    await db
      .updateTable('line_request')
      .set({
        status: 'failed',
        error: 'retry key expired before LINE confirmed the request',
        finished_at: new Date(),
      })
      .where('workspace_id', '=', workspaceId)
      .where('send_id', '=', sendId)
      .where(
        'seq_from',
        'in',
        expired.map((r) => r.seq_from),
      )
      .execute();
  const live = rows.filter((r) => !expired.includes(r));
  if (!live.length) return [];
  // The same recipients as when the request was planned: its range's rows still queued.
  const { rows: members } = await sql<{ seq: number; line_user_id: string }>`
    select seq, line_user_id from line_outbox
    where workspace_id = ${workspaceId} and send_id = ${sendId} and status = 'queued'
      and seq between ${live[0]!.seq_from} and ${Math.max(...live.map((r) => r.seq_to))}
    order by seq`.execute(db);
  return live.map((r) => ({
    seqFrom: r.seq_from,
    kind: r.kind,
    retryKey: r.retry_key,
    recipients: members.filter((m) => m.seq >= r.seq_from && m.seq <= r.seq_to).map((m) => m.line_user_id),
    messages: r.kind === 'push' && r.messages ? r.messages : shared,
    aggregationUnit: unit,
  }));
}

const MULTICAST_LIMIT = 500;

/**
 * Plans up to `count` new requests from the outbox past the send's cursor, in one transaction:
 * checks consent now (customers who blocked the account or withdrew are skipped and recorded as
 * such), groups shared content into multicasts of up to 500 and personalised content into
 * pushes, and stores each request with its new retry key before anything is sent.
 */
export async function planRequests(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  count: number,
  shared: unknown[],
  unit: string | null,
): Promise<PlannedRequest[]> {
  return transact(db, async (tx) => {
    const send = await tx
      .selectFrom('line_send')
      .select(['next_seq', 'total'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', sendId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (send.next_seq >= send.total) return [];
    const requests: (PlannedRequest & { seqTo: number })[] = [];
    const skipped: { seq: number; reason: string }[] = [];
    let group: (PlannedRequest & { seqTo: number }) | undefined;
    let nextSeq = send.next_seq;
    const close = () => {
      if (group) requests.push(group);
      group = undefined;
    };
    const wanted = () => (count - requests.length) * MULTICAST_LIMIT;
    for await (const row of outboxRows(tx, workspaceId, sendId, send.next_seq, send.total, wanted)) {
      if (requests.length >= count) break;
      nextSeq = row.seq + 1;
      if (row.status !== 'queued') continue;
      if (row.consent !== 'granted') {
        skipped.push({ seq: row.seq, reason: row.consent ?? 'no_consent' });
        continue;
      }
      const base = { retryKey: randomUUID(), aggregationUnit: unit, seqFrom: row.seq, seqTo: row.seq };
      if (row.messages) {
        close();
        if (requests.length >= count) {
          nextSeq = row.seq;
          break;
        }
        requests.push({ ...base, kind: 'push', recipients: [row.line_user_id!], messages: row.messages });
        continue;
      }
      group ??= { ...base, kind: 'multicast', recipients: [], messages: shared };
      group.recipients.push(row.line_user_id!);
      group.seqTo = row.seq;
      if (group.recipients.length >= MULTICAST_LIMIT) close();
    }
    close();
    if (skipped.length)
      await sql`
        update line_outbox o set status = 'skipped', reason = v.reason
        from unnest(${skipped.map((s) => s.seq)}::int[], ${skipped.map((s) => s.reason)}::text[]) as v(seq, reason)
        where o.workspace_id = ${workspaceId} and o.send_id = ${sendId} and o.seq = v.seq`.execute(tx);
    if (requests.length)
      await tx
        .insertInto('line_request')
        .values(
          requests.map((r) => ({
            workspace_id: workspaceId,
            send_id: sendId,
            seq_from: r.seqFrom,
            seq_to: r.seqTo,
            kind: r.kind,
            retry_key: r.retryKey,
            recipient_count: r.recipients.length,
            status: 'pending' as const,
          })),
        )
        .execute();
    await tx
      .updateTable('line_send')
      .set({ next_seq: nextSeq })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', sendId)
      .execute();
    return requests;
  });
}

interface OutboxRow {
  seq: number;
  line_user_id: string | null;
  messages: unknown[] | null;
  status: string;
  consent: string | null;
}

/**
 * The outbox from `fromSeq` on, with each customer's current LINE consent, read in chunks: 256
 * rows, then as many as the requests still to plan could hold, so a cycle of pushes reads few
 * rows and one of multicasts reads about what it uses.
 */
async function* outboxRows(
  tx: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  fromSeq: number,
  total: number,
  wanted: () => number,
): AsyncGenerator<OutboxRow> {
  let from = fromSeq;
  for (let size = 256; from < total; size = Math.min(Math.max(wanted(), 256), 65_536)) {
    const { rows } = await sql<OutboxRow>`
      select o.seq, o.line_user_id, o.messages, o.status,
        -- A primary-key probe per row: the plan cannot turn into a scan of all consents.
        (select cc.status from customer_consent cc
         where cc.workspace_id = o.workspace_id and cc.customer_id = o.customer_id
           and cc.channel = 'line' and cc.purpose = 'marketing') as consent
      from line_outbox o
      where o.workspace_id = ${workspaceId} and o.send_id = ${sendId} and o.seq >= ${from} and o.seq < ${from + size}
      order by o.seq`.execute(tx);
    yield* rows;
    from += size;
  }
}
