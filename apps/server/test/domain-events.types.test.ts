// Type-level tests: a publisher and a reader that disagree about an event or a topic do not
// compile. `./kizuna typecheck` checks this file (tsconfig includes the test folders); each
// `@ts-expect-error` fails the type check if the line below it ever compiles. The functions are
// never called: what they would do at run time is not the point.
import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { appendDomainEvents } from '../src/domain-events/append.ts';
import { insertSelectedEvents } from '../src/domain-events/append-select.ts';
import { DOMAIN_EVENT_TYPES, type DomainEvent, type DomainEventMap } from '../src/domain-events/event-map.ts';
import {
  DOMAIN_TOPICS,
  isTopicMessage,
  type Publish,
  type TopicPayloads,
} from '../src/jobs/domain-topics.ts';

async function _publishers(tx: Transaction<DB>, ws: string, publish: Publish) {
  await appendDomainEvents(tx, ws, [
    { type: 'segment.entered', customerId: 1, payload: { segmentId: 2 } },
    // @ts-expect-error a payload of the wrong type: segmentId is a number
    { type: 'segment.entered', customerId: 1, payload: { segmentId: '2' } },
  ]);
  await appendDomainEvents(tx, ws, [
    // @ts-expect-error another event's payload under this name
    { type: 'line.friend_blocked', customerId: 1, payload: { segmentId: 2 } },
  ]);
  await appendDomainEvents(tx, ws, [
    // @ts-expect-error a payload missing a field (refollow)
    { type: 'line.friend_added', customerId: 1, payload: { channelId: 'c', lineUserId: 'U1' } },
  ]);
  await appendDomainEvents(tx, ws, [
    // @ts-expect-error an event name that is not in the map
    { type: 'order.placed', customerId: 1, payload: { orderId: 1 } },
  ]);
  insertSelectedEvents(ws, {
    type: 'segment.exited',
    from: sql`changes`,
    customerId: sql<number>`customer_id`,
    // @ts-expect-error a SQL payload without the exit's enteredAt
    payload: { segmentId: sql<number>`segment_id` },
    occurredAt: sql<Date>`now()`,
  });
  await publish(tx, 'orders.changed', { workspaceId: ws, orderIds: [1], customerIds: [2] });
  // @ts-expect-error orders.changed needs orderIds
  await publish(tx, 'orders.changed', { workspaceId: ws, customerIds: [2] });
  // @ts-expect-error a topic that does not exist
  await publish(tx, 'orders.created', { workspaceId: ws, customerIds: [2] });
}

function _subscriber(data: unknown) {
  if (isTopicMessage(data, ['orders.changed', 'visits.recorded'])) {
    expectTypeOf(data.topic).toEqualTypeOf<'orders.changed' | 'visits.recorded'>();
    if (data.topic === 'orders.changed') expectTypeOf(data.orderIds).toEqualTypeOf<number[]>();
    // @ts-expect-error visits.recorded has no orderIds
    else void data.orderIds;
  }
}

function _reader(event: DomainEvent<'segment.entered' | 'loyalty.tier_changed'>) {
  if (event.type === 'loyalty.tier_changed')
    expectTypeOf(event.payload.direction).toEqualTypeOf<'up' | 'down'>();
  // @ts-expect-error segment.entered carries no tier
  else void event.payload.to;
}

describe('typed events and topics', () => {
  it('lists every event name and topic once (the lists the type checker holds complete)', () => {
    expect(new Set(DOMAIN_EVENT_TYPES).size).toBe(DOMAIN_EVENT_TYPES.length);
    expect(DOMAIN_EVENT_TYPES).toContain('loyalty.coupon_redeemed');
    expect([...DOMAIN_TOPICS].sort()).toEqual([
      'customers.changed',
      'events.recorded',
      'orders.changed',
      'segments.changed',
      'visits.recorded',
    ]);
    expectTypeOf<(typeof DOMAIN_EVENT_TYPES)[number]>().toEqualTypeOf<keyof DomainEventMap>();
    expectTypeOf<(typeof DOMAIN_TOPICS)[number]>().toEqualTypeOf<keyof TopicPayloads>();
  });
});
