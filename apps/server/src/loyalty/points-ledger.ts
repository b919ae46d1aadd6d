// The points ledger. Every change is one append-only point_entry plus the matching change to the
// member's cached balance and to the lots, all in one transaction under the member's row lock
// (lockMember). Hence: balance = sum(entries) = sum(lot remainders), never negative, and two
// concurrent redemptions against one balance cannot both spend the same points.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { DomainError, invalid, notFound } from '../shared/domain-error.ts';
import { recordLoyaltyEvent } from './loyalty-events.ts';
import { lockMember } from './members.ts';

export type EntryKind = 'earn' | 'redeem' | 'adjust' | 'expire' | 'reverse' | 'void';

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
}

/** Writes one ledger entry and moves the cached balance; the caller holds the member lock. */
export async function postEntry(
  tx: Transaction<DB>,
  workspaceId: string,
  customerId: number,
  entry: NewEntry,
): Promise<{ entryId: number; balance: number }> {
  // Conditional: the balance check and the change are one statement (and balance >= 0 is also a
  // table constraint), so even a caller that forgot the lock could not overdraw.
  const updated = await sql<{ balance: number }>`
    update loyalty_member set balance = balance + ${entry.points}, updated_at = now()
    where workspace_id = ${workspaceId} and customer_id = ${customerId} and balance + ${entry.points} >= 0
    returning balance`.execute(tx);
  const balance = updated.rows[0]?.balance;
  if (balance === undefined) throw new DomainError('conflict', 'not enough points');
  const inserted = await sql<{ id: number }>`
    insert into point_entry (workspace_id, customer_id, kind, points, balance_after, order_id, order_points,
      voids_entry_id, idempotency_key, reason, actor, detail)
    values (${workspaceId}, ${customerId}, ${entry.kind}, ${entry.points}, ${balance}, ${entry.orderId ?? null},
      ${entry.orderPoints ?? null}, ${entry.voidsEntryId ?? null}, ${entry.idempotencyKey ?? null},
      ${entry.reason ?? null}, ${entry.actor}, ${JSON.stringify(entry.detail ?? {})}::jsonb)
    returning id`.execute(tx);
  return { entryId: inserted.rows[0]!.id, balance };
}

/** The entry a key was used for, if any (call under the member lock). */
export async function entryByKey(tx: Transaction<DB> | Kysely<DB>, workspaceId: string, key: string) {
  const { rows } = await sql<{ id: number; customer_id: number; points: number; balance_after: number }>`
    select id, customer_id, points, balance_after from point_entry
    where workspace_id = ${workspaceId} and idempotency_key = ${key}`.execute(tx);
  return rows[0];
}

export function addMonths(at: Date, months: number): Date {
  const d = new Date(at);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/** Credits `points` as a new lot; the caller holds the member lock. */
export async function creditLot(
  tx: Transaction<DB>,
  workspaceId: string,
  customerId: number,
  lot: { entryId: number; points: number; earnedAt: Date; expiresAt: Date; orderId?: number | null },
): Promise<void> {
  await sql`
    insert into point_lot (workspace_id, customer_id, entry_id, order_id, earned, remaining, earned_at, expires_at)
    values (${workspaceId}, ${customerId}, ${lot.entryId}, ${lot.orderId ?? null}, ${lot.points}, ${lot.points},
      ${lot.earnedAt}, ${lot.expiresAt})`.execute(tx);
}

export interface Allocation {
  lotId: number;
  points: number;
}

/**
 * Takes up to `points` from the member's open lots, the soonest-expiring first (lots of
 * `preferOrderId` before all others). Returns what it took; the caller holds the member lock.
 */
export async function takeFromLots(
  tx: Transaction<DB>,
  workspaceId: string,
  customerId: number,
  points: number,
  options: { at: Date; preferOrderId?: number; onlyOrderId?: number; includeExpired?: boolean },
): Promise<Allocation[]> {
  const prefer = options.preferOrderId ?? options.onlyOrderId ?? null;
  const { rows } = await sql<{ id: number; remaining: number }>`
    select id, remaining from point_lot
    where workspace_id = ${workspaceId} and customer_id = ${customerId} and remaining > 0
      and (${options.includeExpired ?? false} or expires_at > ${options.at})
      and (${options.onlyOrderId ?? null}::bigint is null or order_id = ${options.onlyOrderId ?? null})
    order by (order_id is not distinct from ${prefer}::bigint) desc, expires_at, id
    for update`.execute(tx);
  const taken: Allocation[] = [];
  let left = points;
  for (const lot of rows) {
    if (left <= 0) break;
    const take = Math.min(left, lot.remaining);
    await sql`update point_lot set remaining = remaining - ${take}
      where workspace_id = ${workspaceId} and id = ${lot.id}`.execute(tx);
    taken.push({ lotId: lot.id, points: take });
    left -= take;
  }
  return taken;
}

export async function recordAllocations(
  tx: Transaction<DB>,
  workspaceId: string,
  entryId: number,
  allocations: Allocation[],
): Promise<void> {
  if (!allocations.length) return;
  const rows = allocations.map(
    (a) => sql`(${workspaceId}::uuid, ${entryId}::bigint, ${a.lotId}::bigint, ${a.points}::bigint)`,
  );
  await sql`insert into point_allocation (workspace_id, entry_id, lot_id, points) values ${sql.join(rows)}`.execute(
    tx,
  );
}

/**
 * Expires the member's lots whose expiry has passed (under the member lock). Redemption calls it
 * first, so an expired lot is never spent even when the expiry job has not run yet.
 */
export async function expireMemberLots(
  tx: Transaction<DB>,
  workspaceId: string,
  customerId: number,
  at: Date,
  actor = 'system:expiry',
): Promise<number> {
  const { rows } = await sql<{ id: number; remaining: number; expires_at: Date }>`
    select id, remaining, expires_at from point_lot
    where workspace_id = ${workspaceId} and customer_id = ${customerId} and remaining > 0 and expires_at <= ${at}
    order by expires_at, id for update`.execute(tx);
  const total = rows.reduce((sum, r) => sum + r.remaining, 0);
  if (!total) return 0;
  for (const lot of rows)
    await sql`update point_lot set remaining = 0 where workspace_id = ${workspaceId} and id = ${lot.id}`.execute(
      tx,
    );
  const { entryId, balance } = await postEntry(tx, workspaceId, customerId, {
    kind: 'expire',
    points: -total,
    actor,
    reason: 'lot expired',
    detail: { lots: rows.map((r) => r.id) },
  });
  await recordAllocations(
    tx,
    workspaceId,
    entryId,
    rows.map((r) => ({ lotId: r.id, points: r.remaining })),
  );
  await recordLoyaltyEvent(
    tx,
    workspaceId,
    customerId,
    'points_expired',
    `entry:${entryId}`,
    {
      points: total,
      balance,
    },
    at,
  );
  return total;
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
): Promise<EntryResult> {
  if (!Number.isInteger(input.points) || input.points <= 0)
    throw invalid([{ path: 'points', message: 'must be a positive integer' }]);
  if (input.idempotencyKey) {
    const seen = await entryByKey(tx, workspaceId, input.idempotencyKey);
    if (seen) return replay(seen, input.customerId);
  }
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
  });
  await creditLot(tx, workspaceId, input.customerId, {
    entryId,
    points: input.points,
    earnedAt,
    expiresAt: addMonths(earnedAt, input.validityMonths),
    orderId: input.orderId ?? null,
  });
  return { entryId, customerId: input.customerId, points: input.points, balance, replayed: false };
}

function replay(
  seen: { id: number; customer_id: number; points: number; balance_after: number },
  customerId: number,
) {
  if (seen.customer_id !== customerId)
    throw new DomainError('conflict', 'this idempotency key was already used for another customer');
  return { entryId: seen.id, customerId, points: seen.points, balance: seen.balance_after, replayed: true };
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
): Promise<EntryResult> {
  if (!Number.isInteger(input.points) || input.points <= 0)
    throw invalid([{ path: 'points', message: 'must be a positive integer' }]);
  const seen = await entryByKey(tx, workspaceId, input.idempotencyKey);
  if (seen) return replay(seen, input.customerId);
  const at = input.at ?? new Date();
  await expireMemberLots(tx, workspaceId, input.customerId, at);
  const allocations = await takeFromLots(tx, workspaceId, input.customerId, input.points, { at });
  const taken = allocations.reduce((sum, a) => sum + a.points, 0);
  if (taken < input.points)
    throw new DomainError('conflict', `not enough points (has ${taken}, needs ${input.points})`);
  const { entryId, balance } = await postEntry(tx, workspaceId, input.customerId, {
    kind: 'redeem',
    points: -input.points,
    actor: input.actor,
    reason: input.reason ?? null,
    idempotencyKey: input.idempotencyKey,
    detail: input.storeCode ? { storeCode: input.storeCode } : {},
  });
  await recordAllocations(tx, workspaceId, entryId, allocations);
  return { entryId, customerId: input.customerId, points: -input.points, balance, replayed: false };
}

export async function earnPoints(
  db: Kysely<DB>,
  workspaceId: string,
  input: EarnInput,
): Promise<EntryResult> {
  return transact(db, async (tx) => {
    await lockMember(tx, workspaceId, input.customerId);
    return earnInTx(tx, workspaceId, input);
  });
}

export async function redeemPoints(
  db: Kysely<DB>,
  workspaceId: string,
  input: RedeemInput,
): Promise<EntryResult> {
  return transact(db, async (tx) => {
    await lockMember(tx, workspaceId, input.customerId);
    return redeemInTx(tx, workspaceId, input);
  });
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
    });
    if (input.points > 0)
      await creditLot(tx, workspaceId, input.customerId, {
        entryId,
        points: input.points,
        earnedAt: at,
        expiresAt: addMonths(at, input.validityMonths),
      });
    else await recordAllocations(tx, workspaceId, entryId, allocations);
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
    const { rows } = await sql<{ customer_id: number; kind: string; points: number }>`
      select customer_id, kind, points from point_entry where workspace_id = ${workspaceId} and id = ${input.entryId}`.execute(
      tx,
    );
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
    for (const a of allocations.rows)
      await sql`update point_lot set remaining = remaining + ${a.points}
        where workspace_id = ${workspaceId} and id = ${a.lot_id}`.execute(tx);
    const { entryId, balance } = await postEntry(tx, workspaceId, original.customer_id, {
      kind: 'void',
      points: -original.points,
      actor: input.actor,
      reason: input.reason,
      voidsEntryId: input.entryId,
    });
    await recordAllocations(
      tx,
      workspaceId,
      entryId,
      allocations.rows.map((a) => ({ lotId: a.lot_id, points: -a.points })),
    );
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
