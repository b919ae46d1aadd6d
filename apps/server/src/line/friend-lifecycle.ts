import type { Kysely, Transaction } from 'kysely';
import { recordConsent } from '../customers/consent.ts';
import { findByIdentities, upsertCustomer } from '../customers/upsert-customer.ts';
import type { DB } from '../db/schema.ts';
import { appendDomainEvents } from '../domain-events/append.ts';
import { recordLineEvent } from './line-events.ts';

export interface LineProfile {
  displayName?: string;
  pictureUrl?: string;
}

/** How an event was handled, and the customers it changed (announced to segments and journeys). */
export interface Handled {
  outcome: string;
  customerIds: number[];
}

/** What the worker knows about one stored webhook event. */
export interface StoredEvent {
  workspaceId: string;
  channelId: string;
  webhookEventId: string;
  type: string;
  lineUserId: string | null;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

const LINE_CONSENT = { channel: 'line', purpose: 'marketing' } as const;

/** The customer holding this LINE identity, created (acquired through LINE) when there is none. */
export async function lineCustomer(
  tx: Kysely<DB>,
  workspaceId: string,
  lineUserId: string,
  create: boolean,
): Promise<number | undefined> {
  const [found] = await findByIdentities(tx, workspaceId, [
    { kind: 'line', namespace: '', value: lineUserId },
  ]);
  if (found !== undefined || !create) return found;
  const { id } = await upsertCustomer(
    tx,
    workspaceId,
    { lineUserId, acquisitionSource: 'line_follow' },
    { source: 'line' },
  );
  return id;
}

/** Saves the friend's state; returns how many follows the channel has seen from this user. */
async function saveFriend(
  tx: Transaction<DB>,
  event: StoredEvent,
  customerId: number,
  status: 'friend' | 'blocked',
  profile: LineProfile | undefined,
): Promise<number> {
  const follows = status === 'friend' ? 1 : 0;
  return tx
    .insertInto('line_friend')
    .values({
      workspace_id: event.workspaceId,
      channel_id: event.channelId,
      line_user_id: event.lineUserId!,
      customer_id: customerId,
      status,
      display_name: profile?.displayName ?? null,
      picture_url: profile?.pictureUrl ?? null,
      follow_count: follows,
      last_event_at: event.occurredAt,
    })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'channel_id', 'line_user_id']).doUpdateSet((eb) => ({
        customer_id: customerId,
        follow_count: eb('line_friend.follow_count', '+', follows),
        // A redelivered older event counts its follow but does not undo a newer state.
        status: eb
          .case()
          .when('line_friend.last_event_at', '<=', event.occurredAt)
          .then(status)
          .else(eb.ref('line_friend.status'))
          .end(),
        last_event_at: eb.fn('greatest', ['line_friend.last_event_at', eb.val(event.occurredAt)]),
        ...(profile?.displayName ? { display_name: profile.displayName } : {}),
        ...(profile?.pictureUrl ? { picture_url: profile.pictureUrl } : {}),
      })),
    )
    .returning('follow_count')
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.follow_count));
}

/** The domain event of a follow or unfollow, once per webhook event (LINE may redeliver one). */
async function friendEvent(tx: Transaction<DB>, event: StoredEvent, customerId: number, follows: number) {
  const { channelId, lineUserId, webhookEventId } = event;
  const common = {
    customerId,
    occurredAt: event.occurredAt,
    dedupeKey: `line:${channelId}:${webhookEventId}`,
  };
  await appendDomainEvents(tx, event.workspaceId, [
    event.type === 'follow'
      ? {
          ...common,
          type: 'line.friend_added',
          // The channel had seen a follow from this user before: a return after a block.
          payload: { channelId, lineUserId: lineUserId!, refollow: follows > 1 },
        }
      : { ...common, type: 'line.friend_blocked', payload: { channelId, lineUserId: lineUserId! } },
  ]);
}

/**
 * follow (friend-add or unblock): the customer with this LINE identity, or a new one, becomes a
 * friend and LINE marketing consent is granted (source line_follow). A re-follow adds a new
 * `granted` row after the `blocked` one, so the history shows it.
 */
export async function handleFollow(
  tx: Transaction<DB>,
  event: StoredEvent,
  profile: LineProfile | undefined,
): Promise<Handled> {
  const customerId = (await lineCustomer(tx, event.workspaceId, event.lineUserId!, true))!;
  const follows = await saveFriend(tx, event, customerId, 'friend', profile);
  await friendEvent(tx, event, customerId, follows);
  await recordConsent(tx, event.workspaceId, customerId, {
    ...LINE_CONSENT,
    status: 'granted',
    source: 'line_follow',
    occurredAt: event.occurredAt,
  });
  const follow = event.payload.follow as { isUnblocked?: boolean } | undefined;
  await recordLineEvent(tx, event.workspaceId, customerId, event.webhookEventId, 'follow', event.occurredAt, {
    isUnblocked: follow?.isUnblocked ?? false,
  });
  return { outcome: 'followed', customerIds: [customerId] };
}

/** unfollow (block): LINE consent becomes blocked; sends skip the customer until a follow. */
export async function handleUnfollow(tx: Transaction<DB>, event: StoredEvent): Promise<Handled> {
  const customerId = await lineCustomer(tx, event.workspaceId, event.lineUserId!, false);
  if (customerId === undefined) return { outcome: 'unknown_user', customerIds: [] };
  const follows = await saveFriend(tx, event, customerId, 'blocked', undefined);
  await friendEvent(tx, event, customerId, follows);
  await recordConsent(tx, event.workspaceId, customerId, {
    ...LINE_CONSENT,
    status: 'blocked',
    source: 'line_unfollow',
    occurredAt: event.occurredAt,
  });
  await recordLineEvent(
    tx,
    event.workspaceId,
    customerId,
    event.webhookEventId,
    'unfollow',
    event.occurredAt,
    {},
  );
  return { outcome: 'blocked', customerIds: [customerId] };
}

/** message and postback: stored as `custom:line.message` / `custom:line.postback` events. */
export async function handleUserAction(tx: Kysely<DB>, event: StoredEvent): Promise<Handled> {
  const customerId = (await lineCustomer(tx, event.workspaceId, event.lineUserId!, true))!;
  let properties: Record<string, unknown>;
  if (event.type === 'message') {
    const message = (event.payload.message ?? {}) as Record<string, unknown>;
    properties = {
      messageId: message.id,
      messageType: message.type,
      ...(typeof message.text === 'string' ? { text: message.text } : {}),
    };
  } else {
    const postback = (event.payload.postback ?? {}) as Record<string, unknown>;
    properties = { data: postback.data, ...(postback.params ? { params: postback.params } : {}) };
  }
  await recordLineEvent(
    tx,
    event.workspaceId,
    customerId,
    event.webhookEventId,
    event.type,
    event.occurredAt,
    properties,
  );
  return { outcome: 'recorded', customerIds: [customerId] };
}
