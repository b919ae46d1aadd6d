// Reading visits: a page of the workspace's visits (newest first, filtered), and a customer's
// visits for the timeline (karte/). Every query is scoped by workspace.

import type { Kysely } from 'kysely';
import { type Static, Type } from 'typebox';
import { customerFilter } from '../customers/get-customer.ts';
import type { DB } from '../db/schema.ts';
import { instantText, type KeyBound, keyBefore, newestFirstPage } from '../shared/page-cursor.ts';

export const VisitView = Type.Object({
  id: Type.Integer(),
  externalId: Type.String({ description: 'Your visit id' }),
  customerId: Type.Integer(),
  storeId: Type.Union([Type.Integer(), Type.Null()]),
  storeCode: Type.Union([Type.String(), Type.Null()]),
  visitedAt: Type.String({ format: 'date-time' }),
  source: Type.String(),
  createdAt: Type.String({ format: 'date-time', description: 'When Kizuna stored it' }),
});
export type VisitView = Static<typeof VisitView>;

export interface VisitFilter {
  customerId?: number | undefined;
  storeCode?: string | undefined;
  /** Visited at or after. */
  from?: Date | undefined;
  /** Visited before. */
  to?: Date | undefined;
}

/** Up to `limit` visits newest first (visited_at, then id), below `before` when given. */
export async function readVisits(
  db: Kysely<DB>,
  workspaceId: string,
  filter: VisitFilter,
  page: { limit: number; before?: KeyBound | undefined },
): Promise<{ key: KeyBound; visit: VisitView }[]> {
  const rows = await db
    .selectFrom('visit as v')
    .leftJoin('store as s', (j) =>
      j.onRef('s.workspace_id', '=', 'v.workspace_id').onRef('s.id', '=', 'v.store_id'),
    )
    .select([
      'v.id',
      'v.external_id',
      'v.customer_id',
      'v.store_id',
      's.code as store_code',
      'v.visited_at',
      'v.source',
      'v.created_at',
      instantText('v.visited_at').as('key_at'),
    ])
    .where('v.workspace_id', '=', workspaceId)
    .$if(filter.customerId !== undefined, (q) => q.where('v.customer_id', '=', filter.customerId!))
    .$if(filter.storeCode !== undefined, (q) => q.where('s.code', '=', filter.storeCode!))
    .$if(filter.from !== undefined, (q) => q.where('v.visited_at', '>=', filter.from!))
    .$if(filter.to !== undefined, (q) => q.where('v.visited_at', '<', filter.to!))
    .$if(page.before !== undefined, (q) => q.where(keyBefore('v.visited_at', 'v.id', page.before!)))
    .orderBy('v.visited_at', 'desc')
    .orderBy('v.id', 'desc')
    .limit(page.limit)
    .execute();
  return rows.map((r) => ({
    key: { at: r.key_at, id: String(r.id) },
    visit: {
      id: r.id,
      externalId: r.external_id,
      customerId: r.customer_id,
      storeId: r.store_id,
      storeCode: r.store_code,
      visitedAt: r.visited_at.toISOString(),
      source: r.source,
      createdAt: r.created_at.toISOString(),
    },
  }));
}

/** One page for GET /v1/visits; a customer filter follows merges, and an unknown one is a 404. */
export async function listVisits(
  db: Kysely<DB>,
  workspaceId: string,
  filter: VisitFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: VisitView[]; nextCursor: string | null }> {
  const customerId = await customerFilter(db, workspaceId, filter.customerId);
  return newestFirstPage(
    page,
    (range) => readVisits(db, workspaceId, { ...filter, customerId }, range),
    (r) => r.visit,
  );
}
