// A worker's claim on a send: one worker delivers it at a time; a dead worker's claim runs out.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { PauseReason } from './decisions.ts';
import { sleep } from './pacer.ts';
import './send-tables.ts';

/** Takes the send for `owner`, waiting up to three leases for a live holder to let go. */
export async function acquireLease(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  owner: string,
  leaseMs: number,
): Promise<'sending' | 'paused' | 'done' | 'busy'> {
  const deadline = Date.now() + 3 * leaseMs;
  for (;;) {
    const taken = await sql<{ status: string }>`
      update message_send set lease_owner = ${owner}, lease_until = now() + ${`${leaseMs} milliseconds`}::interval,
        status = case when status = 'queued' then 'sending' else status end
      where workspace_id = ${workspaceId} and id = ${sendId} and status in ('queued', 'sending')
        and (lease_owner is null or lease_until < now())
      returning status`.execute(db);
    if (taken.rows.length) return 'sending';
    const row = await db
      .selectFrom('message_send')
      .select(['status', 'lease_until'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', sendId)
      .executeTakeFirstOrThrow();
    if (row.status === 'paused' || row.status === 'done') return row.status;
    // Another worker holds the lease: a live one renews it, a dead one's lease runs out.
    if (Date.now() > deadline) return 'busy';
    await sleep(Math.max(50, Math.min(1000, (row.lease_until?.getTime() ?? Date.now()) - Date.now() + 50)));
  }
}

/** Extends the lease; returns the send's status, or 'lost' if another worker took it. */
export async function renewLease(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  owner: string,
  leaseMs: number,
): Promise<string> {
  const { rows } = await sql<{ status: string }>`
    update message_send set lease_until = now() + ${`${leaseMs} milliseconds`}::interval
    where workspace_id = ${workspaceId} and id = ${sendId} and lease_owner = ${owner}
    returning status`.execute(db);
  return rows[0]?.status ?? 'lost';
}

/** Pauses the send and lets go of it; its pending requests wait for a resume. */
export async function pauseSend(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  reason: PauseReason,
): Promise<void> {
  await db
    .updateTable('message_send')
    .set({ status: 'paused', paused_reason: reason, lease_owner: null, lease_until: null })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sendId)
    .execute();
}

/** Marks the send done if its outbox is whole, every row is planned and no request is pending. */
export async function finishSend(db: Kysely<DB>, workspaceId: string, sendId: number): Promise<boolean> {
  const { rows } = await sql`
    update message_send s set status = 'done', finished_at = now(), lease_owner = null, lease_until = null
    where s.workspace_id = ${workspaceId} and s.id = ${sendId} and s.next_seq >= coalesce(s.seq_end, s.total)
      and not exists (select 1 from message_send_writing w where w.workspace_id = s.workspace_id and w.send_id = s.id)
      and not exists (select 1 from message_request r where r.workspace_id = s.workspace_id and r.send_id = s.id and r.status = 'pending')
    returning 1`.execute(db);
  return rows.length > 0;
}

/**
 * Whether the send's outbox is still being written (`writing`: its writer's heartbeat is live),
 * was left unfinished by a writer that stopped (`stalled`: a repeat of the create finishes it), or
 * is whole (`whole`).
 */
export async function outboxWriting(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
): Promise<'whole' | 'writing' | 'stalled'> {
  const { rows } = await sql<{ live: boolean }>`
    select writer_until > now() as live from message_send_writing
    where workspace_id = ${workspaceId} and send_id = ${sendId}`.execute(db);
  const row = rows[0];
  return !row ? 'whole' : row.live ? 'writing' : 'stalled';
}

/** Lets go of the send without changing its status (its outbox writer stopped; see outboxWriting). */
export async function releaseLease(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  owner: string,
): Promise<void> {
  await db
    .updateTable('message_send')
    .set({ lease_owner: null, lease_until: null })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sendId)
    .where('lease_owner', '=', owner)
    .execute();
}
