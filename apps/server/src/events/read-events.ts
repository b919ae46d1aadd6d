// Reading events: a page of the workspace's events (newest first, filtered), and a customer's
// events for the timeline (karte/). Every query is scoped by workspace.
import type { Kysely } from 'kysely';
import { type Static, Type } from 'typebox';
import { customerFilter } from '../customers/get-customer.ts';
import type { DB } from '../db/schema.ts';
import { instantText, type KeyBound, keyBefore, newestFirstPage } from '../shared/page-cursor.ts';

export const EventView = Type.Object({
  id: Type.Integer(),
  externalId: Type.Union([Type.String(), Type.Null()], { description: 'Your event id, when given' }),
  customerId: Type.Integer(),
  type: Type.String({ description: 'page_view, login, …, custom:<name>; LINE webhooks store custom:line.*' }),
  occurredAt: Type.String({ format: 'date-time' }),
  properties: Type.Record(Type.String(), Type.Unknown()),
  receivedAt: Type.String({ format: 'date-time', description: 'When Kizuna stored it' }),
});
export type EventView = Static<typeof EventView>;

export interface EventFilter {
  customerId?: number | undefined;
  type?: string | undefined;
  /** Occurred at or after. */
  from?: Date | undefined;
  /** Occurred before. */
  to?: Date | undefined;
}

/** Up to `limit` events newest first (occurred_at, then id), below `before` when given. */
export async function readEvents(
  db: Kysely<DB>,
  workspaceId: string,
  filter: EventFilter,
  page: { limit: number; before?: KeyBound | undefined },
): Promise<{ key: KeyBound; event: EventView }[]> {
  const rows = await db
    .selectFrom('event as e')
    .selectAll('e')
    .select(instantText('e.occurred_at').as('key_at'))
    .where('e.workspace_id', '=', workspaceId)
    .$if(filter.customerId !== undefined, (q) => q.where('e.customer_id', '=', filter.customerId!))
    .$if(filter.type !== undefined, (q) => q.where('e.type', '=', filter.type!))
    .$if(filter.from !== undefined, (q) => q.where('e.occurred_at', '>=', filter.from!))
    .$if(filter.to !== undefined, (q) => q.where('e.occurred_at', '<', filter.to!))
    .$if(page.before !== undefined, (q) => q.where(keyBefore('e.occurred_at', 'e.id', page.before!)))
    .orderBy('e.occurred_at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(page.limit)
    .execute();
  return rows.map((r) => ({
    key: { at: r.key_at, id: String(r.id) },
    event: {
      id: r.id,
      externalId: r.external_id,
      customerId: r.customer_id,
      type: r.type,
      occurredAt: r.occurred_at.toISOString(),
      properties: r.properties,
      receivedAt: r.received_at.toISOString(),
    },
  }));
}

/** One page for GET /v1/events; a customer filter follows merges, and an unknown one is a 404. */
export async function listEvents(
  db: Kysely<DB>,
  workspaceId: string,
  filter: EventFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: EventView[]; nextCursor: string | null }> {
  const customerId = await customerFilter(db, workspaceId, filter.customerId);
  return newestFirstPage(
    page,
    (range) => readEvents(db, workspaceId, { ...filter, customerId }, range),
    (r) => r.event,
  );
}
