// Loyalty members: the per-customer row that caches the balance and tier, carries the member
// number printed on the card, and is the lock every change to a member's loyalty state takes.
import { randomInt } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError, FOREIGN_KEY_VIOLATION, notFound, pgErrorCode } from '../shared/domain-error.ts';

export interface MemberRow {
  customer_id: number;
  member_no: string;
  balance: number;
  tier_code: string | null;
  tier_since: Date | null;
}

/** A 12-digit member number, random so that numbers reveal nothing about the member count. */
export function newMemberNo(): string {
  return (
    String(randomInt(1, 10)) +
    String(randomInt(0, 100_000)).padStart(5, '0') +
    String(randomInt(0, 1_000_000)).padStart(6, '0')
  );
}

/**
 * Makes the customer a member if they are not yet one, then locks their member row until the
 * transaction ends. Every change to points, stamps, coupons-by-customer or tier calls this first,
 * so a member's changes are serialised and the cached balance stays equal to the ledger's sum.
 * A member-number collision raises a unique violation, which `transact` retries.
 */
export async function lockMember(
  tx: Transaction<DB>,
  workspaceId: string,
  customerId: number,
): Promise<MemberRow> {
  const locked = await selectForUpdate(tx, workspaceId, customerId);
  if (locked) return locked;
  // Only a live customer is enrolled. A merge removes the merged-away record's member row (its
  // points move to the survivor), so a till that was waiting for that row's lock finds it gone
  // and lands here: enrolling the tombstone would put its points where no one can spend them.
  try {
    await sql`
      insert into loyalty_member (workspace_id, customer_id, member_no)
      select ${workspaceId}, id, ${newMemberNo()} from customer
      where workspace_id = ${workspaceId} and id = ${customerId} and merged_into_id is null
      on conflict (workspace_id, customer_id) do nothing`.execute(tx);
  } catch (error) {
    if (pgErrorCode(error) === FOREIGN_KEY_VIOLATION) throw notFound(`customer ${customerId}`);
    throw error;
  }
  const row = await selectForUpdate(tx, workspaceId, customerId);
  if (!row) throw await notEnrollable(tx, workspaceId, customerId);
  return row;
}

/** Why a customer cannot be made a member: unknown, or merged into another customer. */
async function notEnrollable(tx: Transaction<DB>, workspaceId: string, customerId: number) {
  const { rows } = await sql<{ merged_into_id: number | null }>`
    select merged_into_id from customer where workspace_id = ${workspaceId} and id = ${customerId}`.execute(
    tx,
  );
  const into = rows[0]?.merged_into_id;
  if (into === undefined || into === null) return notFound(`customer ${customerId}`);
  return new DomainError('conflict', `customer ${customerId} was merged into customer ${into}; use ${into}`);
}

/**
 * lockMember for several customers at once, in two statements: makes the missing members (of the
 * customers that exist) and locks the member rows in customer order, so that two callers locking
 * overlapping sets wait for each other instead of deadlocking. Returns the locked member rows by
 * customer id. A member-number collision raises a unique violation, which `transact` retries.
 */
export async function lockMembers(
  tx: Transaction<DB>,
  workspaceId: string,
  customerIds: readonly number[],
): Promise<Map<number, MemberRow>> {
  const ids = [...new Set(customerIds)].sort((a, b) => a - b);
  if (ids.length === 0) return new Map();
  await sql`insert into loyalty_member (workspace_id, customer_id, member_no)
    select ${workspaceId}, u.id, u.no from unnest(${ids}::bigint[], ${ids.map(() => newMemberNo())}::text[]) u(id, no)
    join customer c on c.workspace_id = ${workspaceId} and c.id = u.id and c.merged_into_id is null
    where not exists (select 1 from loyalty_member m where m.workspace_id = ${workspaceId} and m.customer_id = u.id)
    order by u.id
    on conflict (workspace_id, customer_id) do nothing`.execute(tx);
  const { rows } = await sql<MemberRow>`select customer_id, member_no, balance, tier_code, tier_since
    from loyalty_member where workspace_id = ${workspaceId} and customer_id = any(${ids}::bigint[])
    order by customer_id for update`.execute(tx);
  return new Map(rows.map((r) => [Number(r.customer_id), r]));
}

async function selectForUpdate(tx: Transaction<DB>, workspaceId: string, customerId: number) {
  const { rows } = await sql<MemberRow>`
    select customer_id, member_no, balance, tier_code, tier_since from loyalty_member
    where workspace_id = ${workspaceId} and customer_id = ${customerId} for update`.execute(tx);
  return rows[0];
}

/** The customer behind a member number, or undefined. */
export async function customerByMemberNo(
  db: Transaction<DB> | import('kysely').Kysely<DB>,
  workspaceId: string,
  memberNo: string,
): Promise<number | undefined> {
  const { rows } = await sql<{ customer_id: number }>`
    select customer_id from loyalty_member where workspace_id = ${workspaceId} and member_no = ${memberNo}`.execute(
    db,
  );
  return rows[0]?.customer_id;
}
