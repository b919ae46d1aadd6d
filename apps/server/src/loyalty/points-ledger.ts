// The points ledger. Every change is one append-only point_entry plus the matching change to the
// member's cached balance and to the lots, all in one transaction under the member's row lock
// (lockMember). Hence: balance = sum(entries) = sum(lot remainders), never negative, and two
// concurrent redemptions against one balance cannot both spend the same points. earnPoints and
// redeemPoints first try one statement that takes the lock itself (one-statement-points.ts) and
// fall back to the locked transaction when it cannot decide.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { appendDomainEvents } from '../domain-events/append.ts';
import { DomainError, invalid, notFound } from '../shared/domain-error.ts';
import { lockMember } from './members.ts';
import { earnInOneStatement, redeemInOneStatement, type SeenEntry } from './one-statement-points.ts';

export type EntryKind = 'earn' | 'redeem' | 'adjust' | 'expire' | 'reverse' | 'void' | 'merge';

export interface EntryResult {
  entryId: number;
  customerId: number;
  points: number;
  balance: number;
  /** True when the idempotency key had been used: nothing changed, the first result is returned. */
  replayed: boolean;
}

interface NewEntry {
  kind: EntryKind;
  points: number;
  actor: string;
  reason?: string | null;
  idempotencyKey?: string | null;
  orderId?: number | null;
  orderPoints?: number | null;
  voidsEntryId?: number | null;
  detail?: Record<string, unknown>;
  /** A lot to credit with the entry's points (earn, positive adjustment). */
  lot?: { earnedAt: Date; expiresAt: Date; orderId?: number | null };
  /** The lots the entry drew from (> 0) or returned points to (< 0). */
  allocations?: Allocation[];
}

/**
 * Writes one ledger entry, moves the cached balance, and credits its lot or records its lot
 * allocations, in one statement (one round trip); the caller holds the member lock. The balance
 * change is conditional (`balance + $d >= 0`, also a table constraint), so even a caller that
 * forgot the lock could not overdraw: the statement then changes nothing and this throws.
 */
export async function postEntry(
  tx: Transaction<DB>,
  workspaceId: string,
  customerId: number,
  entry: NewEntry,
): Promise<{ entryId: number; balance: number }> {
  const lot = entry.lot
    ? sql`, l as (insert into point_lot (workspace_id, customer_id, entry_id, order_id, earned, remaining, earned_at, expires_at)
        select ${workspaceId}::uuid, ${customerId}::bigint, e.id, ${entry.lot.orderId ?? null}::bigint, ${entry.points}::bigint,
          ${entry.points}::bigint, ${entry.lot.earnedAt}::timestamptz, ${entry.lot.expiresAt}::timestamptz from e)`
    : sql``;
  const allocations = entry.allocations?.length
    ? sql`, a as (insert into point_allocation (workspace_id, entry_id, lot_id, points)
        select ${workspaceId}::uuid, e.id, v.lot_id, v.points from e,
          (values ${sql.join(entry.allocations.map((x) => sql`(${x.lotId}::bigint, ${x.points}::bigint)`))}) as v (lot_id, points))`
    : sql``;
  // Data-modifying WITH clauses run exactly once whether or not the final select reads them.
  const { rows } = await sql<{ id: number; balance: number }>`
    with m as (
      update loyalty_member set balance = balance + ${entry.points}, updated_at = now()
      where workspace_id = ${workspaceId} and customer_id = ${customerId} and balance + ${entry.points} >= 0
      returning balance),
    e as (
      insert into point_entry (workspace_id, customer_id, kind, points, balance_after, order_id, order_points,
        voids_entry_id, idempotency_key, reason, actor, detail)
      select ${workspaceId}::uuid, ${customerId}::bigint, ${entry.kind}, ${entry.points}::bigint, m.balance,
        ${entry.orderId ?? null}::bigint, ${entry.orderPoints ?? null}::bigint, ${entry.voidsEntryId ?? null}::bigint,
        ${entry.idempotencyKey ?? null}, ${entry.reason ?? null}, ${entry.actor}, ${JSON.stringify(entry.detail ?? {})}::jsonb
      from m
      returning id, balance_after)
    ${lot} ${allocations}
    select id, balance_after as balance from e`.execute(tx);
  if (!rows[0]) throw new DomainError('conflict', 'not enough points');
  return { entryId: rows[0].id, balance: rows[0].balance };
}

/** The entry a key was used for, if any (call under the member lock). */
export async function entryByKey(
  tx: Transaction<DB> | Kysely<DB>,
  workspaceId: string,
  key: string,
): Promise<SeenEntry | undefined> {
  const { rows } = await sql<SeenEntry>`
    select id, customer_id, points, balance_after from point_entry
    where workspace_id = ${workspaceId} and idempotency_key = ${key}`.execute(tx);
  return rows[0];
}

/**
 * lockMember and entryByKey in one round trip for the common case (the member exists); falls
 * back to the two calls for a new member.
 */
async function lockMemberWithKey(
  tx: Transaction<DB>,
  workspaceId: string,
  customerId: number,
  key: string | undefined,
) {
  const { rows } = await sql<{
    seen_id: number | null;
    seen_customer: number | null;
    seen_points: number | null;
    seen_balance: number | null;
  }>`
    select e.id as seen_id, e.customer_id as seen_customer, e.points as seen_points, e.balance_after as seen_balance
    from loyalty_member m
      left join point_entry e on e.workspace_id = m.workspace_id and e.idempotency_key = ${key ?? null}
    where m.workspace_id = ${workspaceId} and m.customer_id = ${customerId}
    for update of m`.execute(tx);
  const row = rows[0];
  if (!row) {
    await lockMember(tx, workspaceId, customerId);
    return { seen: key ? await entryByKey(tx, workspaceId, key) : undefined };
  }
  return {
    seen:
      row.seen_id === null
        ? undefined
        : {
            id: row.seen_id,
            customer_id: row.seen_customer!,
            points: row.seen_points!,
            balance_after: row.seen_balance!,
          },
  };
}

export function addMonths(at: Date, months: number): Date {
  const d = new Date(at);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

export interface Allocation {
  lotId: number;
  points: number;
}

interface OpenLot {
  id: number;
  remaining: number;
  expires_at: Date;
  order_id: number | null;
}

async function openLots(tx: Transaction<DB>, workspaceId: string, customerId: number): Promise<OpenLot[]> {
  const { rows } = await sql<OpenLot>`
    select id, remaining, expires_at, order_id from point_lot
    where workspace_id = ${workspaceId} and customer_id = ${customerId} and remaining > 0
    order by expires_at, id for update`.execute(tx);
  return rows;
}

/** Takes the allocated points off their lots, in one statement. */
async function applyToLots(
  tx: Transaction<DB>,
  workspaceId: string,
  allocations: Allocation[],
): Promise<void> {
  if (!allocations.length) return;
  await sql`update point_lot p set remaining = p.remaining - v.points
    from (values ${sql.join(allocations.map((a) => sql`(${a.lotId}::bigint, ${a.points}::bigint)`))}) as v (id, points)
    where p.workspace_id = ${workspaceId} and p.id = v.id`.execute(tx);
}

function allocate(lots: OpenLot[], points: number): Allocation[] {
  const taken: Allocation[] = [];
  let left = points;
  for (const lot of lots) {
    if (left <= 0) break;
    const take = Math.min(left, lot.remaining);
    taken.push({ lotId: lot.id, points: take });
    left -= take;
  }
  return taken;
}

/**
 * Takes up to `points` from the member's unexpired open lots, the soonest-expiring first (lots
 * of `preferOrderId` before all others; with `onlyOrderId`, only that order's lots). Returns what
 * it took; the caller holds the member lock and records the allocations with its entry.
 */
export async function takeFromLots(
  tx: Transaction<DB>,
  workspaceId: string,
  customerId: number,
  points: number,
  options: { at: Date; preferOrderId?: number; onlyOrderId?: number },
): Promise<Allocation[]> {
  const prefer = options.onlyOrderId ?? options.preferOrderId;
  const lots = (await openLots(tx, workspaceId, customerId))
    .filter(
      (l) =>
        l.expires_at > options.at &&
        (options.onlyOrderId === undefined || l.order_id === options.onlyOrderId),
    )
    // Stable sort: the preferred order's lots first, each group still soonest-expiring first.
    .sort(
      (a, b) =>
        Number(b.order_id === prefer && prefer !== undefined) -
        Number(a.order_id === prefer && prefer !== undefined),
    );
  const taken = allocate(lots, points);
  await applyToLots(tx, workspaceId, taken);
  return taken;
}

/** Expires the given due lots with one `expire` entry; the caller holds the member lock. */
async function expireLots(
  tx: Transaction<DB>,
  workspaceId: string,
  customerId: number,
  due: OpenLot[],
  at: Date,
  actor: string,
): Promise<number> {
  const total = due.reduce((sum, r) => sum + r.remaining, 0);
  if (!total) return 0;
  const allocations = due.map((r) => ({ lotId: r.id, points: r.remaining }));
  await applyToLots(tx, workspaceId, allocations);
  const { entryId, balance } = await postEntry(tx, workspaceId, customerId, {
    kind: 'expire',
    points: -total,
    actor,
    reason: 'lot expired',
    allocations,
  });
  await appendDomainEvents(tx, workspaceId, [
    {
      type: 'loyalty.points_expired',
      customerId,
      occurredAt: at,
      dedupeKey: `loyalty:points_expired:entry:${entryId}`,
      payload: { entryId, points: total, balance },
    },
  ]);
  return total;
}

/**
 * Expires the member's lots whose expiry has passed (under the member lock). Redemption does the
 * same first, so an expired lot is never spent even when the expiry job has not run yet.
 */
export async function expireMemberLots(
  tx: Transaction<DB>,
  workspaceId: string,
  customerId: number,
  at: Date,
  actor = 'system:expiry',
): Promise<number> {
  const due = (await openLots(tx, workspaceId, customerId)).filter((l) => l.expires_at <= at);
  return expireLots(tx, workspaceId, customerId, due, at, actor);
}

export interface EarnInput {
  customerId: number;
  points: number;
  actor: string;
  reason?: string;
  idempotencyKey?: string;
  orderId?: number;
  earnedAt?: Date;
  validityMonths: number;
  detail?: Record<string, unknown>;
}

/** Credits points in a new lot, once per idempotency key; the caller holds the member lock. */
export async function earnInTx(
  tx: Transaction<DB>,
  workspaceId: string,
  input: EarnInput,
  checked?: { seen: SeenEntry | undefined },
): Promise<EntryResult> {
  if (!Number.isInteger(input.points) || input.points <= 0)
    throw invalid([{ path: 'points', message: 'must be a positive integer' }]);
  const seen = checked
    ? checked.seen
    : input.idempotencyKey
      ? await entryByKey(tx, workspaceId, input.idempotencyKey)
      : undefined;
  if (seen) return replay(seen, input.customerId);
  const earnedAt = input.earnedAt ?? new Date();
  const { entryId, balance } = await postEntry(tx, workspaceId, input.customerId, {
    kind: 'earn',
    points: input.points,
    actor: input.actor,
    reason: input.reason ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    orderId: input.orderId ?? null,
    orderPoints: input.orderId ? input.points : null,
    ...(input.detail ? { detail: input.detail } : {}),
    lot: { earnedAt, expiresAt: addMonths(earnedAt, input.validityMonths), orderId: input.orderId ?? null },
  });
  return { entryId, customerId: input.customerId, points: input.points, balance, replayed: false };
}

function replay(seen: SeenEntry, customerId: number): EntryResult {
  if (seen.customer_id !== customerId)
    throw new DomainError('conflict', 'this idempotency key was already used for another customer');
  return { entryId: seen.id, customerId, points: seen.points, balance: seen.balance_after, replayed: true };
}

function notEnoughPoints(has: number, needs: number): DomainError {
  return new DomainError('conflict', `not enough points (has ${has}, needs ${needs})`);
}

export interface RedeemInput {
  customerId: number;
  points: number;
  actor: string;
  idempotencyKey: string;
  reason?: string;
  storeCode?: string;
  at?: Date;
}

/** Spends points, oldest-expiring lots first; the caller holds the member lock. */
export async function redeemInTx(
  tx: Transaction<DB>,
  workspaceId: string,
  input: RedeemInput,
  checked?: { seen: SeenEntry | undefined },
): Promise<EntryResult> {
  if (!Number.isInteger(input.points) || input.points <= 0)
    throw invalid([{ path: 'points', message: 'must be a positive integer' }]);
  const seen = checked ? checked.seen : await entryByKey(tx, workspaceId, input.idempotencyKey);
  if (seen) return replay(seen, input.customerId);
  const at = input.at ?? new Date();
  const lots = await openLots(tx, workspaceId, input.customerId);
  const due = lots.filter((l) => l.expires_at <= at);
  if (due.length) await expireLots(tx, workspaceId, input.customerId, due, at, 'system:expiry');
  const allocations = allocate(
    lots.filter((l) => l.expires_at > at),
    input.points,
  );
  const taken = allocations.reduce((sum, a) => sum + a.points, 0);
  if (taken < input.points) throw notEnoughPoints(taken, input.points);
  await applyToLots(tx, workspaceId, allocations);
  const { entryId, balance } = await postEntry(tx, workspaceId, input.customerId, {
    kind: 'redeem',
    points: -input.points,
    actor: input.actor,
    reason: input.reason ?? null,
    idempotencyKey: input.idempotencyKey,
    detail: input.storeCode ? { storeCode: input.storeCode } : {},
    allocations,
  });
  return { entryId, customerId: input.customerId, points: -input.points, balance, replayed: false };
}

/**
 * Credits points in a new lot, once per idempotency key. One statement (one round trip) when the
 * customer is already a member; else, or after losing a race on the key, the locked path.
 */
export async function earnPoints(
  db: Kysely<DB>,
  workspaceId: string,
  input: EarnInput,
): Promise<EntryResult> {
  if (!Number.isInteger(input.points) || input.points <= 0)
    throw invalid([{ path: 'points', message: 'must be a positive integer' }]);
  const earnedAt = input.earnedAt ?? new Date();
  const outcome = await earnInOneStatement(db, workspaceId, {
    customerId: input.customerId,
    points: input.points,
    actor: input.actor,
    reason: input.reason ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    orderId: input.orderId ?? null,
    detail: input.detail ?? {},
    earnedAt,
    expiresAt: addMonths(earnedAt, input.validityMonths),
  });
  if (outcome.kind === 'done') {
    const { entryId, balance } = outcome;
    return { entryId, customerId: input.customerId, points: input.points, balance, replayed: false };
  }
  if (outcome.kind === 'seen') return replay(outcome.seen, input.customerId);
  return transact(db, async (tx) =>
    earnInTx(
      tx,
      workspaceId,
      { ...input, earnedAt },
      await lockMemberWithKey(tx, workspaceId, input.customerId, input.idempotencyKey),
    ),
  );
}

/**
 * Spends points, soonest-expiring lots first, once per idempotency key. One statement (one round
 * trip) in the common case; when a lot is due to expire, the customer is not a member yet, or a
 * concurrent change to the member won the race, the locked path (which expires due lots first).
 */
export async function redeemPoints(
  db: Kysely<DB>,
  workspaceId: string,
  input: RedeemInput,
): Promise<EntryResult> {
  if (!Number.isInteger(input.points) || input.points <= 0)
    throw invalid([{ path: 'points', message: 'must be a positive integer' }]);
  const at = input.at ?? new Date();
  const outcome = await redeemInOneStatement(db, workspaceId, {
    customerId: input.customerId,
    points: input.points,
    actor: input.actor,
    reason: input.reason ?? null,
    idempotencyKey: input.idempotencyKey,
    detail: input.storeCode ? { storeCode: input.storeCode } : {},
    at,
  });
  switch (outcome.kind) {
    case 'done': {
      const { entryId, balance } = outcome;
      return { entryId, customerId: input.customerId, points: -input.points, balance, replayed: false };
    }
    case 'seen':
      return replay(outcome.seen, input.customerId);
    case 'short':
      throw notEnoughPoints(outcome.balance, input.points);
    case 'locked_path':
      return transact(db, async (tx) =>
        redeemInTx(
          tx,
          workspaceId,
          { ...input, at },
          await lockMemberWithKey(tx, workspaceId, input.customerId, input.idempotencyKey),
        ),
      );
  }
}

/**
 * A manual adjustment by a staff member, with a reason. A positive one credits a new lot; a
 * negative one takes from the oldest lots and cannot take the balance below zero.
 */
export async function adjustPoints(
  db: Kysely<DB>,
  workspaceId: string,
  input: {
    customerId: number;
    points: number;
    reason: string;
    staff: string;
    actor: string;
    idempotencyKey?: string;
    validityMonths: number;
    at?: Date;
  },
): Promise<EntryResult> {
  if (!Number.isInteger(input.points) || input.points === 0)
    throw invalid([{ path: 'points', message: 'must be a non-zero integer' }]);
  if (!input.reason.trim()) throw invalid([{ path: 'reason', message: 'is required' }]);
  if (!input.staff.trim()) throw invalid([{ path: 'staff', message: 'is required' }]);
  return transact(db, async (tx) => {
    await lockMember(tx, workspaceId, input.customerId);
    if (input.idempotencyKey) {
      const seen = await entryByKey(tx, workspaceId, input.idempotencyKey);
      if (seen) return replay(seen, input.customerId);
    }
    const at = input.at ?? new Date();
    let allocations: Allocation[] = [];
    if (input.points < 0) {
      await expireMemberLots(tx, workspaceId, input.customerId, at);
      allocations = await takeFromLots(tx, workspaceId, input.customerId, -input.points, { at });
      const taken = allocations.reduce((sum, a) => sum + a.points, 0);
      if (taken < -input.points)
        throw new DomainError('conflict', `not enough points to deduct (has ${taken})`);
    }
    const { entryId, balance } = await postEntry(tx, workspaceId, input.customerId, {
      kind: 'adjust',
      points: input.points,
      actor: input.actor,
      reason: input.reason,
      idempotencyKey: input.idempotencyKey ?? null,
      detail: { staff: input.staff },
      ...(input.points > 0
        ? { lot: { earnedAt: at, expiresAt: addMonths(at, input.validityMonths) } }
        : { allocations }),
    });
    return { entryId, customerId: input.customerId, points: input.points, balance, replayed: false };
  });
}

/** Voids a redemption (a till mistake, a returned purchase): its points go back to the same lots. */
export async function voidRedemption(
  db: Kysely<DB>,
  workspaceId: string,
  input: { entryId: number; reason: string; actor: string },
): Promise<EntryResult> {
  return transact(db, async (tx) => {
    // The points go back to the lots the redemption drew from, which a merge may since have
    // moved to the survivor: the void is posted to whoever holds the customer's loyalty now.
    const { rows } = await sql<{ customer_id: number; kind: string; points: number }>`
      select coalesce(c.merged_into_id, e.customer_id) as customer_id, e.kind, e.points from point_entry e
        join customer c on c.workspace_id = e.workspace_id and c.id = e.customer_id
      where e.workspace_id = ${workspaceId} and e.id = ${input.entryId}`.execute(tx);
    const original = rows[0];
    if (original?.kind !== 'redeem') throw notFound(`redemption ${input.entryId}`);
    await lockMember(tx, workspaceId, original.customer_id);
    const voided = await sql<{ id: number }>`select id from point_entry
      where workspace_id = ${workspaceId} and voids_entry_id = ${input.entryId}`.execute(tx);
    if (voided.rows.length)
      throw new DomainError('conflict', `redemption ${input.entryId} is already voided`);
    const allocations = await sql<{
      lot_id: number;
      points: number;
    }>`select lot_id, points from point_allocation
      where workspace_id = ${workspaceId} and entry_id = ${input.entryId}`.execute(tx);
    const restored = allocations.rows.map((a) => ({ lotId: a.lot_id, points: -a.points }));
    await applyToLots(tx, workspaceId, restored);
    const { entryId, balance } = await postEntry(tx, workspaceId, original.customer_id, {
      kind: 'void',
      points: -original.points,
      actor: input.actor,
      reason: input.reason,
      voidsEntryId: input.entryId,
      allocations: restored,
    });
    return { entryId, customerId: original.customer_id, points: -original.points, balance, replayed: false };
  });
}

export interface LedgerEntry {
  id: number;
  kind: EntryKind;
  points: number;
  balance_after: number;
  order_id: number | null;
  reason: string | null;
  actor: string;
  detail: Record<string, unknown>;
  created_at: Date;
}

export async function listLedger(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  limit = 100,
): Promise<LedgerEntry[]> {
  const { rows } = await sql<LedgerEntry>`
    select id, kind, points, balance_after, order_id, reason, actor, detail, created_at from point_entry
    where workspace_id = ${workspaceId} and customer_id = ${customerId} order by id desc limit ${limit}`.execute(
    db,
  );
  return rows;
}

/** Open lots, soonest-expiring first. */
export async function listLots(db: Kysely<DB> | Transaction<DB>, workspaceId: string, customerId: number) {
  const { rows } = await sql<{
    id: number;
    earned: number;
    remaining: number;
    earned_at: Date;
    expires_at: Date;
    order_id: number | null;
  }>`
    select id, earned, remaining, earned_at, expires_at, order_id from point_lot
    where workspace_id = ${workspaceId} and customer_id = ${customerId} and remaining > 0
    order by expires_at, id`.execute(db);
  return rows;
}
