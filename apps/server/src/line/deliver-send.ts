import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobContext } from '../jobs/job-types.ts';
import { openChannel } from './channels.ts';
import { lineClients } from './line-client.ts';
import { LINE_HOSTS_ONLY } from './line-hosts.ts';
import { type PlannedRequest, type RequestOutcome, sendPlannedRequest } from './line-request.ts';
import { pacerFor, sleep } from './pacer.ts';
import { pendingRequests, planRequests } from './plan-requests.ts';

export interface DeliverOptions {
  /** Requests planned and sent per cycle (default 128: up to 64,000 multicast recipients). */
  requestsPerCycle?: number;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** How long a worker's claim on a send lasts unless renewed (default 5 s). */
  leaseMs?: number;
}

/**
 * Delivers a send: plans requests from the outbox (retry key persisted first), sends them within
 * the endpoints' rate limits, records outcomes, and repeats until every message is sent, failed
 * or skipped. A worker holds a lease on the send while it works; a worker that died leaves its
 * pending requests, which the next one resends with the same keys (LINE answers 409 for those
 * that took effect), so each recipient gets one copy.
 */
export async function deliverSend(
  context: JobContext,
  workspaceId: string,
  sendId: number,
  options: DeliverOptions = {},
): Promise<'done' | 'paused' | 'busy' | 'gone'> {
  const { database, secrets, logger } = context;
  const db = database.db;
  const perCycle = options.requestsPerCycle ?? 128;
  const concurrency = options.concurrency ?? 16;
  const leaseMs = options.leaseMs ?? 5_000;
  const owner = randomUUID();
  const send = await db
    .selectFrom('line_send')
    .select(['channel_id', 'messages', 'aggregation_unit'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sendId)
    .executeTakeFirst();
  if (!send) return 'gone';
  const acquired = await acquireLease(db, workspaceId, sendId, owner, leaseMs);
  if (acquired !== 'sending') return acquired;
  const channel = await openChannel(db, secrets, workspaceId, send.channel_id);
  const client = lineClients(channel, context.lineHosts ?? LINE_HOSTS_ONLY).api;
  // The first batches are small so the first requests leave at once; later ones full size.
  let cycle = Math.min(8, perCycle);
  const plan = () => {
    const size = cycle;
    cycle = Math.min(perCycle, cycle * 2);
    return planRequests(db, workspaceId, sendId, size, send.messages, send.aggregation_unit);
  };
  // Pipelined: the next batch is planned (and its retry keys stored) while this one is on the
  // wire, and a batch's outcomes are written while the next one is sent. Pending requests, left
  // by a dead worker or by LINE being unavailable, are read only once everything is written.
  let nextPlan: Promise<PlannedRequest[]> | undefined;
  let lastRecord: Promise<void> = Promise.resolve();
  let checkPending = true;
  let idleRounds = 0;
  const settle = async () => {
    await lastRecord;
    await nextPlan; // its requests are stored as pending: a later run (or resume) sends them
  };
  for (;;) {
    const status = await renewLease(db, workspaceId, sendId, owner, leaseMs);
    if (status !== 'sending') {
      await settle();
      return status === 'paused' ? 'paused' : 'busy';
    }
    let batch: PlannedRequest[] = [];
    if (checkPending) {
      await settle();
      nextPlan = undefined;
      batch = await pendingRequests(db, workspaceId, sendId, perCycle, send.messages, send.aggregation_unit);
      checkPending = false;
    }
    if (!batch.length) {
      batch = await (nextPlan ?? plan());
      nextPlan = undefined;
    }
    if (!batch.length) {
      await lastRecord;
      if (await finish(db, workspaceId, sendId)) {
        logger.info({ sendId }, 'LINE send done');
        return 'done';
      }
      checkPending = true;
      continue;
    }
    nextPlan = plan();
    nextPlan.catch(() => undefined); // awaited later; keep an early failure from being unhandled
    const outcomes = await runPool(batch, concurrency, (request) =>
      sendPlannedRequest(client, pacerFor(channel.id, request.kind), request),
    );
    await lastRecord;
    lastRecord = recordOutcomes(db, workspaceId, sendId, batch, outcomes);
    lastRecord.catch(() => undefined);
    if (outcomes.some((o) => o.kind !== 'accepted' && o.kind !== 'failed')) checkPending = true;
    if (outcomes.some((o) => o.kind === 'quota')) {
      await settle();
      await db
        .updateTable('line_send')
        .set({
          status: 'paused',
          paused_reason: 'monthly_quota_exhausted',
          lease_owner: null,
          lease_until: null,
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', sendId)
        .execute();
      logger.warn(
        { sendId, channelId: channel.id },
        'LINE monthly message quota exhausted: send paused, nothing dropped. Raise the quota (or wait for the month to turn), then POST /v1/line/sends/:id/resume',
      );
      return 'paused';
    }
    // LINE unavailable for a whole cycle: wait before the next round of retries.
    idleRounds = outcomes.every((o) => o.kind === 'retry_later') ? idleRounds + 1 : 0;
    if (idleRounds) await sleep(Math.min(30_000, 500 * 2 ** idleRounds));
  }
}

async function acquireLease(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  owner: string,
  leaseMs: number,
): Promise<'sending' | 'paused' | 'done' | 'busy'> {
  const deadline = Date.now() + 3 * leaseMs;
  for (;;) {
    const taken = await sql<{ status: string }>`
      update line_send set lease_owner = ${owner}, lease_until = now() + ${`${leaseMs} milliseconds`}::interval,
        status = case when status = 'queued' then 'sending' else status end
      where workspace_id = ${workspaceId} and id = ${sendId} and status in ('queued', 'sending')
        and (lease_owner is null or lease_until < now())
      returning status`.execute(db);
    if (taken.rows.length) return 'sending';
    const row = await db
      .selectFrom('line_send')
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

async function renewLease(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  owner: string,
  leaseMs: number,
) {
  const { rows } = await sql<{ status: string }>`
    update line_send set lease_until = now() + ${`${leaseMs} milliseconds`}::interval
    where workspace_id = ${workspaceId} and id = ${sendId} and lease_owner = ${owner}
    returning status`.execute(db);
  return rows[0]?.status ?? 'lost';
}

async function recordOutcomes(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  batch: PlannedRequest[],
  outcomes: RequestOutcome[],
): Promise<void> {
  const status = outcomes.map((o) =>
    o.kind === 'accepted' ? 'accepted' : o.kind === 'failed' ? 'failed' : 'pending',
  );
  await sql`
    update line_request r set status = v.status, attempts = r.attempts + v.attempts,
      line_request_id = coalesce(v.request_id, r.line_request_id), error = v.error,
      finished_at = case when v.status = 'pending' then null else now() end
    from unnest(${batch.map((b) => b.seqFrom)}::int[], ${status}::text[], ${outcomes.map((o) => o.attempts)}::int[],
      ${outcomes.map((o) => (o.kind === 'accepted' ? o.lineRequestId : null))}::text[],
      ${outcomes.map((o) => (o.kind === 'failed' || o.kind === 'retry_later' ? o.error : null))}::text[])
      as v(seq_from, status, attempts, request_id, error)
    where r.workspace_id = ${workspaceId} and r.send_id = ${sendId} and r.seq_from = v.seq_from`.execute(db);
}

async function finish(db: Kysely<DB>, workspaceId: string, sendId: number): Promise<boolean> {
  const { rows } = await sql`
    update line_send s set status = 'done', finished_at = now(), lease_owner = null, lease_until = null
    where s.workspace_id = ${workspaceId} and s.id = ${sendId} and s.next_seq >= s.total
      and not exists (select 1 from line_request r where r.workspace_id = s.workspace_id and r.send_id = s.id and r.status = 'pending')
    returning 1`.execute(db);
  return rows.length > 0;
}

async function runPool<T, R>(items: T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
