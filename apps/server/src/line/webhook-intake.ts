import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { OpenChannel } from './channels.ts';

export const PROCESS_EVENTS_JOB = 'line-webhook-events';

/** base64(HMAC-SHA256(channel secret, raw body)), compared in constant time. */
export function verifySignature(body: Buffer, secret: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface WebhookEvent {
  type?: unknown;
  timestamp?: unknown;
  webhookEventId?: unknown;
  source?: { userId?: unknown };
  deliveryContext?: { isRedelivery?: unknown };
}

export interface IntakeOutcome {
  received: number;
  stored: number;
  duplicates: number;
}

/**
 * Takes one webhook request: checks its signature on the raw bytes, stores each event once
 * (keyed by webhookEventId; a duplicate or redelivery only counts a delivery) and enqueues their
 * processing in the same transaction, so a stored event is never left without a job.
 * A bad signature throws `unauthenticated` before anything is stored.
 */
export async function receiveWebhook(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  channel: OpenChannel,
  body: Buffer,
  signature: string | undefined,
): Promise<IntakeOutcome> {
  if (!verifySignature(body, channel.secret, signature))
    throw new DomainError('unauthenticated', 'x-line-signature does not match the body');
  let parsed: { events?: unknown };
  try {
    parsed = JSON.parse(body.toString('utf8')) as { events?: unknown };
  } catch {
    throw new DomainError('invalid', 'body: not JSON', [{ path: '(body)', message: 'not JSON' }]);
  }
  const events = Array.isArray(parsed.events) ? (parsed.events as WebhookEvent[]) : [];
  if (!events.length) return { received: 0, stored: 0, duplicates: 0 }; // the console's "Verify"
  const ids: string[] = [];
  const types: string[] = [];
  const users: (string | null)[] = [];
  const times: string[] = [];
  const payloads: string[] = [];
  const redelivered: boolean[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    const json = JSON.stringify(event);
    const id =
      typeof event.webhookEventId === 'string'
        ? event.webhookEventId
        : `sha256:${createHmac('sha256', 'event').update(json).digest('hex')}`;
    // The same event twice in one body: one row (ON CONFLICT cannot touch a row twice).
    if (seen.has(id)) continue;
    seen.add(id);
    ids.push(id);
    types.push(typeof event.type === 'string' ? event.type : 'unknown');
    users.push(typeof event.source?.userId === 'string' ? event.source.userId : null);
    times.push(new Date(typeof event.timestamp === 'number' ? event.timestamp : Date.now()).toISOString());
    payloads.push(json);
    redelivered.push(event.deliveryContext?.isRedelivery === true);
  }
  return transact(db, async (tx) => {
    const { rows } = await sql<{ inserted: boolean }>`
      insert into line_webhook_event as e
        (workspace_id, channel_id, webhook_event_id, type, line_user_id, occurred_at, payload, redelivered)
      select ${channel.workspaceId}::uuid, ${channel.id}::uuid, v.id, v.type, v.user_id, v.at, v.payload, v.redelivered
      from unnest(${ids}::text[], ${types}::text[], ${users}::text[], ${times}::timestamptz[], ${payloads}::jsonb[], ${redelivered}::boolean[])
        as v(id, type, user_id, at, payload, redelivered)
      on conflict (workspace_id, webhook_event_id) do update set deliveries = e.deliveries + 1
      returning (xmax = 0) as inserted`.execute(tx);
    const stored = rows.filter((r) => r.inserted).length;
    if (stored && jobs)
      await jobs.sendInTransaction(tx, PROCESS_EVENTS_JOB, {
        workspaceId: channel.workspaceId,
        channelId: channel.id,
      });
    return { received: events.length, stored, duplicates: events.length - stored };
  });
}
