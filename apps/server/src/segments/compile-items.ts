/**
 * SQL for the conditions on what a customer had (item-conditions.ts): products of completed
 * orders, menu items of visits, interests.
 *
 * `purchased` and `visitMenu` become `c.id in (select customer_id … group by customer_id having …)`
 * over the matching lines, or `c.id not in (… having not …)` when a customer without matching
 * lines meets the comparison ("bought it fewer than 2 times" holds for someone who never did). IN
 * over non-null ids is two-valued, so `not` needs no coalesce; the planner makes it a hashed
 * subplan (one pass over the lines, not a probe per customer). With `customerIds` (incremental
 * recompute) the subquery reads only those customers' orders or visits.
 */
import { type RawBuilder, sql } from 'kysely';
import { holdsForZero } from './compile-aggregate.ts';
import { type Context, idArray, OPS } from './compile-context.ts';
import { type Interests, itemMatch, type Purchased, type VisitMenu } from './item-conditions.ts';
import type { Comparison } from './rule-tree.ts';

/** `c.id in (…)` of the customers meeting `measure op value`; see the head of this file. */
function membership(
  groups: (having: RawBuilder<unknown>) => RawBuilder<unknown>,
  measure: RawBuilder<unknown>,
  op: Comparison,
  value: number,
): RawBuilder<unknown> {
  const bound = Number.isSafeInteger(value) ? sql`${value}::bigint` : sql`${value}::numeric`;
  const cmp = sql`${measure} ${sql.raw(OPS[op])} ${bound}`;
  return holdsForZero(op, value)
    ? sql`c.id not in (${groups(sql`not (${cmp})`)})`
    : sql`c.id in (${groups(cmp)})`;
}

function windowStart(ctx: Context, window: { days: number } | undefined) {
  return window ? ctx.clock.dayStart(window.days - 1) : undefined;
}

/** "Bought X": lines of the customer's completed orders, by SKU, line name or product category. */
export function purchased(p: Purchased, op: Comparison, value: number, ctx: Context): RawBuilder<unknown> {
  const ws = ctx.options.workspaceId;
  const ids = ctx.options.customerIds;
  const start = windowStart(ctx, p.window);
  const { key, values } = itemMatch(p);
  const match =
    key === 'sku'
      ? sql`l.sku = any(${values}::text[])`
      : key === 'product'
        ? sql`l.name = any(${values}::text[])`
        : // By SKU rather than product_id: a line is linked to its product only if the product
          // existed when the order arrived.
          sql`l.sku in (select p.sku from product p where p.workspace_id = ${ws} and p.category = any(${values}::text[]))`;
  const measure =
    p.measure === 'quantity'
      ? sql`sum(l.quantity)`
      : p.measure === 'amount'
        ? sql`sum(l.amount)`
        : sql`count(distinct o.id)`;
  return membership(
    (having) => sql`select o.customer_id from customer_order o
      join order_line l on l.workspace_id = o.workspace_id and l.order_id = o.id
      where o.workspace_id = ${ws} and o.status = 'completed' and ${match}
        ${start ? sql`and o.ordered_at >= ${start}::timestamptz` : sql``}
        ${ids ? sql`and o.customer_id = any(${idArray(ids)})` : sql``}
      group by o.customer_id having ${having}`,
    measure,
    op,
    value,
  );
}

/** "Had X at a visit": menu items of the customer's visits, by code, name or category. */
export function visitMenu(v: VisitMenu, op: Comparison, value: number, ctx: Context): RawBuilder<unknown> {
  const ws = ctx.options.workspaceId;
  const ids = ctx.options.customerIds;
  const start = windowStart(ctx, v.window);
  const { key, values } = itemMatch(v);
  const match = sql`${sql.ref(`m.${key}`)} = any(${values}::text[])`;
  const measure =
    v.measure === 'quantity'
      ? sql`sum(m.quantity)`
      : v.measure === 'amount'
        ? sql`sum(coalesce(m.price, 0) * m.quantity)`
        : sql`count(distinct v.id)`;
  return membership(
    (having) => sql`select v.customer_id from visit v
      join visit_menu_item m on m.workspace_id = v.workspace_id and m.visit_id = v.id
      where v.workspace_id = ${ws} and ${match}
        ${start ? sql`and v.visited_at >= ${start}::timestamptz` : sql``}
        ${ids ? sql`and v.customer_id = any(${idArray(ids)})` : sql``}
      group by v.customer_id having ${having}`,
    measure,
    op,
    value,
  );
}

/** Any or all of the interests (customer.interests, text[]). */
export function interests(i: Interests, ctx: Context): RawBuilder<unknown> {
  ctx.profile = true;
  return 'any' in i ? sql`(c.interests && ${i.any}::text[])` : sql`(c.interests @> ${i.all}::text[])`;
}
