// Set-based posting for the loyalty-orders job: the earns and tier changes of the orders synced in
// one transaction are collected and written together, two statements for the earns of the whole
// chunk and two for its tier changes, instead of a statement (or three) per order. The job's
// handler cost was one round trip per order; this is what made the queue fall behind ingest.
//
// The writes are the ones the per-order path makes, with the same rows, in the same order:
// - an earn is one point_entry ('earn', key `order:<id>:earn`), its lot and the member's balance
//   moved by its points; a member with several earns in the chunk gets entries in the order they
//   were added, each with the running balance after it (the final balance of the locked row less
//   the points of that member's later entries), so the ledger reads as if posted one by one;
// - a tier change is the member's tier update, its tier_change row and its `loyalty.tier_changed`
//   domain event, appended in the transaction like every domain event.
// Anything else (a reversal reads lots, a stamp or a coupon writes events of its own) is written
// by the per-order path, which calls flush() first: ledger entries and domain events keep the
// order the per-order path would give them. The caller holds every member's lock from before the
// first add to after the flush, and flushes before it commits.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { appendDomainEvents } from '../domain-events/append.ts';

export interface PendingEarn {
  customerId: number;
  points: number;
  orderId: number;
  idempotencyKey: string;
  reason: string;
  actor: string;
  detail: Record<string, unknown>;
  earnedAt: Date;
  expiresAt: Date;
}

export interface PendingTierChange {
  customerId: number;
  from: string | null;
  to: string;
  direction: 'up' | 'down';
  basis: 'spend' | 'points';
  value: number;
  reason: string;
  at: Date;
}

export class PendingPosts {
  readonly #workspaceId: string;
  #earns: PendingEarn[] = [];
  #tiers: PendingTierChange[] = [];

  constructor(workspaceId: string) {
    this.#workspaceId = workspaceId;
  }

  addEarn(earn: PendingEarn): void {
    this.#earns.push(earn);
  }

  /** A member's second tier change in one flush would make its update ambiguous: flush first. */
  async addTierChange(tx: Transaction<DB>, change: PendingTierChange): Promise<void> {
    if (this.#tiers.some((t) => t.customerId === change.customerId)) await this.flush(tx);
    this.#tiers.push(change);
  }

  /** Writes what was added since the last flush. */
  async flush(tx: Transaction<DB>): Promise<void> {
    const earns = this.#earns;
    const tiers = this.#tiers;
    this.#earns = [];
    this.#tiers = [];
    if (earns.length) await postEarns(tx, this.#workspaceId, earns);
    if (tiers.length) await recordTierChanges(tx, this.#workspaceId, tiers);
  }
}

/**
 * Posts the earns in one statement: the members' balances, the entries (in the order given) and
 * their lots. The caller holds the members' locks and has checked under them that no key is used
 * (a key used meanwhile is a unique violation, which rolls the transaction back).
 */
async function postEarns(tx: Transaction<DB>, workspaceId: string, earns: readonly PendingEarn[]) {
  // One JSON parameter, as appendDomainEvents does: the statement's text is the same for any chunk.
  const { rows } = await sql<{ entries: number }>`
    with d as (
      select (x->>'customerId')::bigint as customer_id, (x->>'points')::bigint as points,
        (x->>'orderId')::bigint as order_id, x->>'idempotencyKey' as idempotency_key, x->>'reason' as reason,
        x->>'actor' as actor, x->'detail' as detail, (x->>'earnedAt')::timestamptz as earned_at,
        (x->>'expiresAt')::timestamptz as expires_at, n
      from jsonb_array_elements(${JSON.stringify(earns)}::jsonb) with ordinality as t(x, n)),
    m as (
      update loyalty_member m set balance = m.balance + s.points, updated_at = now()
      from (select customer_id, sum(points) as points from d group by customer_id) s
      where m.workspace_id = ${workspaceId} and m.customer_id = s.customer_id
      returning m.customer_id, m.balance),
    e as (
      insert into point_entry (workspace_id, customer_id, kind, points, balance_after, order_id, order_points,
        idempotency_key, reason, actor, detail)
      select ${workspaceId}::uuid, d.customer_id, 'earn', d.points,
        m.balance - coalesce(sum(d.points) over (partition by d.customer_id order by d.n desc
          rows between unbounded preceding and 1 preceding), 0),
        d.order_id, d.points, d.idempotency_key, d.reason, d.actor, d.detail
      from d join m on m.customer_id = d.customer_id
      order by d.n
      returning id, idempotency_key),
    l as (
      insert into point_lot (workspace_id, customer_id, entry_id, order_id, earned, remaining, earned_at, expires_at)
      select ${workspaceId}::uuid, d.customer_id, e.id, d.order_id, d.points, d.points, d.earned_at, d.expires_at
      from e join d on d.idempotency_key = e.idempotency_key
      order by e.id)
    select count(*)::int as entries from e`.execute(tx);
  // Only a member row that is not there (the caller did not lock it) leaves an earn unwritten.
  if (rows[0]?.entries !== earns.length)
    throw new Error(
      `loyalty: posted ${rows[0]?.entries ?? 0} of ${earns.length} earns (a member row is missing)`,
    );
}

/**
 * Records tier changes, at most one per member: the members' tiers and the tier_change rows in one
 * statement, their `loyalty.tier_changed` events in another. The caller holds the members' locks.
 */
export async function recordTierChanges(
  tx: Transaction<DB>,
  workspaceId: string,
  changes: readonly PendingTierChange[],
): Promise<number[]> {
  const { rows } = await sql<{ id: number; customer_id: number }>`
    with d as (
      select (x->>'customerId')::bigint as customer_id, x->>'from' as from_tier, x->>'to' as to_tier,
        (x->>'value')::bigint as value, x->>'reason' as reason, (x->>'at')::timestamptz as at, n
      from jsonb_array_elements(${JSON.stringify(changes)}::jsonb) with ordinality as t(x, n)),
    m as (
      update loyalty_member m set tier_code = d.to_tier, tier_since = d.at, updated_at = now() from d
      where m.workspace_id = ${workspaceId} and m.customer_id = d.customer_id)
    insert into tier_change (workspace_id, customer_id, from_tier, to_tier, basis_value, reason)
    select ${workspaceId}::uuid, customer_id, from_tier, to_tier, value, reason from d order by n
    returning id, customer_id`.execute(tx);
  const ids = new Map(rows.map((r) => [Number(r.customer_id), r.id]));
  const tierChangeIds = changes.map((c) => ids.get(c.customerId)!);
  await appendDomainEvents(
    tx,
    workspaceId,
    changes.map((c, i) => ({
      type: 'loyalty.tier_changed' as const,
      customerId: c.customerId,
      occurredAt: c.at,
      dedupeKey: `loyalty:tier_changed:${tierChangeIds[i]}`,
      payload: {
        tierChangeId: tierChangeIds[i]!,
        from: c.from,
        to: c.to,
        direction: c.direction,
        basis: c.basis,
        value: Number(c.value),
      },
    })),
  );
  return tierChangeIds;
}
