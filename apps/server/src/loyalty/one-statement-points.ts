// Earn and redeem in one statement each: one round trip, autocommitted, no BEGIN/COMMIT. The
// statement's data-modifying WITH clauses take the member's row lock (the UPDATE of
// loyalty_member), check the idempotency key, and write the ledger entry with its lot or its lot
// allocations; PostgreSQL applies all of it or none of it.
//
// The hazard is the snapshot. In READ COMMITTED a statement reads with the snapshot taken when it
// started, before it waited for the member's row lock; only the locked row itself is re-read at
// its newest version. So:
// - earn reads nothing that can go stale: the balance update (`balance = balance + $d`) is
//   applied to the newest row, and a key a concurrent transaction commits meanwhile surfaces as a
//   unique violation on point_entry, which sends the caller to the locked path (a replay);
// - redeem reads the lots. It only writes when the member row it locks is the very version its
//   snapshot saw (`xmin` unchanged): every change to a member's lots also updates that row in the
//   same transaction (postEntry), so an unchanged row proves the snapshot's lots are current.
//   Otherwise it changes nothing and the caller takes the member lock in a transaction instead.
// Whatever this file cannot decide it answers with `locked_path`; the callers in points-ledger.ts
// then run the transactional path, which holds the lock before it reads anything.
// Both statements are prepared (db/prepared-statements.ts): as text, PostgreSQL spent more CPU
// parsing and planning them than running them. Their text must therefore stay fixed: values go in
// as parameters, never as optional fragments.
import { type Kysely, sql } from 'kysely';
import { prepared } from '../db/prepared-statements.ts';
import type { DB } from '../db/schema.ts';
import { pgErrorCode, UNIQUE_VIOLATION } from '../shared/domain-error.ts';

/** The entry an idempotency key was first used for. */
export interface SeenEntry {
  id: number;
  customer_id: number;
  points: number;
  balance_after: number;
}

export type OneStatementOutcome =
  | { kind: 'done'; entryId: number; balance: number }
  | { kind: 'seen'; seen: SeenEntry }
  /** Redeem only: the member's balance (no lot due to expire) is below what was asked. */
  | { kind: 'short'; balance: number }
  /** Not a member yet, a lot due to expire, a race lost or a deadlock: take the lock instead. */
  | { kind: 'locked_path' };

export interface OneStatementEarn {
  customerId: number;
  points: number;
  actor: string;
  reason: string | null;
  idempotencyKey: string | null;
  orderId: number | null;
  detail: Record<string, unknown>;
  earnedAt: Date;
  expiresAt: Date;
}

export interface OneStatementRedeem {
  customerId: number;
  points: number;
  actor: string;
  reason: string | null;
  idempotencyKey: string;
  detail: Record<string, unknown>;
  at: Date;
}

interface OutcomeRow {
  entry_id: number | null;
  balance_after: number | null;
  seen_id: number | null;
  seen_customer: number | null;
  seen_points: number | null;
  seen_balance: number | null;
  /** Redeem only: the snapshot's balance and whether a lot is due to expire. */
  balance?: number;
  due?: boolean;
}

// Losing a race on the idempotency key, a deadlock or a serialisation failure leaves nothing
// written (the statement is atomic); the locked path then sees the winner's entry.
const LOCKED_PATH_CODES = new Set([UNIQUE_VIOLATION, '40P01', '40001']);

async function run(query: () => Promise<OutcomeRow | undefined>): Promise<OutcomeRow | undefined | null> {
  try {
    return await query();
  } catch (error) {
    if (LOCKED_PATH_CODES.has(pgErrorCode(error) ?? '')) return null;
    throw error;
  }
}

function outcomeOf(row: OutcomeRow): OneStatementOutcome | undefined {
  if (row.entry_id !== null) return { kind: 'done', entryId: row.entry_id, balance: row.balance_after! };
  if (row.seen_id !== null)
    return {
      kind: 'seen',
      seen: {
        id: row.seen_id,
        customer_id: row.seen_customer!,
        points: row.seen_points!,
        balance_after: row.seen_balance!,
      },
    };
  return undefined;
}

/** Credits points in a new lot, once per idempotency key, in one statement. */
export async function earnInOneStatement(
  db: Kysely<DB>,
  workspaceId: string,
  input: OneStatementEarn,
): Promise<OneStatementOutcome> {
  const row = await run(async () => (await earnStatement(workspaceId, input).execute(db)).rows[0]);
  // Neither written nor seen: the customer is not a member yet (the locked path enrols them).
  return (row && outcomeOf(row)) ?? { kind: 'locked_path' };
}

/** The earn statement (exported for EXPLAIN in bench/loyalty). */
export function earnStatement(workspaceId: string, input: OneStatementEarn) {
  return prepared(
    'loyalty.earn',
    sql<OutcomeRow>`
      with seen as (
        select id, customer_id, points, balance_after from point_entry
        where workspace_id = ${workspaceId} and idempotency_key = ${input.idempotencyKey}::text),
      m as (
        update loyalty_member set balance = balance + ${input.points}::bigint, updated_at = now()
        where workspace_id = ${workspaceId} and customer_id = ${input.customerId}::bigint
          and not exists (select 1 from seen)
        returning balance),
      e as (
        insert into point_entry (workspace_id, customer_id, kind, points, balance_after, order_id, order_points,
          idempotency_key, reason, actor, detail)
        select ${workspaceId}::uuid, ${input.customerId}::bigint, 'earn', ${input.points}::bigint, m.balance,
          ${input.orderId}::bigint, ${input.orderId === null ? null : input.points}::bigint,
          ${input.idempotencyKey}::text, ${input.reason}::text, ${input.actor}, ${JSON.stringify(input.detail)}::jsonb
        from m
        returning id, balance_after),
      l as (
        insert into point_lot (workspace_id, customer_id, entry_id, order_id, earned, remaining, earned_at, expires_at)
        select ${workspaceId}::uuid, ${input.customerId}::bigint, e.id, ${input.orderId}::bigint,
          ${input.points}::bigint, ${input.points}::bigint, ${input.earnedAt}::timestamptz, ${input.expiresAt}::timestamptz
        from e)
      select e.id as entry_id, e.balance_after, k.id as seen_id, k.customer_id as seen_customer,
        k.points as seen_points, k.balance_after as seen_balance
      from (select 1) as one left join e on true left join seen k on true`,
  );
}

/**
 * Spends points from the member's unexpired lots, soonest-expiring first, once per idempotency
 * key, in one statement. Writes only when no lot is due to expire (the locked path expires them
 * first, with their entry and event) and the member row is unchanged since the snapshot.
 */
export async function redeemInOneStatement(
  db: Kysely<DB>,
  workspaceId: string,
  input: OneStatementRedeem,
): Promise<OneStatementOutcome> {
  const row = await run(async () => (await redeemStatement(workspaceId, input).execute(db)).rows[0]);
  if (!row) return { kind: 'locked_path' };
  const decided = outcomeOf(row);
  if (decided) return decided;
  // With no lot due, the balance is what the unexpired lots hold: too little is a final answer.
  if (!row.due && row.balance! < input.points) return { kind: 'short', balance: row.balance! };
  return { kind: 'locked_path' };
}

/** The redeem statement (exported for EXPLAIN in bench/loyalty). */
export function redeemStatement(workspaceId: string, input: OneStatementRedeem) {
  const p = input.points;
  return prepared(
    'loyalty.redeem',
    sql<OutcomeRow>`
      with lots as (
        select id, remaining, expires_at <= ${input.at}::timestamptz as due,
          (sum(remaining) over (order by expires_at, id))::bigint as upto
        from point_lot
        where workspace_id = ${workspaceId} and customer_id = ${input.customerId}::bigint and remaining > 0),
      s as (
        select m.balance, m.xmin as version, exists (select 1 from lots where due) as due
        from loyalty_member m where m.workspace_id = ${workspaceId} and m.customer_id = ${input.customerId}::bigint),
      seen as (
        select id, customer_id, points, balance_after from point_entry
        where workspace_id = ${workspaceId} and idempotency_key = ${input.idempotencyKey}::text),
      -- Due lots sort first; with one, nothing is written, so the running sum counts unexpired lots.
      alloc as (
        select id as lot_id, least(remaining, ${p}::bigint - (upto - remaining)) as points from lots
        where upto - remaining < ${p}::bigint),
      m as (
        update loyalty_member t set balance = t.balance - ${p}::bigint, updated_at = now()
        from s
        where t.workspace_id = ${workspaceId} and t.customer_id = ${input.customerId}::bigint
          and t.xmin = s.version and not s.due and t.balance >= ${p}::bigint
          and not exists (select 1 from seen)
          and (select coalesce(sum(points), 0) from alloc) = ${p}::bigint
        returning t.balance),
      u as (
        update point_lot l set remaining = l.remaining - a.points from alloc a, m
        where l.workspace_id = ${workspaceId} and l.id = a.lot_id),
      e as (
        insert into point_entry (workspace_id, customer_id, kind, points, balance_after, idempotency_key, reason,
          actor, detail)
        select ${workspaceId}::uuid, ${input.customerId}::bigint, 'redeem', ${-p}::bigint, m.balance,
          ${input.idempotencyKey}::text, ${input.reason}::text, ${input.actor}, ${JSON.stringify(input.detail)}::jsonb
        from m
        returning id, balance_after),
      a as (
        insert into point_allocation (workspace_id, entry_id, lot_id, points)
        select ${workspaceId}::uuid, e.id, alloc.lot_id, alloc.points from e, alloc)
      select s.balance, s.due, e.id as entry_id, e.balance_after, k.id as seen_id,
        k.customer_id as seen_customer, k.points as seen_points, k.balance_after as seen_balance
      from s left join e on true left join seen k on true`,
  );
}
