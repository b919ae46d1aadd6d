import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { OpenChannel } from './channels.ts';
import { type IncomingEvent, readWebhookBody } from './webhook-body.ts';
import { verifySignature } from './webhook-signature.ts';

export const PROCESS_EVENTS_JOB = 'line-webhook-events';

export interface IntakeOutcome {
  received: number;
  stored: number;
  duplicates: number;
  /** Stored events that can never be handled, set aside at once with their reason. */
  setAside: number;
}

/**
 * Takes one webhook request: checks its signature on the raw bytes, stores each event once
 * (keyed by webhookEventId; a duplicate or redelivery only counts a delivery) and enqueues their
 * processing in the same transaction, so a stored event is never left without a job.
 * A bad signature throws `unauthenticated` before anything is read; a body that is not a JSON
 * object with an events array is `invalid`. An event that can never be handled is stored set
 * aside with its reason (webhook-body.ts) and the others are stored as usual.
 */
export async function receiveWebhook(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  channel: OpenChannel,
  body: Buffer,
  signature: unknown,
): Promise<IntakeOutcome> {
  if (!verifySignature(body, channel.secret, signature))
    throw new DomainError('unauthenticated', 'x-line-signature does not match the body');
  const received = readWebhookBody(body, new Date());
  if (!received.length) return { received: 0, stored: 0, duplicates: 0, setAside: 0 }; // "Verify"
  // The same event twice in one body: one row, the first (ON CONFLICT cannot touch a row twice).
  const byId = new Map<string, IncomingEvent>();
  for (const event of received) if (!byId.has(event.id)) byId.set(event.id, event);
  const events = [...byId.values()];
  return transact(db, async (tx) => {
    const rows = await insertEvents(tx, channel, events);
    const stored = rows.filter((r) => r.inserted).length;
    const setAside = rows.filter((r) => r.inserted && r.set_aside).length;
    if (stored > setAside && jobs)
      await jobs.sendInTransaction(tx, PROCESS_EVENTS_JOB, {
        workspaceId: channel.workspaceId,
        channelId: channel.id,
      });
    return { received: received.length, stored, duplicates: received.length - stored, setAside };
  });
}

async function insertEvents(tx: Kysely<DB>, channel: OpenChannel, events: IncomingEvent[]) {
  const { rows } = await sql<{ inserted: boolean; set_aside: boolean }>`
    insert into line_webhook_event as e
      (workspace_id, channel_id, webhook_event_id, type, line_user_id, occurred_at, payload, redelivered,
       last_error, set_aside_at)
    select ${channel.workspaceId}::uuid, ${channel.id}::uuid, v.id, v.type, v.user_id, v.at, v.payload, v.redelivered,
      v.problem, case when v.problem is not null then now() end
    from unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.type)}::text[],
      ${events.map((e) => e.lineUserId)}::text[], ${events.map((e) => e.occurredAt.toISOString())}::timestamptz[],
      ${events.map((e) => e.payload)}::jsonb[], ${events.map((e) => e.redelivered)}::boolean[],
      ${events.map((e) => e.problem)}::text[])
      as v(id, type, user_id, at, payload, redelivered, problem)
    on conflict (workspace_id, webhook_event_id) do update set deliveries = e.deliveries + 1
    returning (xmax = 0) as inserted, e.set_aside_at is not null as set_aside`.execute(tx);
  return rows;
}
