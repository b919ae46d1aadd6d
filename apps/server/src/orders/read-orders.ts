// Reading orders: a page of the workspace's orders (newest first, filtered), one order with its
// history, and a customer's orders for the timeline (karte/). Every query is scoped by workspace.
import type { Kysely } from 'kysely';
import { customerFilter } from '../customers/get-customer.ts';
import type { DB } from '../db/schema.ts';
import { notFound } from '../shared/domain-error.ts';
import { instantText, type KeyBound, keyBefore, newestFirstPage } from '../shared/page-cursor.ts';
import type { OrderStatus } from './order-tables.ts';
import type { OrderDetailView, OrderView } from './order-view.ts';

export interface OrderFilter {
  /** One order (for getOrder). */
  id?: number;
  customerId?: number | undefined;
  /** Ordered at or after. */
  from?: Date;
  /** Ordered before. */
  to?: Date;
  status?: OrderStatus;
  storeCode?: string;
  /** Orders with at least one line of this SKU. */
  sku?: string;
}

/** An order with the key it sorts by (ordered_at to the microsecond, id). */
export interface KeyedOrder {
  key: KeyBound;
  order: OrderView;
}

/**
 * Up to `limit` orders newest first (ordered_at, then id), below `before` when given, each with
 * its lines. The customer filter is used as given (callers resolve merged ids first).
 */
export async function readOrders(
  db: Kysely<DB>,
  workspaceId: string,
  filter: OrderFilter,
  page: { limit: number; before?: KeyBound | undefined },
): Promise<KeyedOrder[]> {
  const rows = await db
    .selectFrom('customer_order as o')
    .leftJoin('store as s', (j) =>
      j.onRef('s.workspace_id', '=', 'o.workspace_id').onRef('s.id', '=', 'o.store_id'),
    )
    .selectAll('o')
    .select(['s.code as store_code', instantText('o.ordered_at').as('key_at')])
    .where('o.workspace_id', '=', workspaceId)
    .$if(filter.id !== undefined, (q) => q.where('o.id', '=', filter.id!))
    .$if(filter.customerId !== undefined, (q) => q.where('o.customer_id', '=', filter.customerId!))
    .$if(filter.from !== undefined, (q) => q.where('o.ordered_at', '>=', filter.from!))
    .$if(filter.to !== undefined, (q) => q.where('o.ordered_at', '<', filter.to!))
    .$if(filter.status !== undefined, (q) => q.where('o.status', '=', filter.status!))
    .$if(filter.storeCode !== undefined, (q) => q.where('s.code', '=', filter.storeCode!))
    .$if(filter.sku !== undefined, (q) =>
      q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('order_line as l')
            .select('l.line_no')
            .whereRef('l.workspace_id', '=', 'o.workspace_id')
            .whereRef('l.order_id', '=', 'o.id')
            .where('l.sku', '=', filter.sku!),
        ),
      ),
    )
    .$if(page.before !== undefined, (q) => q.where(keyBefore('o.ordered_at', 'o.id', page.before!)))
    .orderBy('o.ordered_at', 'desc')
    .orderBy('o.id', 'desc')
    .limit(page.limit)
    .execute();
  const lines = await readLines(
    db,
    workspaceId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    key: { at: r.key_at, id: String(r.id) },
    order: {
      id: r.id,
      externalId: r.external_id,
      customerId: r.customer_id,
      storeId: r.store_id,
      storeCode: r.store_code,
      status: r.status,
      financialStatus: r.financial_status,
      orderedAt: r.ordered_at.toISOString(),
      currency: r.currency,
      subtotal: r.subtotal,
      discount: r.discount,
      shipping: r.shipping,
      tax: r.tax,
      total: r.total,
      refundedAmount: r.refunded_amount,
      source: r.source,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
      lines: lines.get(r.id) ?? [],
      subscription:
        r.subscription_id === null
          ? null
          : {
              id: r.subscription_id,
              plan: r.subscription_plan ?? '',
              interval: r.subscription_interval_unit ?? 'month',
              intervalCount: r.subscription_interval_count ?? 1,
              sequence: r.subscription_sequence,
            },
    },
  }));
}

async function readLines(db: Kysely<DB>, workspaceId: string, orderIds: number[]) {
  const byOrder = new Map<number, OrderView['lines']>();
  if (!orderIds.length) return byOrder;
  const rows = await db
    .selectFrom('order_line')
    .select(['order_id', 'line_no', 'sku', 'product_id', 'name', 'quantity', 'unit_price', 'amount'])
    .where('workspace_id', '=', workspaceId)
    .where('order_id', 'in', orderIds)
    .orderBy('order_id')
    .orderBy('line_no')
    .execute();
  for (const r of rows) {
    const list = byOrder.get(r.order_id) ?? [];
    list.push({
      lineNo: r.line_no,
      sku: r.sku,
      productId: r.product_id,
      name: r.name,
      quantity: r.quantity,
      unitPrice: r.unit_price,
      amount: r.amount,
    });
    byOrder.set(r.order_id, list);
  }
  return byOrder;
}

/**
 * One page of orders for GET /v1/orders. A customer filter follows merges (an id merged away
 * lists its survivor's orders); a customer not in the workspace is a 404.
 */
export async function listOrders(
  db: Kysely<DB>,
  workspaceId: string,
  filter: OrderFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: OrderView[]; nextCursor: string | null }> {
  const customerId = await customerFilter(db, workspaceId, filter.customerId);
  return newestFirstPage(
    page,
    (range) => readOrders(db, workspaceId, { ...filter, customerId }, range),
    (r) => r.order,
  );
}

/** One order with its lines and its history (oldest first); another workspace's id is a 404. */
export async function getOrder(db: Kysely<DB>, workspaceId: string, id: number): Promise<OrderDetailView> {
  const [found] = await readOrders(db, workspaceId, { id }, { limit: 1 });
  if (!found) throw notFound(`order ${id}`);
  const history = await db
    .selectFrom('order_history')
    .select(['kind', 'from_status', 'to_status', 'amount', 'reason', 'occurred_at'])
    .where('workspace_id', '=', workspaceId)
    .where('order_id', '=', id)
    .orderBy('id')
    .execute();
  return {
    ...found.order,
    history: history.map((h) => ({
      kind: h.kind,
      fromStatus: h.from_status,
      toStatus: h.to_status,
      amount: h.amount,
      reason: h.reason,
      occurredAt: h.occurred_at.toISOString(),
    })),
  };
}
