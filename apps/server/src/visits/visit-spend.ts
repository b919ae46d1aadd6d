// What a customer's visits add to their historical LTV (analytics/clv-read.ts composes it).
import { type RawBuilder, sql } from 'kysely';

/**
 * SQL for the spend of a customer's visits not paid through an order (visit.order_external_id
 * null): a salon or cafe without an order system records the money on its visits. A visit that
 * names its order is left out, so that the purchase counts once, as the order. One probe of the
 * visit table's index by customer.
 *
 * @example
 * sql`select ${unorderedVisitSpend(sql.ref('s.workspace_id'), sql.ref('s.customer_id'))} from customer_stats s`
 */
export function unorderedVisitSpend(workspaceId: RawBuilder<unknown>, customerId: RawBuilder<unknown>) {
  return sql<number>`coalesce((select sum(v.spend) from visit v where v.workspace_id = ${workspaceId}
      and v.customer_id = ${customerId} and v.order_external_id is null), 0)`;
}
