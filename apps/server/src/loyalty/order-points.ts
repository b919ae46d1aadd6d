// Points, stamps and tier for an order. syncOrderLoyalty brings a member's loyalty state in line
// with the order as it stands now, so it is safe to run any number of times (the orders.changed
// job, the explicit earn call, a retry):
// - a completed order earns once (idempotency key `order:<id>:earn`);
// - a refund or cancellation reverses what the order no longer deserves: the order is credited
//   floor(earned × (total − refunded) / total) points, 0 when cancelled or fully refunded. The
//   reversal takes the order's own lot first, then (clawback = 'balance') the member's other
//   points, oldest first, never below zero; what could not be recovered is noted on the entry.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { OrderStatus } from '../orders/order-tables.ts';
import { notFound } from '../shared/domain-error.ts';
import { lockMember, type MemberRow } from './members.ts';
import { grantNextPurchaseCoupons } from './next-purchase.ts';
import type { PendingPosts } from './pending-posts.ts';
import { addMonths, earnInTx, postEntry, takeFromLots } from './points-ledger.ts';
import { type LoyaltyRules, loadRules } from './rules.ts';
import { addStampsInTx, listStampCardTemplates, type StampCardTemplate } from './stamp-cards.ts';
import { evaluateTierInTx, tierChangeFor, tierMultiplier } from './tiers.ts';

interface OrderRow {
  id: number;
  external_id: string;
  customer_id: number;
  status: OrderStatus;
  total: number;
  refunded_amount: number;
  ordered_at: Date;
  store_code: string | null;
}

/** Points a completed order earns under the rules, with the factors that made them. */
export function computeOrderPoints(
  rules: LoyaltyRules,
  order: { total: number; refunded_amount: number; ordered_at: Date; store_code: string | null },
  lines: { sku: string | null; amount: number }[],
  tierCode: string | null,
): { points: number; eligible: number; multiplier: number } {
  if (order.store_code && rules.excludedStoreCodes.includes(order.store_code))
    return { points: 0, eligible: 0, multiplier: 0 };
  const excluded = lines
    .filter((l) => l.sku && rules.excludedSkus.includes(l.sku))
    .reduce((s, l) => s + l.amount, 0);
  const eligible = Math.max(0, order.total - order.refunded_amount - excluded);
  const bonus = rules.bonusPeriods
    .filter((p) => new Date(p.from) <= order.ordered_at && order.ordered_at < new Date(p.until))
    .reduce((m, p) => Math.max(m, p.multiplier), 1);
  const multiplier = tierMultiplier(rules, tierCode) * bonus;
  const raw = eligible * rules.pointsPerYen * multiplier;
  // Rounded to 6 places first so that 1540 × 0.01 × 1.5 = 23.099999… still floors to 23.
  const exact = Math.round(raw * 1e6) / 1e6;
  const points =
    rules.rounding === 'floor'
      ? Math.floor(exact)
      : rules.rounding === 'ceil'
        ? Math.ceil(exact)
        : Math.round(exact);
  return { points, eligible, multiplier };
}

export interface OrderLoyaltyOutcome {
  orderId: number;
  customerId: number;
  earned: number;
  reversed: number;
  unrecovered: number;
  stamps: number;
  tier: string | null;
  /** Next-purchase coupons this sync granted (0 when granted by an earlier one). */
  nextPurchaseCoupons: number;
}

interface Credited {
  /** Points the order's earn entry gave (null: not earned yet). */
  earned: number | null;
  /** What the order is credited with now: its earn minus its reversals. */
  net: number;
}

/** What the sync reads about an order, which prefetchOrderFacts reads for many at once. */
export interface OrderFacts {
  order: OrderRow;
  credited: Credited;
  lines: { sku: string | null; amount: number }[];
}

const creditedSql = (workspaceId: string, orderId: number) => sql<Credited>`
  select sum(points) filter (where kind = 'earn' and idempotency_key = ${`order:${orderId}:earn`}) as earned,
    coalesce(sum(order_points), 0) as net from point_entry where workspace_id = ${workspaceId} and order_id = ${orderId}`;

/**
 * The facts of several orders in two statements, for a caller that syncs them in one
 * transaction. `credited` decides between earning and reversing, so it must be read under the
 * lock of the order's member: call this after lockMembers, and pass an order's facts on only
 * when its customer is among the locked ones.
 */
export async function prefetchOrderFacts(
  tx: Transaction<DB>,
  workspaceId: string,
  orderIds: readonly number[],
): Promise<Map<number, OrderFacts>> {
  const ids = [...orderIds];
  const { rows } = await sql<OrderRow & Credited>`
    select o.id, o.external_id, o.customer_id, o.status, o.total, o.refunded_amount, o.ordered_at, s.code as store_code,
      c.earned, c.net
    from customer_order o left join store s on s.workspace_id = o.workspace_id and s.id = o.store_id
    cross join lateral (select sum(e.points) filter (where e.kind = 'earn' and e.idempotency_key = 'order:' || o.id || ':earn') as earned,
        coalesce(sum(e.order_points), 0) as net
      from point_entry e where e.workspace_id = o.workspace_id and e.order_id = o.id) c
    where o.workspace_id = ${workspaceId} and o.id = any(${ids}::bigint[])`.execute(tx);
  const lines = await sql<{
    order_id: number;
    sku: string | null;
    amount: number;
  }>`select order_id, sku, amount
    from order_line where workspace_id = ${workspaceId} and order_id = any(${ids}::bigint[])`.execute(tx);
  const facts = new Map<number, OrderFacts>();
  for (const { earned, net, ...order } of rows)
    facts.set(Number(order.id), { order, credited: { earned, net }, lines: [] });
  for (const { order_id, ...line } of lines.rows) facts.get(Number(order_id))?.lines.push(line);
  return facts;
}

export async function syncOrderLoyaltyInTx(
  tx: Transaction<DB>,
  workspaceId: string,
  orderId: number,
  rules: LoyaltyRules,
  options: {
    actor: string;
    at?: Date;
    /** The workspace's stamp-card templates, when the caller syncs several orders in one transaction. */
    stampCards?: StampCardTemplate[];
    /** The order's facts, read under its member's lock (see prefetchOrderFacts). */
    facts?: OrderFacts;
    /** The order's member as it stands, already locked by the caller (with the facts only). */
    member?: MemberRow;
    /** The member's tier basis at `at`, read under the lock (see spendBases in tiers.ts). */
    tierBasis?: number;
    /**
     * With the facts and the member: earns and tier changes are added here, to be written with
     * the rest of the caller's chunk (see pending-posts.ts); the caller flushes before it commits.
     */
    pending?: PendingPosts;
  },
): Promise<OrderLoyaltyOutcome> {
  const at = options.at ?? new Date();
  const order =
    options.facts?.order ??
    (
      await sql<OrderRow>`select o.id, o.external_id, o.customer_id, o.status, o.total, o.refunded_amount, o.ordered_at, s.code as store_code
      from customer_order o left join store s on s.workspace_id = o.workspace_id and s.id = o.store_id
      where o.workspace_id = ${workspaceId} and o.id = ${orderId}`.execute(tx)
    ).rows[0];
  if (!order) throw notFound(`order ${orderId}`);
  const fast = options.facts !== undefined && options.member !== undefined;
  // Only the fast path adds to the caller's pending posts; anything written otherwise goes after them.
  const pending = fast ? options.pending : undefined;
  if (!fast) await options.pending?.flush(tx);
  const member =
    fast && options.member ? options.member : await lockMember(tx, workspaceId, order.customer_id);
  const outcome: OrderLoyaltyOutcome = {
    orderId,
    customerId: order.customer_id,
    earned: 0,
    reversed: 0,
    unrecovered: 0,
    stamps: 0,
    tier: member.tier_code,
    nextPurchaseCoupons: 0,
  };
  const credited = options.facts?.credited ?? (await creditedSql(workspaceId, orderId).execute(tx)).rows[0]!;
  const tooOld = addMonths(order.ordered_at, rules.lotValidityMonths) <= at;
  if (credited.earned === null) {
    if (order.status === 'completed' && !tooOld) {
      const lines =
        options.facts?.lines ??
        (
          await sql<{ sku: string | null; amount: number }>`select sku, amount from order_line
        where workspace_id = ${workspaceId} and order_id = ${orderId}`.execute(tx)
        ).rows;
      const { points, eligible, multiplier } = computeOrderPoints(rules, order, lines, member.tier_code);
      const earn = {
        customerId: order.customer_id,
        points,
        actor: options.actor,
        reason: `order ${order.external_id}`,
        idempotencyKey: `order:${orderId}:earn`,
        orderId,
        detail: { eligible, multiplier, total: order.total },
      };
      // Under the lock, the credited query showed the earn key unused: pending, it stays so.
      if (points > 0 && pending) {
        const expiresAt = addMonths(order.ordered_at, rules.lotValidityMonths);
        pending.addEarn({ ...earn, earnedAt: order.ordered_at, expiresAt });
        outcome.earned = points;
      } else if (points > 0) {
        await earnInTx(
          tx,
          workspaceId,
          { ...earn, earnedAt: order.ordered_at, validityMonths: rules.lotValidityMonths },
          // The credited query above already showed the earn key unused (under the lock).
          { seen: undefined },
        );
        outcome.earned = points;
      }
    }
  } else {
    const kept =
      order.status === 'completed' && order.total > 0
        ? Math.floor((credited.earned * (order.total - order.refunded_amount)) / order.total)
        : 0;
    const diff = kept - credited.net;
    // The reversal reads the member's lots: the chunk's earns must be in them first.
    if (diff < 0) await options.pending?.flush(tx);
    if (diff < 0)
      Object.assign(
        outcome,
        await reverseOrderPoints(tx, workspaceId, order, -diff, rules, options.actor, at),
      );
  }
  if (order.status === 'completed') {
    for (const t of options.stampCards ?? (await listStampCardTemplates(tx, workspaceId))) {
      if (!t.active || t.stamp_per !== 'order' || order.total - order.refunded_amount < t.min_order_total)
        continue;
      await options.pending?.flush(tx);
      const r = await addStampsInTx(
        tx,
        workspaceId,
        {
          templateId: t.id,
          customerId: order.customer_id,
          source: 'order',
          actor: options.actor,
          idempotencyKey: `order:${orderId}`,
          at,
        },
        t,
      );
      outcome.stamps += r.added;
    }
  }
  outcome.tier = await syncTier(tx, workspaceId, order, rules, member, {
    at,
    actor: options.actor,
    ...(fast && options.tierBasis !== undefined ? { basis: options.tierBasis } : {}),
    ...(pending ? { pending } : {}),
  });
  // After the tier: a tier-restricted next-purchase coupon goes by the tier this order left.
  outcome.nextPurchaseCoupons = await grantNextPurchaseCoupons(tx, workspaceId, order, rules, {
    actor: options.actor,
    at,
    pending: options.pending,
    ...(options.facts ? { lines: options.facts.lines } : {}),
  });
  return outcome;
}

/**
 * The member's tier after the order. A change that grants nothing joins the pending posts when
 * there are some and the basis is known; otherwise it is written now, after them (a points basis
 * is read from the ledger, so it must hold the chunk's earns).
 */
async function syncTier(
  tx: Transaction<DB>,
  workspaceId: string,
  order: OrderRow,
  rules: LoyaltyRules,
  member: MemberRow,
  options: { at: Date; actor: string; basis?: number; pending?: PendingPosts },
): Promise<string | null> {
  const { at, basis, pending } = options;
  const reason = `order ${order.external_id}`;
  const change = basis === undefined ? undefined : tierChangeFor(rules, member.tier_code, basis);
  if (basis !== undefined && !change) return member.tier_code;
  if (
    pending &&
    basis !== undefined &&
    change &&
    !(change.direction === 'up' && change.couponTemplateIds.length)
  ) {
    const { to, direction } = change;
    await pending.addTierChange(tx, {
      customerId: order.customer_id,
      from: member.tier_code,
      to,
      direction,
      basis: rules.tierBasis,
      value: basis,
      reason,
      at,
    });
    return to;
  }
  await pending?.flush(tx);
  return (
    await evaluateTierInTx(tx, workspaceId, order.customer_id, rules, {
      at,
      reason,
      actor: options.actor,
      lockedMember: member,
      ...(basis !== undefined ? { basis } : {}),
    })
  ).to;
}

async function reverseOrderPoints(
  tx: Transaction<DB>,
  workspaceId: string,
  order: OrderRow,
  points: number,
  rules: LoyaltyRules,
  actor: string,
  at: Date,
) {
  const allocations = await takeFromLots(tx, workspaceId, order.customer_id, points, {
    at,
    ...(rules.clawback === 'order_lots' ? { onlyOrderId: order.id } : { preferOrderId: order.id }),
  });
  const taken = allocations.reduce((s, a) => s + a.points, 0);
  await postEntry(tx, workspaceId, order.customer_id, {
    kind: 'reverse',
    points: -taken,
    actor,
    reason: `order ${order.external_id} ${order.status === 'completed' ? 'partly refunded' : order.status}`,
    orderId: order.id,
    orderPoints: -points,
    detail: { requested: points, unrecovered: points - taken, clawback: rules.clawback },
    allocations,
  });
  return { reversed: taken, unrecovered: points - taken };
}

/** Runs syncOrderLoyaltyInTx for each order, one short transaction per order. */
export async function syncOrdersLoyalty(
  db: Kysely<DB>,
  workspaceId: string,
  orderIds: number[],
  options: { actor: string; at?: Date },
) {
  const rules = await loadRules(db, workspaceId);
  const outcomes: OrderLoyaltyOutcome[] = [];
  for (const orderId of orderIds)
    outcomes.push(await transact(db, (tx) => syncOrderLoyaltyInTx(tx, workspaceId, orderId, rules, options)));
  return outcomes;
}

/** The explicit earn call: by the client's order id. */
export async function syncOrderByExternalId(
  db: Kysely<DB>,
  workspaceId: string,
  externalId: string,
  options: { actor: string; at?: Date },
) {
  const { rows } = await sql<{
    id: number;
  }>`select id from customer_order where workspace_id = ${workspaceId} and external_id = ${externalId}`.execute(
    db,
  );
  if (!rows[0]) throw notFound(`order ${externalId}`);
  return (await syncOrdersLoyalty(db, workspaceId, [rows[0].id], options))[0]!;
}
