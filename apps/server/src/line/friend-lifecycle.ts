import type { Kysely, Transaction } from 'kysely';
import { recordConsent } from '../customers/consent.ts';
import { findByIdentities, upsertCustomer } from '../customers/upsert-customer.ts';
import type { DB } from '../db/schema.ts';
import { appendDomainEvents } from '../domain-events/append.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import { visitFromBeacon } from './beacons.ts';
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

/**
 * The customer holding this LINE identity. With `create`, one is made when there is none,
 * registered at the event's time (when LINE saw them, not when Kizuna processed it), with the
 * acquisition source given: `line_follow` for a new friend, null when the user was a friend
 * before Kizuna knew the channel (an unblock or a block from someone never seen).
 */
export async function lineCustomer(
  tx: Kysely<DB>,
  workspaceId: string,
  lineUserId: string,
  create: false | { registeredAt: Date; acquisitionSource: string | null },
): Promise<number | undefined> {
  const [found] = await findByIdentities(tx, workspaceId, [
    { kind: 'line', namespace: '', value: lineUserId },
  ]);
  if (found !== undefined || !create) return found;
  const { id } = await upsertCustomer(
    tx,
    workspaceId,
    {
      lineUserId,
      registeredAt: create.registeredAt.toISOString(),
      ...(create.acquisitionSource ? { acquisitionSource: create.acquisitionSource } : {}),
    },
    { source: 'line' },
  );
  return id;
}

/**
 * Creation settings for a customer first seen through a user action (a message, a postback): a
 * friend from before Kizuna saw the channel, so no acquisition source is claimed.
 */
function seenThrough(event: StoredEvent): { registeredAt: Date; acquisitionSource: null } {
  return { registeredAt: event.occurredAt, acquisitionSource: null };
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
async function friendEvent(tx: Transaction<DB>, event: StoredEvent, customerId: number, refollow: boolean) {
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
          payload: { channelId, lineUserId: lineUserId!, refollow },
        }
      : { ...common, type: 'line.friend_blocked', payload: { channelId, lineUserId: lineUserId! } },
  ]);
}

/** LINE's flag on a follow: true when the user unblocked the account rather than adding it anew. */
function isUnblocked(event: StoredEvent): boolean {
  const follow = event.payload.follow as { isUnblocked?: unknown } | undefined;
  return follow?.isUnblocked === true;
}

/**
 * follow (friend-add or unblock): the customer with this LINE identity, or a new one, becomes a
 * friend and LINE marketing consent is granted (source line_follow). A re-follow adds a new
 * `granted` row after the `blocked` one, so the history shows it. A follow is a re-follow when
 * the channel saw a follow from this user before, or when LINE says the user unblocked the
 * account (a friend from before Kizuna was connected): neither is a new acquisition.
 */
export async function handleFollow(
  tx: Transaction<DB>,
  event: StoredEvent,
  profile: LineProfile | undefined,
): Promise<Handled> {
  const unblocked = isUnblocked(event);
  const customerId = (await lineCustomer(tx, event.workspaceId, event.lineUserId!, {
    registeredAt: event.occurredAt,
    acquisitionSource: unblocked ? null : 'line_follow',
  }))!;
  const follows = await saveFriend(tx, event, customerId, 'friend', profile);
  await friendEvent(tx, event, customerId, follows > 1 || unblocked);
  await recordConsent(tx, event.workspaceId, customerId, {
    ...LINE_CONSENT,
    status: 'granted',
    source: 'line_follow',
    occurredAt: event.occurredAt,
  });
  await recordLineEvent(tx, event.workspaceId, customerId, event.webhookEventId, 'follow', event.occurredAt, {
    isUnblocked: unblocked,
  });
  return { outcome: 'followed', customerIds: [customerId] };
}

/**
 * unfollow (block): LINE consent becomes blocked; sends skip the customer until a follow. A block
 * from a user Kizuna never saw (a friend from before the channel was connected) records that
 * user as a blocked friend of a new customer, so a later import carrying that LINE id finds the
 * block and is never messaged.
 */
export async function handleUnfollow(tx: Transaction<DB>, event: StoredEvent): Promise<Handled> {
  const customerId = (await lineCustomer(tx, event.workspaceId, event.lineUserId!, {
    registeredAt: event.occurredAt,
    acquisitionSource: null,
  }))!;
  const follows = await saveFriend(tx, event, customerId, 'blocked', undefined);
  await friendEvent(tx, event, customerId, follows > 1);
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

/**
 * What a message keeps of LINE's structured fields, by kind: a sticker's package and id, a
 * location's place and coordinates, a file's name and size, media's duration and where the
 * content is held, a text's emoji and mentions, and what it quoted. The content itself (an image's
 * bytes) stays with LINE; `messageId` fetches it.
 */
const MESSAGE_FIELDS = [
  'text',
  'emojis',
  'mention',
  'quotedMessageId',
  'packageId',
  'stickerId',
  'stickerResourceType',
  'keywords',
  'duration',
  'contentProvider',
  'imageSet',
  'fileName',
  'fileSize',
  'title',
  'address',
  'latitude',
  'longitude',
] as const;

/** The properties stored for a user action, by event type. */
function actionProperties(event: StoredEvent): Record<string, unknown> {
  const payload = event.payload;
  const part = (key: string) => (payload[key] ?? {}) as Record<string, unknown>;
  switch (event.type) {
    case 'message': {
      const message = part('message');
      const kept = Object.fromEntries(
        MESSAGE_FIELDS.filter((key) => message[key] !== undefined).map((key) => [key, message[key]]),
      );
      return { messageId: message.id, messageType: message.type, ...kept };
    }
    case 'postback': {
      const postback = part('postback');
      return { data: postback.data, ...(postback.params ? { params: postback.params } : {}) };
    }
    case 'membership': {
      // LINE's paid membership: joined, left or renewed, with the plan's id.
      const membership = part('membership');
      return { membershipType: membership.type, membershipId: membership.membershipId };
    }
    case 'beacon': {
      const beacon = part('beacon');
      return { hwid: beacon.hwid, beaconType: beacon.type, ...(beacon.dm ? { dm: beacon.dm } : {}) };
    }
    default:
      return {};
  }
}

/**
 * message, postback, membership and beacon: stored as `custom:line.<type>` events with their
 * structured fields (see actionProperties); a beacon `enter` at a beacon tied to a store also
 * records a visit there (beacons.ts). A user first seen this way becomes a customer registered at
 * the event's time.
 */
export async function handleUserAction(
  tx: Transaction<DB>,
  event: StoredEvent,
  publish?: Publish,
): Promise<Handled> {
  const customerId = (await lineCustomer(tx, event.workspaceId, event.lineUserId!, seenThrough(event)))!;
  const properties = actionProperties(event);
  await recordLineEvent(
    tx,
    event.workspaceId,
    customerId,
    event.webhookEventId,
    event.type,
    event.occurredAt,
    properties,
  );
  // A postback (a rich menu area's action) is also a domain event, once per webhook event, so a
  // journey can start on it (trigger `{ "event": "line.postback", "action": "…" }`).
  if (event.type === 'postback' && typeof properties.data === 'string')
    await appendDomainEvents(tx, event.workspaceId, [
      {
        type: 'line.postback',
        customerId,
        occurredAt: event.occurredAt,
        dedupeKey: `line:${event.channelId}:${event.webhookEventId}`,
        payload: {
          channelId: event.channelId,
          lineUserId: event.lineUserId!,
          data: properties.data,
          action: postbackAction(properties.data),
        },
      },
    ]);
  // A friend entering a store with a beacon tied to it has visited that store.
  if (event.type === 'beacon' && properties.beaconType === 'enter' && typeof properties.hwid === 'string')
    await visitFromBeacon(
      tx,
      event.workspaceId,
      event.channelId,
      properties.hwid.toLowerCase(),
      customerId,
      event.occurredAt,
      publish,
    );
  return { outcome: 'recorded', customerIds: [customerId] };
}

/** The `action=` parameter of postback data (`action=coupon&menu=2` → `coupon`), or null. */
export function postbackAction(data: string): string | null {
  return new URLSearchParams(data).get('action');
}
