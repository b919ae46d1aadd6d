import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { DomainError, notFound, pgErrorCode } from '../shared/domain-error.ts';
import type { StoredEvent } from './friend-lifecycle.ts';
import { PROCESS_EVENTS_JOB } from './webhook-intake.ts';

/**
 * The pause before each retry of a webhook event whose handling failed: 1 min, 5 min, 30 min,
 * 2 h. A fifth failure sets the event aside for an operator.
 */
export const EVENT_RETRY_DELAYS_MS: readonly number[] = [60_000, 300_000, 1_800_000, 7_200_000];

const REASON_CHARS = 500;

/** The stored reason: what failed, bounded. It stays in the workspace's own table. */
export function failureReason(error: unknown): string {
  const code = error instanceof DomainError ? error.code : pgErrorCode(error);
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  const reason = `${name}${code ? ` ${code}` : ''}: ${message}`;
  return reason.length > REASON_CHARS ? `${reason.slice(0, REASON_CHARS)}…` : reason;
}

/**
 * The error as the log may show it: no personal data. Quoted values (PostgreSQL quotes the input
 * it refuses), LINE user ids, e-mail addresses and long digit runs are masked; the stack keeps
 * only its frames (code locations).
 */
export function loggableError(error: unknown): {
  name: string;
  code?: string;
  message: string;
  stack?: string[];
} {
  const code = error instanceof DomainError ? error.code : pgErrorCode(error);
  const message = (error instanceof Error ? error.message : String(error))
    .replace(/"[^"]*"|'[^']*'/g, '"…"')
    .replace(/U[0-9a-f]{32}/g, 'U…')
    .replace(/[^\s@]+@[^\s@]+/g, '…@…')
    .replace(/\d{6,}/g, '…')
    .slice(0, REASON_CHARS);
  const stack =
    error instanceof Error
      ? error.stack
          ?.split('\n')
          .slice(1, 9)
          .map((l) => l.trim())
      : undefined;
  return {
    name: error instanceof Error ? error.name : typeof error,
    ...(code ? { code } : {}),
    message,
    ...(stack ? { stack } : {}),
  };
}

/**
 * Records a failed attempt on the event. An event our own validation refuses (`invalid`, e.g. a
 * malformed userId) can never succeed and is set aside at once; any other failure is retried
 * after the next delay, and set aside once the delays are used up. The failure is logged with
 * the event id and the error, never the event's content. Returns what became of the event
 * (`gone` when another worker processed or recorded it meanwhile).
 */
export async function recordEventFailure(
  db: Kysely<DB>,
  logger: Logger,
  event: Pick<StoredEvent, 'workspaceId' | 'channelId' | 'webhookEventId' | 'type'>,
  failure: { attempts: number; error: unknown; now: Date; delays: readonly number[] },
): Promise<'retry' | 'set_aside' | 'gone'> {
  const attempts = failure.attempts + 1;
  const permanent = failure.error instanceof DomainError && failure.error.code === 'invalid';
  const delay = failure.delays[attempts - 1];
  const setAside = permanent || delay === undefined;
  const result = await db
    .updateTable('line_webhook_event')
    .set({
      attempts,
      last_error: failureReason(failure.error),
      retry_at: setAside ? null : new Date(failure.now.getTime() + delay),
      set_aside_at: setAside ? failure.now : null,
    })
    .where('workspace_id', '=', event.workspaceId)
    .where('webhook_event_id', '=', event.webhookEventId)
    .where('processed_at', 'is', null)
    .where('set_aside_at', 'is', null)
    .where('attempts', '=', failure.attempts)
    .executeTakeFirst();
  if (!Number(result.numUpdatedRows)) return 'gone';
  const fields = {
    workspaceId: event.workspaceId,
    channelId: event.channelId,
    webhookEventId: event.webhookEventId,
    eventType: event.type,
    attempts,
    error: loggableError(failure.error),
  };
  if (setAside) logger.error(fields, 'LINE webhook event set aside: its handling failed');
  else logger.warn({ ...fields, retryInMs: delay }, 'LINE webhook event failed; it will be retried');
  return setAside ? 'set_aside' : 'retry';
}

/** A set-aside webhook event as an operator sees it. */
export interface SetAsideEventView {
  webhookEventId: string;
  channelId: string;
  type: string;
  occurredAt: string;
  receivedAt: string;
  setAsideAt: string;
  attempts: number;
  reason: string | null;
  payload: unknown;
}

/** The workspace's set-aside events, newest first, with how many there are. */
export async function listSetAsideEvents(
  db: Kysely<DB>,
  workspaceId: string,
  options: { channelId?: string; limit?: number } = {},
): Promise<{ total: number; items: SetAsideEventView[] }> {
  let query = db
    .selectFrom('line_webhook_event')
    .where('workspace_id', '=', workspaceId)
    .where('set_aside_at', 'is not', null);
  if (options.channelId !== undefined) query = query.where('channel_id', '=', options.channelId);
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy('set_aside_at', 'desc')
      .orderBy('webhook_event_id')
      .limit(options.limit ?? 100)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    items: rows.map((r) => ({
      webhookEventId: r.webhook_event_id,
      channelId: r.channel_id,
      type: r.type,
      occurredAt: r.occurred_at.toISOString(),
      receivedAt: r.received_at.toISOString(),
      setAsideAt: r.set_aside_at!.toISOString(),
      attempts: r.attempts,
      reason: r.last_error,
      payload: r.payload,
    })),
  };
}

/**
 * Puts a set-aside event back (after the operator fixed its cause): it is due at once, with a
 * fresh set of retries, and its channel's processing job is enqueued in the same transaction.
 * An event of another workspace is not found; one that is not set aside is a conflict.
 */
export async function retrySetAsideEvent(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  workspaceId: string,
  webhookEventId: string,
): Promise<{ webhookEventId: string; channelId: string; queued: boolean }> {
  return transact(db, async (tx) => {
    const { rows } = await sql<{ channel_id: string }>`
      update line_webhook_event set set_aside_at = null, retry_at = null, attempts = 0
      where workspace_id = ${workspaceId} and webhook_event_id = ${webhookEventId}
        and set_aside_at is not null and processed_at is null
      returning channel_id`.execute(tx);
    const channelId = rows[0]?.channel_id;
    if (channelId === undefined) {
      const exists = await tx
        .selectFrom('line_webhook_event')
        .select('webhook_event_id')
        .where('workspace_id', '=', workspaceId)
        .where('webhook_event_id', '=', webhookEventId)
        .executeTakeFirst();
      if (!exists) throw notFound('webhook event');
      throw new DomainError('conflict', `webhook event ${webhookEventId} is not set aside`);
    }
    const queued = jobs
      ? (await jobs.sendInTransaction(tx, PROCESS_EVENTS_JOB, { workspaceId, channelId })) !== null
      : false;
    return { webhookEventId, channelId, queued };
  });
}
