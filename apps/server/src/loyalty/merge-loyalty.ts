// Loyalty's rule for a customer merge: the survivor ends with everything the merged records held.
// - Points: the survivor's balance becomes the sum. The merged lots move with their own earned
//   and expiry dates and remainders, and each ledger records the merge (a `merge` entry out of
//   the merged member's ledger, one into the survivor's), so every ledger still sums to its
//   member's balance and to its lots. The merged member row is then removed: its member number
//   stops resolving, and nothing can be credited to the tombstone afterwards (lockMember refuses
//   to enrol a merged-away customer). The survivor keeps its own member number.
// - Coupons move as they are (unused stay usable, redeemed keep their history). A grant key the
//   survivor already holds for the same template is suffixed, since one key is one grant per
//   customer; the survivor's own grant keeps the key, so it is not granted again.
// - Stamp cards move. When both hold an active card of one template, the survivor's card takes
//   the merged card's stamps as if stamped there (completing it and starting the next card when
//   the goal is reached) without granting again the rewards the merged card already earned; the
//   merged card moves along with status `merged`.
// - Tier: re-evaluated from the merged totals with the tier rules, recorded as a tier_change
//   (reason `merge`) when it changes. Tier history and stamp entries stay where they were written
//   (append-only).
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { lockMember, type MemberRow } from './members.ts';
import { postEntry } from './points-ledger.ts';
import { loadRules } from './rules.ts';
import { addStampsInTx } from './stamp-cards.ts';
import { evaluateTierInTx } from './tiers.ts';

const ACTOR = 'system:merge';

/**
 * Moves the merged customers' loyalty state to the survivor, in the merge's transaction, after
 * the merged records were marked merged into it (merged_into_id: the points-based tier basis
 * follows it). Safe to run again: what has moved is not found on the merged records a second time.
 *
 * @example
 * await mergeLoyalty(tx, workspaceId, 12, [40, 41]); // 40 and 41 are merged into 12
 */
export async function mergeLoyalty(
  tx: Transaction<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
): Promise<void> {
  const others = [...new Set(mergedIds)].filter((id) => id !== survivorId);
  if (!others.length) return;
  const at = new Date();
  const members = await lockInCustomerOrder(tx, workspaceId, [survivorId, ...others]);
  if (!members.length) {
    // No member among them: a coupon or card needs a member (grants and stamps enrol), so there
    // is nothing to move, but the statements are cheap and keep the rule unconditional.
    await moveCoupons(tx, workspaceId, survivorId, others);
    return;
  }
  const merged = members.filter((m) => m.customer_id !== survivorId);
  const survivor =
    members.find((m) => m.customer_id === survivorId) ?? (await lockMember(tx, workspaceId, survivorId));
  for (const member of merged) await movePoints(tx, workspaceId, survivorId, member);
  await moveCoupons(tx, workspaceId, survivorId, others);
  await moveStampCards(tx, workspaceId, survivorId, others, at);
  const rules = await loadRules(tx, workspaceId);
  await evaluateTierInTx(tx, workspaceId, survivorId, rules, {
    at,
    reason: 'merge',
    actor: ACTOR,
    lockedMember: survivor,
  });
}

/**
 * Locks the member rows that exist, by ascending customer id: the order every multi-member lock
 * takes (lockMembers), so a till or an order sync on either customer waits for the merge or the
 * merge for it, and neither loses a change nor deadlocks.
 */
async function lockInCustomerOrder(tx: Transaction<DB>, workspaceId: string, ids: number[]) {
  const { rows } = await sql<MemberRow>`
    select customer_id, member_no, balance, tier_code, tier_since from loyalty_member
    where workspace_id = ${workspaceId} and customer_id = any(${ids}::bigint[])
    order by customer_id for update`.execute(tx);
  return rows.map((r) => ({ ...r, customer_id: Number(r.customer_id), balance: Number(r.balance) }));
}

async function movePoints(tx: Transaction<DB>, workspaceId: string, survivorId: number, member: MemberRow) {
  const mergedId = member.customer_id;
  const out = await postEntry(tx, workspaceId, mergedId, {
    kind: 'merge',
    points: -member.balance,
    actor: ACTOR,
    reason: `merged into customer ${survivorId}`,
    idempotencyKey: `merge:${mergedId}:out`,
    detail: { survivorId, memberNo: member.member_no },
  });
  const { rows: lots } = await sql<{ id: number }>`
    update point_lot set customer_id = ${survivorId}
    where workspace_id = ${workspaceId} and customer_id = ${mergedId} returning id`.execute(tx);
  await postEntry(tx, workspaceId, survivorId, {
    kind: 'merge',
    points: member.balance,
    actor: ACTOR,
    reason: `merged from customer ${mergedId}`,
    idempotencyKey: `merge:${mergedId}:in`,
    detail: {
      mergedId,
      memberNo: member.member_no,
      tier: member.tier_code,
      entryId: out.entryId,
      lots: lots.map((l) => Number(l.id)),
    },
  });
  await sql`delete from loyalty_member where workspace_id = ${workspaceId} and customer_id = ${mergedId}`.execute(
    tx,
  );
}

/** One merged customer at a time, so that a key two merged records share is seen on the second. */
async function moveCoupons(
  tx: Transaction<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
) {
  for (const mergedId of mergedIds)
    await sql`
      update coupon c set customer_id = ${survivorId},
        grant_key = case when exists (
            select 1 from coupon s where s.workspace_id = c.workspace_id and s.template_id = c.template_id
              and s.customer_id = ${survivorId} and s.grant_key = c.grant_key)
          then c.grant_key || ':merged-from:' || c.customer_id else c.grant_key end
      where c.workspace_id = ${workspaceId} and c.customer_id = ${mergedId}`.execute(tx);
}

async function moveStampCards(
  tx: Transaction<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
  at: Date,
) {
  const { rows: cards } = await sql<{ id: number; template_id: number; stamps: number; status: string }>`
    select id, template_id, stamps, status from stamp_card
    where workspace_id = ${workspaceId} and customer_id = any(${mergedIds}::bigint[]) order by id`.execute(
    tx,
  );
  for (const card of cards) {
    const { rows: held } = await sql`select 1 from stamp_card where workspace_id = ${workspaceId}
      and template_id = ${card.template_id} and customer_id = ${survivorId} and status = 'active'`.execute(
      tx,
    );
    const absorb = card.status === 'active' && held.length > 0;
    if (absorb && card.stamps > 0)
      await addStampsInTx(tx, workspaceId, {
        templateId: Number(card.template_id),
        customerId: survivorId,
        stamps: card.stamps,
        source: 'merge',
        actor: ACTOR,
        idempotencyKey: `merge:card:${card.id}`,
        at,
        carried: { rewardedUpTo: card.stamps },
      });
    const status = absorb ? sql`'merged', completed_at = ${at}` : sql`status`;
    await sql`update stamp_card set customer_id = ${survivorId}, status = ${status}
      where workspace_id = ${workspaceId} and id = ${card.id}`.execute(tx);
  }
}
