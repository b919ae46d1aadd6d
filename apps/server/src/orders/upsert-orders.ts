import type { Transaction } from 'kysely';
import { applyStatsDeltas, type StatsDelta } from '../analytics/customer-stats.ts';
import { resolveCustomerRefs } from '../customers/resolve-customers.ts';
import type { DB } from '../db/schema.ts';
import { appendDomainEvents } from '../domain-events/append.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import { orderEvents } from './order-events.ts';
import type { OrderInput } from './order-schema.ts';
import type { OrderStatus } from './order-tables.ts';
import type { OrderOutcome, PreparedOrder } from './order-types.ts';

// The shapes order-events.ts reads too live in order-types.ts, so neither file imports the other.
export type { OrderOutcome, PreparedOrder } from './order-types.ts';

function prepare(
  order: OrderInput,
  index: number,
  customerId: number,
  storeId: number | null,
  problems: FieldProblem[],
): PreparedOrder {
  const lines = (order.lines ?? []).map((l, i) => ({
    line_no: i + 1,
    sku: l.sku ?? null,
    name: l.name,
    quantity: l.quantity,
    unit_price: l.unitPrice,
    amount: l.amount ?? l.quantity * l.unitPrice,
  }));
  const status = order.status ?? 'completed';
  const refundedAmount = order.refundedAmount ?? (status === 'refunded' ? order.total : 0);
  if (refundedAmount > order.total) {
    problems.push({
      index,
      path: `orders[${index}].refundedAmount`,
      message: `exceeds the order total (${order.total})`,
    });
  }
  return {
    index,
    externalId: order.id,
    customerId,
    storeId,
    status,
    financialStatus: order.financialStatus ?? null,
    orderedAt: new Date(order.orderedAt),
    currency: order.currency ?? 'JPY',
    subtotal: order.subtotal ?? (lines.length ? lines.reduce((sum, l) => sum + l.amount, 0) : order.total),
    discount: order.discount ?? 0,
    shipping: order.shipping ?? 0,
    tax: order.tax ?? 0,
    total: order.total,
    refundedAmount,
    source: order.source ?? 'api',
    subscription: order.subscription
      ? {
          id: order.subscription.id,
          plan: order.subscription.plan,
          interval: order.subscription.interval,
          intervalCount: order.subscription.intervalCount ?? 1,
          sequence: order.subscription.sequence ?? null,
        }
      : null,
    lines,
  };
}

async function storeIds(
  tx: Transaction<DB>,
  workspaceId: string,
  codes: string[],
): Promise<Map<string, number>> {
  if (!codes.length) return new Map();
  const rows = await tx
    .selectFrom('store')
    .select(['id', 'code'])
    .where('workspace_id', '=', workspaceId)
    .where('code', 'in', codes)
    .execute();
  return new Map(rows.map((r) => [r.code, r.id]));
}

/**
 * Creates or updates orders by the client's order id. A re-sent identical order changes nothing;
 * a status change or a growing refund is applied and kept in order_history (refunds never
 * overwrite history, and a refund cannot shrink).
 */
export async function upsertOrders(
  tx: Transaction<DB>,
  workspaceId: string,
  items: { index: number; item: OrderInput }[],
  publish?: Publish,
): Promise<(OrderOutcome & { index: number })[]> {
  const problems: FieldProblem[] = [];
  const { ids: customerIds, problems: refProblems } = await resolveCustomerRefs(
    tx,
    workspaceId,
    items.map((i) => i.item.customer),
    (n) => `orders[${items[n]!.index}].customer`,
    publish,
  );
  problems.push(
    ...refProblems.map((p) => ({ ...p, index: p.index === undefined ? undefined : items[p.index]!.index })),
  );
  const stores = await storeIds(tx, workspaceId, [
    ...new Set(items.flatMap((i) => (i.item.storeCode ? [i.item.storeCode] : []))),
  ]);
  const prepared = items.map(({ index, item }, n) => {
    const storeId = item.storeCode ? (stores.get(item.storeCode) ?? null) : null;
    if (item.storeCode && storeId === null) {
      problems.push({
        index,
        path: `orders[${index}].storeCode`,
        message: `no store with code "${item.storeCode}"`,
      });
    }
    return prepare(item, index, customerIds[n] ?? 0, storeId, problems);
  });
  const existing = await tx
    .selectFrom('customer_order')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where(
      'external_id',
      'in',
      prepared.map((p) => p.externalId),
    )
    .forUpdate()
    .execute();
  const byExternal = new Map(existing.map((o) => [o.external_id, o]));
  for (const order of prepared) {
    const old = byExternal.get(order.externalId);
    if (old && order.refundedAmount < old.refunded_amount) {
      problems.push({
        index: order.index,
        path: `orders[${order.index}].refundedAmount`,
        message: `cannot decrease (already ${old.refunded_amount})`,
      });
    }
  }
  if (problems.length) throw invalid(problems);

  const results: (OrderOutcome & { index: number })[] = [];
  const stats = new StatsChanges();
  // New orders (the first time an id appears) go in with one statement each for orders, lines
  // and history; that is what keeps a 1M-row import fast. Repeats and updates go one by one.
  const fresh = new Map<string, PreparedOrder>();
  for (const order of prepared)
    if (!byExternal.has(order.externalId) && !fresh.has(order.externalId)) fresh.set(order.externalId, order);
  const created = await insertOrders(tx, workspaceId, [...fresh.values()]);
  for (const order of prepared) {
    const createdId = created.get(order.externalId);
    if (createdId !== undefined && fresh.get(order.externalId) === order) {
      stats.added(order);
      results.push({ index: order.index, id: createdId, externalId: order.externalId, outcome: 'created' });
      continue;
    }
    const old = byExternal.get(order.externalId) ?? (await loadOrder(tx, workspaceId, order.externalId));
    const row = orderRow(order);
    const changed = (Object.keys(row) as (keyof typeof row)[]).filter((k) => !sameValue(row[k], old[k]));
    const linesChanged = order.lines.length > 0 && (await linesDiffer(tx, workspaceId, old.id, order.lines));
    if (!changed.length && !linesChanged) {
      results.push({
        index: order.index,
        id: old.id,
        externalId: order.externalId,
        outcome: created.has(order.externalId) ? 'created' : 'unchanged',
      });
      continue;
    }
    await tx
      .updateTable('customer_order')
      .set({ ...row, updated_at: new Date() })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', old.id)
      .execute();
    if (linesChanged) {
      await tx
        .deleteFrom('order_line')
        .where('workspace_id', '=', workspaceId)
        .where('order_id', '=', old.id)
        .execute();
      await writeLines(tx, workspaceId, old.id, order.lines);
    }
    const history = [];
    if (order.status !== old.status)
      history.push({ kind: 'status_changed' as const, from_status: old.status, to_status: order.status });
    if (order.refundedAmount > old.refunded_amount)
      history.push({ kind: 'refunded' as const, amount: order.refundedAmount - old.refunded_amount });
    if (!history.length)
      history.push({
        kind: 'updated' as const,
        reason: [...changed, ...(linesChanged ? ['lines'] : [])].join(','),
      });
    await tx
      .insertInto('order_history')
      .values(history.map((h) => ({ workspace_id: workspaceId, order_id: old.id, ...h })))
      .execute();
    stats.changed(old, order);
    byExternal.set(order.externalId, { ...old, ...row });
    results.push({ index: order.index, id: old.id, externalId: order.externalId, outcome: 'updated' });
  }
  await applyStatsDeltas(tx, workspaceId, stats.deltas, [...stats.recompute]);
  const changed = results.filter((r) => r.outcome !== 'unchanged');
  await appendDomainEvents(tx, workspaceId, orderEvents(changed, prepared));
  if (publish && changed.length) {
    await publish(tx, 'orders.changed', {
      workspaceId,
      orderIds: [...new Set(changed.map((c) => c.id))],
      // An order moved to another customer changes the previous one's figures too.
      customerIds: [...stats.touched],
    });
  }
  return results;
}

/** What a batch's new and changed orders do to customer_stats (see applyStatsDeltas). */
class StatsChanges {
  readonly deltas: StatsDelta[] = [];
  readonly recompute = new Set<number>();
  readonly touched = new Set<number>();

  added(order: PreparedOrder) {
    this.touched.add(order.customerId);
    if (order.status === 'completed')
      this.deltas.push({
        customerId: order.customerId,
        orders: 1,
        revenue: order.total - order.refundedAmount,
        orderedAt: order.orderedAt,
      });
  }

  changed(
    old: {
      customer_id: number;
      status: OrderStatus;
      ordered_at: Date;
      total: number;
      refunded_amount: number;
    },
    order: PreparedOrder,
  ) {
    const oldCustomer = Number(old.customer_id);
    this.touched.add(oldCustomer).add(order.customerId);
    const was = old.status === 'completed';
    const is = order.status === 'completed';
    if (!was) {
      if (is) this.added(order);
      return;
    }
    if (is && oldCustomer === order.customerId && old.ordered_at.getTime() === order.orderedAt.getTime()) {
      // Same completed order, other amounts (a refund): the count and instants stand.
      const revenue = order.total - order.refundedAmount - (Number(old.total) - Number(old.refunded_amount));
      if (revenue) this.deltas.push({ customerId: order.customerId, orders: 0, revenue });
      return;
    }
    // The order leaves the old customer's completed figures (and maybe its first or last instant).
    this.recompute.add(oldCustomer);
    if (is) this.added(order);
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b || String(a) === String(b);
}

function orderRow(order: PreparedOrder) {
  return {
    customer_id: order.customerId,
    store_id: order.storeId,
    status: order.status,
    ordered_at: order.orderedAt,
    currency: order.currency,
    subtotal: order.subtotal,
    discount: order.discount,
    shipping: order.shipping,
    tax: order.tax,
    total: order.total,
    refunded_amount: order.refundedAmount,
    source: order.source,
    subscription_id: order.subscription?.id ?? null,
    subscription_plan: order.subscription?.plan ?? null,
    subscription_interval_unit: order.subscription?.interval ?? null,
    subscription_interval_count: order.subscription?.intervalCount ?? null,
    subscription_sequence: order.subscription?.sequence ?? null,
    financial_status: order.financialStatus,
  };
}

async function loadOrder(tx: Transaction<DB>, workspaceId: string, externalId: string) {
  return tx
    .selectFrom('customer_order')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
}

const CHUNK = 2000;

async function insertOrders(
  tx: Transaction<DB>,
  workspaceId: string,
  orders: PreparedOrder[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let start = 0; start < orders.length; start += CHUNK) {
    const chunk = orders.slice(start, start + CHUNK);
    const rows = await tx
      .insertInto('customer_order')
      .values(chunk.map((o) => ({ workspace_id: workspaceId, external_id: o.externalId, ...orderRow(o) })))
      .returning(['id', 'external_id'])
      .execute();
    for (const row of rows) ids.set(row.external_id, row.id);
  }
  const products = await productIds(tx, workspaceId, orders);
  const lines = orders.flatMap((o) =>
    o.lines.map((l) => ({
      workspace_id: workspaceId,
      order_id: ids.get(o.externalId)!,
      product_id: (l.sku && products.get(l.sku)) || null,
      ...l,
    })),
  );
  for (let start = 0; start < lines.length; start += CHUNK) {
    await tx
      .insertInto('order_line')
      .values(lines.slice(start, start + CHUNK))
      .execute();
  }
  const history = orders.map((o) => ({
    workspace_id: workspaceId,
    order_id: ids.get(o.externalId)!,
    kind: 'created' as const,
    to_status: o.status,
    amount: o.total,
    occurred_at: o.orderedAt,
  }));
  for (let start = 0; start < history.length; start += CHUNK) {
    await tx
      .insertInto('order_history')
      .values(history.slice(start, start + CHUNK))
      .execute();
  }
  return ids;
}

async function writeLines(
  tx: Transaction<DB>,
  workspaceId: string,
  orderId: number,
  lines: PreparedOrder['lines'],
): Promise<void> {
  if (!lines.length) return;
  const products = await productIds(tx, workspaceId, [{ lines }]);
  await tx
    .insertInto('order_line')
    .values(
      lines.map((l) => ({
        workspace_id: workspaceId,
        order_id: orderId,
        product_id: (l.sku && products.get(l.sku)) || null,
        ...l,
      })),
    )
    .execute();
}

/** Products named by the lines' SKUs, so lines link to the catalogue where it knows them. */
async function productIds(
  tx: Transaction<DB>,
  workspaceId: string,
  orders: { lines: PreparedOrder['lines'] }[],
): Promise<Map<string, number>> {
  const skus = [...new Set(orders.flatMap((o) => o.lines.flatMap((l) => (l.sku ? [l.sku] : []))))];
  if (!skus.length) return new Map();
  const rows = await tx
    .selectFrom('product')
    .select(['id', 'sku'])
    .where('workspace_id', '=', workspaceId)
    .where('sku', 'in', skus)
    .execute();
  return new Map(rows.map((r) => [r.sku, r.id]));
}

async function linesDiffer(
  tx: Transaction<DB>,
  workspaceId: string,
  orderId: number,
  lines: PreparedOrder['lines'],
): Promise<boolean> {
  const stored = await tx
    .selectFrom('order_line')
    .select(['line_no', 'sku', 'name', 'quantity', 'unit_price', 'amount'])
    .where('workspace_id', '=', workspaceId)
    .where('order_id', '=', orderId)
    .orderBy('line_no')
    .execute();
  return JSON.stringify(stored) !== JSON.stringify(lines);
}
