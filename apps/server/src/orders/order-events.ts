// The domain events an order upsert appends (in its transaction, see upsert-orders.ts).
import type { DomainEventInput } from '../domain-events/event-map.ts';
import type { OrderOutcome, PreparedOrder } from './order-types.ts';

/** One `order.recorded` per order the batch created or changed, with the order as it now stands. */
export function orderEvents(
  changed: (OrderOutcome & { index: number })[],
  prepared: PreparedOrder[],
): DomainEventInput<'order.recorded'>[] {
  const byIndex = new Map(prepared.map((p) => [p.index, p]));
  // An id repeated in a batch is one order: its last version is the one stored.
  const byOrder = new Map<number, DomainEventInput<'order.recorded'>>();
  for (const result of changed) {
    const order = byIndex.get(result.index)!;
    // Created and then changed in the same batch is still a new order.
    const change =
      byOrder.get(result.id)?.payload.change ?? (result.outcome === 'created' ? 'created' : 'updated');
    byOrder.set(result.id, {
      type: 'order.recorded',
      customerId: order.customerId,
      // A new order happened when it was ordered; a change happens now (the transaction's time).
      ...(change === 'created' ? { occurredAt: order.orderedAt } : {}),
      payload: {
        orderId: result.id,
        externalId: order.externalId,
        change,
        status: order.status,
        totalYen: order.total,
        refundedYen: order.refundedAmount,
        storeId: order.storeId,
      },
    });
  }
  return [...byOrder.values()];
}
