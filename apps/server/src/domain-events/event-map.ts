// The customer-level domain events Kizuna records (in `domain_event`, see append.ts and read.ts),
// name → payload. Publishers and readers both take their types from here, so a publisher that
// sends a payload a reader does not expect fails the type check instead of a journey at run
// time. Payloads are JSON: instants are ISO-8601 strings, yen amounts whole numbers.
//
// A new event is a new entry here. Changing a payload changes what stored rows mean: add an
// optional field rather than rename or retype one, since old rows keep their old shape.

import type { OrderStatus } from '../orders/order-tables.ts';

export interface DomainEventMap {
  /** An order was created, or an existing one changed (status, refund, amounts, lines). */
  'order.recorded': {
    orderId: number;
    /** The client's order id. */
    externalId: string;
    change: 'created' | 'updated';
    status: OrderStatus;
    totalYen: number;
    refundedYen: number;
    storeId: number | null;
  };
  /** A store visit was stored (a repeated visit id is not recorded again). */
  'visit.recorded': { visitId: number; externalId: string; storeId: number | null };
  /** The customer started matching the segment (after the segment's first full evaluation). */
  'segment.entered': { segmentId: number };
  /** The customer stopped matching the segment; `enteredAt` is when that spell began. */
  'segment.exited': { segmentId: number; enteredAt: string };
  /** A follow webhook: friend-add (友だち追加), or a return after a block (`refollow`). */
  'line.friend_added': { channelId: string; lineUserId: string; refollow: boolean };
  /**
   * A postback webhook (a rich menu area or a button with a postback action): its `data` as LINE
   * sent it, and `action`, the value of its `action=` parameter (`action=coupon&menu=2` → coupon).
   */
  'line.postback': { channelId: string; lineUserId: string; data: string; action: string | null };
  /** An unfollow webhook: the customer blocked the channel. */
  'line.friend_blocked': { channelId: string; lineUserId: string };
  /** One stamp short of a full card. */
  'loyalty.stamp_card_one_to_go': {
    cardId: number;
    templateId: number;
    name: string;
    stamps: number;
    required: number;
  };
  'loyalty.stamp_card_completed': { cardId: number; templateId: number; name: string; required: number };
  /** Points expire within the workspace's expiringSoonDays: one event per member and JST expiry day. */
  'loyalty.points_expiring': {
    points: number;
    /** The JST day (YYYY-MM-DD) the points expire on. */
    expiresOn: string;
    firstExpiry: string;
    balance: number;
  };
  'loyalty.points_expired': { entryId: number; points: number; balance: number };
  'loyalty.tier_changed': {
    tierChangeId: number;
    from: string | null;
    to: string;
    direction: 'up' | 'down';
    basis: 'spend' | 'points';
    value: number;
  };
  'loyalty.coupon_granted': {
    couponId: number;
    templateId: number;
    name: string;
    source: string;
    validUntil: string | null;
  };
  'loyalty.coupon_redeemed': { couponId: number; name: string; storeCode: string | null };
  /**
   * The customer followed a tracked link (clicks/): `origin` is the send's
   * (`journey:3/v2/node:greeting`, `campaign:12/A`), `linkId` the tracked_link.
   */
  'message.clicked': { origin: string; linkId: number };
}

export type DomainEventType = keyof DomainEventMap;

/** Every event name, for validating a name that arrives as text (a reader's `types` filter). */
export const DOMAIN_EVENT_TYPES = Object.keys({
  'order.recorded': true,
  'visit.recorded': true,
  'segment.entered': true,
  'segment.exited': true,
  'line.friend_added': true,
  'line.friend_blocked': true,
  'line.postback': true,
  'loyalty.stamp_card_one_to_go': true,
  'loyalty.stamp_card_completed': true,
  'loyalty.points_expiring': true,
  'loyalty.points_expired': true,
  'loyalty.tier_changed': true,
  'loyalty.coupon_granted': true,
  'loyalty.coupon_redeemed': true,
  'message.clicked': true,
} satisfies Record<DomainEventType, true>) as DomainEventType[];

/** One event to append: its name, the payload that name requires, and its customer. */
export type DomainEventInput<K extends DomainEventType = DomainEventType> = {
  [T in K]: {
    type: T;
    customerId: number;
    payload: DomainEventMap[T];
    /** When it happened (default: the transaction's time). */
    occurredAt?: Date;
    /** Events with a key already stored in the workspace are skipped. */
    dedupeKey?: string;
  };
}[K];

/** One stored event as a reader sees it; `type` narrows `payload`. */
export type DomainEvent<K extends DomainEventType = DomainEventType> = {
  [T in K]: {
    type: T;
    payload: DomainEventMap[T];
    customerId: number;
    seq: number;
    /** Pass as `after` to read the events that follow this one. */
    cursor: string;
    occurredAt: Date;
    recordedAt: Date;
  };
}[K];
