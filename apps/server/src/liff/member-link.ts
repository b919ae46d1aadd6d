// Account link from the member side (POST /v1/liff/me/link): a customer who already has a shop
// account (a member number the shop imported, `external`/`member_no`, or a Kizuna membership
// card number) proves it is theirs with the last four digits of its phone number or its email,
// and the shop's record and the LINE member's record become one customer through the same merge
// as LINE's own account link (customers/merge-customers.ts): orders, points, visits and consent
// history all stay with the survivor, and the member session follows it.
import { type Kysely, sql, type Transaction } from 'kysely';
import { liveCustomerId } from '../customers/get-customer.ts';
import { normaliseEmail } from '../customers/identities.ts';
import { mergeCustomers } from '../customers/merge-customers.ts';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import { DomainError, invalid } from '../shared/domain-error.ts';
import { assertLinkAttemptsLeft, type LinkAttemptKey, recordLinkAttempt } from './member-link-attempts.ts';
import type { MemberPrincipal } from './member-sessions.ts';

export interface LinkInput {
  memberNo: string;
  phoneLast4?: string | undefined;
  email?: string | undefined;
}

export interface LinkOutcome {
  /** `linked`: the two records are now one; `already_linked`: they were one already. */
  status: 'linked' | 'already_linked';
  customerId: number;
}

type Proof = { kind: 'phone'; last4: string } | { kind: 'email'; email: string };

// One answer for an unknown number, a wrong proof and a number without that proof: the caller
// learns only that this pair does not match.
const notMatched = () =>
  new DomainError(
    'invalid',
    'memberNo: the member number and the phone number or email do not match an account of this shop',
    [{ path: 'memberNo', message: 'does not match an account with this proof' }],
    { reason: 'link_not_matched' },
  );

function parseInput(input: LinkInput): { memberNo: string; proof: Proof } {
  const memberNo = input.memberNo.normalize('NFKC').trim();
  if (!memberNo) throw invalid([{ path: 'memberNo', message: 'is required' }]);
  if ((input.phoneLast4 === undefined) === (input.email === undefined))
    throw invalid([{ path: 'phoneLast4', message: 'give either phoneLast4 or email (one of them)' }]);
  if (input.phoneLast4 !== undefined) {
    const last4 = input.phoneLast4.normalize('NFKC').trim();
    if (!/^[0-9]{4}$/.test(last4))
      throw invalid([{ path: 'phoneLast4', message: 'must be the last 4 digits of the phone number' }]);
    return { memberNo, proof: { kind: 'phone', last4 } };
  }
  const email = normaliseEmail(input.email ?? '');
  if (!email) throw invalid([{ path: 'email', message: 'is not an email address' }]);
  return { memberNo, proof: { kind: 'email', email } };
}

/** Live customers of the workspace behind a member number: the shop's own or Kizuna's card number. */
async function customersByMemberNo(tx: Transaction<DB>, workspaceId: string, memberNo: string) {
  const { rows } = await sql<{ customer_id: number }>`
    select customer_id from customer_identity
    where workspace_id = ${workspaceId} and kind = 'external' and namespace = 'member_no' and value = ${memberNo}
    union
    select customer_id from loyalty_member where workspace_id = ${workspaceId} and member_no = ${memberNo}`.execute(
    tx,
  );
  const live = await Promise.all(rows.map((r) => liveCustomerId(tx, workspaceId, Number(r.customer_id))));
  return [...new Set(live.filter((id) => id !== undefined))].sort((a, b) => a - b);
}

async function holdsProof(tx: Transaction<DB>, workspaceId: string, customerId: number, proof: Proof) {
  const query = tx
    .selectFrom('customer_identity')
    .select('value')
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', customerId);
  const rows =
    proof.kind === 'phone'
      ? await query.where('kind', '=', 'phone').execute()
      : await query.where('kind', '=', 'email').where('value', '=', proof.email).execute();
  return proof.kind === 'email' ? rows.length > 0 : rows.some((r) => r.value.endsWith(proof.last4));
}

/** The LINE user ids a customer holds (a shop account already linked to someone's LINE). */
async function lineUserIds(tx: Transaction<DB>, workspaceId: string, customerId: number) {
  const rows = await tx
    .selectFrom('customer_identity')
    .select('value')
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', customerId)
    .where('kind', '=', 'line')
    .execute();
  return rows.map((r) => r.value);
}

/**
 * Links the member's LINE record with the shop account the member number and proof name, or
 * refuses with one message whether the number is unknown, another workspace's or the proof wrong.
 * Failed attempts are limited (member-link-attempts.ts) and recorded even though the call fails.
 */
export async function linkMemberAccount(
  db: Kysely<DB>,
  member: MemberPrincipal,
  input: LinkInput,
  now: Date,
  publish: Publish | undefined,
): Promise<LinkOutcome> {
  const { memberNo, proof } = parseInput(input);
  const key: LinkAttemptKey = {
    workspaceId: member.workspaceId,
    lineUserId: member.lineUserId,
    memberNoKey: memberNo,
  };
  const outcome = await transact(db, async (tx): Promise<LinkOutcome | undefined> => {
    await assertLinkAttemptsLeft(tx, key, now);
    const { workspaceId } = member;
    let target: number | undefined;
    for (const id of await customersByMemberNo(tx, workspaceId, memberNo))
      if (await holdsProof(tx, workspaceId, id, proof)) target = id;
    if (target === undefined) {
      // Committed with the transaction, so the failure counts though the call answers 400.
      await recordLinkAttempt(tx, key, now, false);
      return undefined;
    }
    const self = await liveCustomerId(tx, workspaceId, member.customerId);
    if (self === undefined) throw new DomainError('unauthenticated', 'the member record no longer exists');
    await recordLinkAttempt(tx, key, now, true);
    if (target === self) return { status: 'already_linked', customerId: self };
    const others = (await lineUserIds(tx, workspaceId, target)).filter((id) => id !== member.lineUserId);
    if (others.length)
      throw new DomainError(
        'conflict',
        'memberNo: this account is already linked to another LINE account; ask the shop to unlink it',
        [{ path: 'memberNo', message: 'linked to another LINE account' }],
        { reason: 'linked_to_other_line' },
      );
    const identity = { kind: 'line' as const, namespace: '', value: member.lineUserId };
    const { survivorId, mergedIds } = await mergeCustomers(tx, workspaceId, [target, self], {
      identities: [identity],
      source: 'liff_account_link',
    });
    await tx
      .updateTable('line_friend')
      .set({ customer_id: survivorId })
      .where('workspace_id', '=', workspaceId)
      .where('line_user_id', '=', member.lineUserId)
      .execute();
    await publish?.(tx, 'customers.changed', { workspaceId, customerIds: [survivorId, ...mergedIds] });
    return { status: 'linked', customerId: survivorId };
  });
  if (!outcome) throw notMatched();
  return outcome;
}
