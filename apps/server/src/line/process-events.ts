import type { Logger } from 'pino';
import type { Database } from '../db/open-database.ts';
import { transact } from '../db/transact.ts';
import type { Publish } from '../jobs/jobs.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { handleAccountLink } from './account-link.ts';
import { openChannel } from './channels.ts';
import {
  type Handled,
  handleFollow,
  handleUnfollow,
  handleUserAction,
  type LineProfile,
  type StoredEvent,
} from './friend-lifecycle.ts';
import { lineClients } from './line-client.ts';
import { followRichMenus } from './rich-menu-follow.ts';

const BATCH = 200;

/**
 * Processes a channel's stored, unprocessed webhook events, oldest first. Each event is claimed
 * and handled in one transaction (`processed_at` set by the same UPDATE that claims it), so an
 * event is processed once even when two workers pick up the same channel.
 */
export async function processPendingEvents(
  database: Database,
  secrets: SecretBox,
  logger: Logger,
  workspaceId: string,
  channelId: string,
  publish?: Publish,
): Promise<number> {
  const channel = await openChannel(database.db, secrets, workspaceId, channelId);
  const client = lineClients(channel).api;
  let processed = 0;
  // Users who followed or blocked: their segment rich menu is linked again or left alone.
  const friendChanges = new Set<string>();
  for (;;) {
    const pending = await database.db
      .selectFrom('line_webhook_event')
      .select(['webhook_event_id', 'type', 'line_user_id', 'occurred_at', 'payload'])
      .where('workspace_id', '=', workspaceId)
      .where('channel_id', '=', channelId)
      .where('processed_at', 'is', null)
      .orderBy('occurred_at')
      .orderBy('received_at')
      .limit(BATCH)
      .execute();
    if (!pending.length) {
      if (friendChanges.size)
        await followRichMenus({ database, secrets, logger }, workspaceId, channelId, [...friendChanges]);
      return processed;
    }
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
      // The profile is fetched before the transaction: no network wait while holding it.
      const profile =
        event.type === 'follow' && event.lineUserId
          ? await fetchProfile(client, event.lineUserId, logger)
          : undefined;
      const outcome = await transact(database.db, async (tx) => {
        const claimed = await tx
          .updateTable('line_webhook_event')
          .set({ processed_at: new Date() })
          .where('workspace_id', '=', workspaceId)
          .where('webhook_event_id', '=', event.webhookEventId)
          .where('processed_at', 'is', null)
          .executeTakeFirst();
        if (!Number(claimed.numUpdatedRows)) return undefined;
        const { outcome: result, customerIds } = await handle(tx, event, profile);
        await tx
          .updateTable('line_webhook_event')
          .set({ outcome: result })
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
      if (outcome !== undefined) processed++;
      if ((outcome === 'followed' || outcome === 'blocked') && event.lineUserId)
        friendChanges.add(event.lineUserId);
    }
  }
}

async function handle(
  tx: Parameters<typeof handleFollow>[0],
  event: StoredEvent,
  profile: LineProfile | undefined,
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
      return handleUserAction(tx, event);
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
    logger.warn({ lineUserId, status: (error as { status?: number }).status }, 'LINE profile not obtained');
    return undefined;
  }
}
