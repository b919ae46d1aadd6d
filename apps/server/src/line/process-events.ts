import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import type { JobContext } from '../jobs/job-types.ts';
import { handleAccountLink } from './account-link.ts';
import { openChannel } from './channels.ts';
import { EVENT_RETRY_DELAYS_MS, recordEventFailure } from './event-failures.ts';
import {
  type Handled,
  handleFollow,
  handleUnfollow,
  handleUserAction,
  type LineProfile,
  type StoredEvent,
} from './friend-lifecycle.ts';
import { lineClients } from './line-client.ts';
import { LINE_HOSTS_ONLY } from './line-hosts.ts';
import { followRichMenus } from './rich-menu-follow.ts';

const BATCH = 200;

export type EventContext = Pick<
  JobContext,
  'database' | 'secrets' | 'logger' | 'lineHosts' | 'publishInTransaction'
>;

export interface ProcessOptions {
  /** The clock that decides which retries are due and when the next one is (tests move it). */
  now?: () => Date;
  /** The pause before each retry of a failed event; after the last one it is set aside. */
  retryDelaysMs?: readonly number[];
}

export interface ProcessResult {
  processed: number;
  /** Events that failed this time and will be retried. */
  failed: number;
  /** Events that failed and were set aside for an operator. */
  setAside: number;
}

/**
 * Processes a channel's stored events that are due, oldest first. Each event is claimed and
 * handled in one transaction (`processed_at` set by the same UPDATE that claims it), so an event
 * is processed once even when two workers pick up the same channel. An event whose handling
 * fails is rolled back alone: the failure is recorded on it (retried later, or set aside,
 * event-failures.ts) and the channel's other events go on.
 */
export async function processPendingEvents(
  context: EventContext,
  workspaceId: string,
  channelId: string,
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  const db = context.database.db;
  const now = options.now ?? (() => new Date());
  const delays = options.retryDelaysMs ?? EVENT_RETRY_DELAYS_MS;
  const channel = await openChannel(db, context.secrets, workspaceId, channelId);
  // Only a follow calls LINE (its profile); the client is made, and the host checked, then.
  let api: ReturnType<typeof lineClients>['api'] | undefined;
  const client = () => (api ??= lineClients(channel, context.lineHosts ?? LINE_HOSTS_ONLY).api);
  const result: ProcessResult = { processed: 0, failed: 0, setAside: 0 };
  // Users who followed or blocked: their segment rich menu is linked again or left alone.
  const friendChanges = new Set<string>();
  for (;;) {
    const pending = await dueEvents(db, workspaceId, channelId, now());
    if (!pending.length) break;
    for (const row of pending) {
      const event: StoredEvent = {
        workspaceId,
        channelId,
        webhookEventId: row.webhook_event_id,
        type: row.type,
        lineUserId: row.line_user_id,
        occurredAt: row.occurred_at,
        payload: row.payload,
      };
      try {
        const outcome = await processEvent(context, event, client);
        if (outcome !== undefined) result.processed++;
        if ((outcome === 'followed' || outcome === 'blocked') && event.lineUserId)
          friendChanges.add(event.lineUserId);
      } catch (error) {
        const failure = { attempts: row.attempts, error, now: now(), delays };
        const recorded = await recordEventFailure(db, context.logger, event, failure);
        if (recorded === 'set_aside') result.setAside++;
        else if (recorded === 'retry') result.failed++;
      }
    }
  }
  if (friendChanges.size) await followRichMenus(context, workspaceId, channelId, [...friendChanges]);
  return result;
}

function dueEvents(db: Kysely<DB>, workspaceId: string, channelId: string, now: Date) {
  return db
    .selectFrom('line_webhook_event')
    .select(['webhook_event_id', 'type', 'line_user_id', 'occurred_at', 'payload', 'attempts'])
    .where('workspace_id', '=', workspaceId)
    .where('channel_id', '=', channelId)
    .where('processed_at', 'is', null)
    .where('set_aside_at', 'is', null)
    .where((eb) => eb.or([eb('retry_at', 'is', null), eb('retry_at', '<=', now)]))
    .orderBy('occurred_at')
    .orderBy('received_at')
    .limit(BATCH)
    .execute();
}

/** Claims and handles one event in one transaction; undefined when another worker had claimed it. */
async function processEvent(
  context: EventContext,
  event: StoredEvent,
  client: () => ReturnType<typeof lineClients>['api'],
): Promise<string | undefined> {
  const { workspaceId } = event;
  const publish = context.publishInTransaction;
  // The profile is fetched before the transaction: no network wait while holding it.
  const profile =
    event.type === 'follow' && event.lineUserId
      ? await fetchProfile(client(), event.lineUserId, context.logger)
      : undefined;
  return transact(context.database.db, async (tx) => {
    const claimed = await tx
      .updateTable('line_webhook_event')
      .set({ processed_at: new Date() })
      .where('workspace_id', '=', workspaceId)
      .where('webhook_event_id', '=', event.webhookEventId)
      .where('processed_at', 'is', null)
      .where('set_aside_at', 'is', null)
      .executeTakeFirst();
    if (!Number(claimed.numUpdatedRows)) return undefined;
    const { outcome: result, customerIds } = await handle(tx, event, profile, publish);
    await tx
      .updateTable('line_webhook_event')
      .set({ outcome: result, retry_at: null })
      .where('workspace_id', '=', workspaceId)
      .where('webhook_event_id', '=', event.webhookEventId)
      .execute();
    // Segments follow: a follow, block or link changes identities and consent (any segment
    // may move); a message or postback is a `custom:line.*` event.
    if (publish && customerIds.length) {
      if (result === 'recorded')
        await publish(tx, 'events.recorded', {
          workspaceId,
          customerIds,
          types: [`custom:line.${event.type}`],
        });
      else await publish(tx, 'customers.changed', { workspaceId, customerIds });
    }
    return result;
  });
}

async function handle(
  tx: Parameters<typeof handleFollow>[0],
  event: StoredEvent,
  profile: LineProfile | undefined,
  publish: Publish | undefined,
): Promise<Handled> {
  const ignored = { outcome: 'ignored', customerIds: [] };
  // Only events from a user in a 1:1 chat concern a customer; group and room events are kept.
  if (!event.lineUserId && event.type !== 'accountLink') return ignored;
  switch (event.type) {
    case 'follow':
      return handleFollow(tx, event, profile);
    case 'unfollow':
      return handleUnfollow(tx, event);
    case 'message':
    case 'postback':
    case 'membership':
    case 'beacon':
      return handleUserAction(tx, event, publish);
    case 'accountLink':
      return handleAccountLink(tx, event);
    default:
      return ignored; // stored for the record; Kizuna does not act on this type
  }
}

async function fetchProfile(
  client: ReturnType<typeof lineClients>['api'],
  lineUserId: string,
  logger: Logger,
): Promise<LineProfile | undefined> {
  try {
    const profile = await client.getProfile(lineUserId);
    return {
      displayName: profile.displayName,
      ...(profile.pictureUrl ? { pictureUrl: profile.pictureUrl } : {}),
    };
  } catch (error) {
    // 404 when the user has blocked the account again meanwhile; the follow still counts.
    logger.warn({ status: (error as { status?: number }).status }, 'LINE profile not obtained');
    return undefined;
  }
}

/** Channels with events due now: what the scheduled run processes (retries, and any lost job). */
export async function channelsWithDueEvents(
  db: Kysely<DB>,
  now: Date,
): Promise<{ workspaceId: string; channelId: string }[]> {
  const rows = await db
    .selectFrom('line_webhook_event')
    .select(['workspace_id', 'channel_id'])
    .distinct()
    .where('processed_at', 'is', null)
    .where('set_aside_at', 'is', null)
    .where((eb) => eb.or([eb('retry_at', 'is', null), eb('retry_at', '<=', now)]))
    .execute();
  return rows.map((r) => ({ workspaceId: r.workspace_id, channelId: r.channel_id }));
}
