// Next-purchase coupons (次回使えるクーポン / 同梱クーポン): a completed order that meets a rule of
// rules.nextPurchaseCoupons grants the customer the rule's coupon, usable from their next order.
// Granted by the order sync (order-points.ts), so it follows the order as points do: a new
// completed order grants on arrival, a pending order grants when an update makes it completed.
//
// Exactly once per order and template: the grant key is `order:<id>:next`, checked under the
// member's lock (and guarded by the unique index on coupon grant keys), so a re-sent order or a
// second run of the job finds the coupon instead of making another. The coupon is valid from
// after the order (never before it), remembers the order (coupon.granted_order_id), and
// redemption refuses it on that order (redeem-coupon.ts, reason `coupon_granting_order`).
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { grantCouponOrSkip } from './coupon-grant-skips.ts';
import type { PendingPosts } from './pending-posts.ts';
import type { LoyaltyRules, NextPurchaseRule } from './rules.ts';

export interface NextPurchaseOrder {
  id: number;
  external_id: string;
  customer_id: number;
  status: string;
  total: number;
  refunded_amount: number;
  ordered_at: Date;
}

/**
 * Grants the order's next-purchase coupons; returns how many were granted now (0 when they were
 * granted before). The caller holds the member's lock; the pending posts are flushed before a
 * grant, so the member's tier is the one this order left them in.
 */
export async function grantNextPurchaseCoupons(
  tx: Transaction<DB>,
  workspaceId: string,
  order: NextPurchaseOrder,
  rules: LoyaltyRules,
  options: {
    actor: string;
    at: Date;
    lines?: readonly { sku: string | null }[];
    pending?: PendingPosts | undefined;
  },
): Promise<number> {
  if (order.status !== 'completed' || rules.nextPurchaseCoupons.length === 0) return 0;
  const oldest = options.at.getTime() - rules.nextPurchaseMaxOrderAgeDays * 86_400_000;
  if (order.ordered_at.getTime() < oldest) return 0;
  const rulesMet = await matchingRules(tx, workspaceId, order, rules.nextPurchaseCoupons, options.lines);
  if (rulesMet.length === 0) return 0;
  await options.pending?.flush(tx);
  // Usable from just after the order, even when the order is synced before its own time.
  const validFrom = new Date(Math.max(options.at.getTime(), order.ordered_at.getTime() + 1000));
  let granted = 0;
  for (const templateId of new Set(rulesMet.map((r) => r.couponTemplateId))) {
    const result = await grantCouponOrSkip(tx, workspaceId, {
      templateId,
      customerId: order.customer_id,
      source: `next_purchase:order:${order.external_id}`,
      grantKey: `order:${order.id}:next`,
      grantedOrderId: order.id,
      actor: options.actor,
      at: validFrom,
    });
    if (result.granted && !result.granted.replayed) granted++;
  }
  return granted;
}

async function matchingRules(
  tx: Transaction<DB>,
  workspaceId: string,
  order: NextPurchaseOrder,
  candidates: readonly NextPurchaseRule[],
  knownLines: readonly { sku: string | null }[] | undefined,
): Promise<NextPurchaseRule[]> {
  const net = order.total - order.refunded_amount;
  let met = candidates.filter((r) => net >= (r.minOrderTotal ?? 0));
  if (met.some((r) => r.sku !== undefined)) {
    const lines =
      knownLines ??
      (
        await sql<{ sku: string | null }>`select sku from order_line
          where workspace_id = ${workspaceId} and order_id = ${order.id}`.execute(tx)
      ).rows;
    const skus = new Set(lines.map((l) => l.sku));
    met = met.filter((r) => r.sku === undefined || skus.has(r.sku));
  }
  if (met.some((r) => r.firstOrderOnly) && !(await isFirstCompletedOrder(tx, workspaceId, order)))
    met = met.filter((r) => !r.firstOrderOnly);
  return met;
}

/** No completed order of the customer comes before this one (by time, then id). */
async function isFirstCompletedOrder(tx: Transaction<DB>, workspaceId: string, order: NextPurchaseOrder) {
  const { rows } = await sql<{ earlier: boolean }>`select exists (select 1 from customer_order
      where workspace_id = ${workspaceId} and customer_id = ${order.customer_id} and status = 'completed'
        and (ordered_at, id) < (${order.ordered_at}::timestamptz, ${order.id}::bigint)) as earlier`.execute(
    tx,
  );
  return !rows[0]?.earlier;
}
