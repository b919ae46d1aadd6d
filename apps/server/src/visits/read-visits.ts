// Reading visits: a page of the workspace's visits (newest first, filtered), and a customer's
// visits for the timeline (karte/). Every query is scoped by workspace.

import type { Kysely } from 'kysely';
import { type Static, Type } from 'typebox';
import { customerFilter } from '../customers/get-customer.ts';
import type { DB } from '../db/schema.ts';
import { instantText, type KeyBound, keyBefore, newestFirstPage } from '../shared/page-cursor.ts';

export const MenuItemView = Type.Object({
  name: Type.String(),
  code: Type.Union([Type.String(), Type.Null()], { description: 'Your menu code or the product SKU' }),
  category: Type.Union([Type.String(), Type.Null()]),
  price: Type.Union([Type.Integer(), Type.Null()], { description: 'Unit price in yen' }),
  quantity: Type.Integer(),
});
export type MenuItemView = Static<typeof MenuItemView>;

export const VisitView = Type.Object({
  id: Type.Integer(),
  externalId: Type.String({ description: 'Your visit id' }),
  customerId: Type.Integer(),
  storeId: Type.Union([Type.Integer(), Type.Null()]),
  storeCode: Type.Union([Type.String(), Type.Null()]),
  visitedAt: Type.String({ format: 'date-time' }),
  source: Type.String(),
  staff: Type.Union([Type.String(), Type.Null()], { description: 'The staff member (担当): a name or code' }),
  spend: Type.Integer({ description: 'What the customer paid, in yen' }),
  orderId: Type.Union([Type.String(), Type.Null()], {
    description: 'Your order id when the visit was paid through an order (its spend is not added to LTV)',
  }),
  menuItems: Type.Array(MenuItemView),
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
      'v.staff',
      'v.spend',
      'v.order_external_id',
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
  const menus = await readMenuItems(
    db,
    workspaceId,
    rows.map((r) => r.id),
  );
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
      staff: r.staff,
      spend: Number(r.spend),
      orderId: r.order_external_id,
      menuItems: menus.get(r.id) ?? [],
      createdAt: r.created_at.toISOString(),
    },
  }));
}

/** The menu items of the given visits, by visit id, in line order. */
async function readMenuItems(
  db: Kysely<DB>,
  workspaceId: string,
  visitIds: readonly number[],
): Promise<Map<number, MenuItemView[]>> {
  const menus = new Map<number, MenuItemView[]>();
  if (!visitIds.length) return menus;
  const rows = await db
    .selectFrom('visit_menu_item')
    .select(['visit_id', 'name', 'code', 'category', 'price', 'quantity'])
    .where('workspace_id', '=', workspaceId)
    .where('visit_id', 'in', visitIds)
    .orderBy('visit_id')
    .orderBy('line_no')
    .execute();
  for (const { visit_id, price, ...m } of rows) {
    const list = menus.get(Number(visit_id)) ?? [];
    list.push({ ...m, price: price === null ? null : Number(price) });
    menus.set(Number(visit_id), list);
  }
  return menus;
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
