// Insert QR claims (同梱物): a member who scanned the QR on a packing slip proves the order is
// theirs (the order's email, or the last four digits of its phone) and is linked to the order's
// customer (merged when they are two records) and granted the workspace's insert coupon. Once per
// order, ever: the claim's primary key is the order, so a second scan, by the same member or by
// anyone else, is answered "already claimed" and grants nothing.
import { type Kysely, sql, type Transaction } from 'kysely';
import { linkKey } from '../clicks/link-token.ts';
import { liveCustomerId } from '../customers/get-customer.ts';
import { normaliseEmail } from '../customers/identities.ts';
import { mergeCustomers } from '../customers/merge-customers.ts';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import { grantCouponInTx } from '../loyalty/coupons.ts';
import { lockMember } from '../loyalty/members.ts';
import { DomainError, invalid, notFound } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { verifyInsertToken } from './insert-token.ts';
import type { MemberPrincipal } from './member-sessions.ts';

/** Wrong proofs allowed per order in a day: 4 digits are 10,000 guesses, so 5 a day is 0.05%. */
export const MAX_WRONG_PROOFS = 5;
const ATTEMPT_WINDOW_MS = 24 * 3_600_000;

export interface InsertClaimInput {
  token: string;
  email?: string | undefined;
  phoneLast4?: string | undefined;
}

export interface InsertClaim {
  status: 'claimed' | 'already_claimed';
  orderNumber: string;
  /** The coupon this claim granted; null when already claimed, none is configured, or refused. */
  coupon: { code: string; name: string; validUntil: string | null } | null;
  /** Why no coupon came with a claim (the template's limits), else null. */
  couponRefused: string | null;
}

type Outcome = InsertClaim | { wrongProof: number };

const NOT_OURS = 'is not an insert QR code of this shop (scan the code on the packing slip again)';

/** The order's proofs: its customer's email addresses and the last 4 digits of its phones. */
async function proofs(tx: Transaction<DB>, workspaceId: string, customerId: number) {
  const { rows } = await sql<{
    kind: 'email' | 'phone';
    value: string;
  }>`select kind, value from customer_identity
    where workspace_id = ${workspaceId} and customer_id = ${customerId} and kind in ('email', 'phone')`.execute(
    tx,
  );
  return {
    emails: rows.filter((r) => r.kind === 'email').map((r) => r.value),
    last4: rows.filter((r) => r.kind === 'phone').map((r) => r.value.replace(/\D/g, '').slice(-4)),
  };
}

async function wrongProofs(tx: Transaction<DB>, workspaceId: string, orderId: number, now: Date) {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from liff_insert_attempt
    where workspace_id = ${workspaceId} and order_id = ${orderId}
      and failed_at > ${new Date(now.getTime() - ATTEMPT_WINDOW_MS)}`.execute(tx);
  return rows[0]!.n;
}

/** Grants the workspace's insert coupon, if one is configured; a template's limit is an answer. */
async function grantInsertCoupon(
  tx: Transaction<DB>,
  member: MemberPrincipal,
  customerId: number,
  orderId: number,
  now: Date,
): Promise<Pick<InsertClaim, 'coupon' | 'couponRefused'> & { couponId: number | null }> {
  const { rows } = await sql<{ coupon_template_id: number | null; name: string }>`
    select s.coupon_template_id, t.name from liff_insert_setting s
    join coupon_template t on t.workspace_id = s.workspace_id and t.id = s.coupon_template_id
    where s.workspace_id = ${member.workspaceId}`.execute(tx);
  const setting = rows[0];
  if (!setting?.coupon_template_id) return { coupon: null, couponRefused: null, couponId: null };
  await lockMember(tx, member.workspaceId, customerId);
  try {
    const coupon = await grantCouponInTx(tx, member.workspaceId, {
      templateId: Number(setting.coupon_template_id),
      customerId,
      source: 'insert_qr',
      actor: `liff:${member.lineUserId}`,
      grantKey: `insert:${orderId}`,
      at: now,
    });
    const validUntil = coupon.valid_until ? new Date(coupon.valid_until).toISOString() : null;
    return {
      coupon: { code: coupon.code, name: setting.name, validUntil },
      couponRefused: null,
      couponId: Number(coupon.id),
    };
  } catch (error) {
    // The template's refusals (inactive, limits, tiers) are decided in JavaScript before any
    // failing statement, so the transaction is still good: the claim stands without a coupon.
    if (!(error instanceof DomainError) || error.code !== 'conflict') throw error;
    return { coupon: null, couponRefused: error.message, couponId: null };
  }
}

async function claimInTx(
  tx: Transaction<DB>,
  member: MemberPrincipal,
  orderId: number,
  input: InsertClaimInput,
  now: Date,
  publish: Publish | undefined,
): Promise<Outcome> {
  const ws = member.workspaceId;
  // The order row's lock serialises two scans of one slip: the second sees the first's claim.
  const order = await tx
    .selectFrom('customer_order')
    .select(['id', 'external_id', 'customer_id'])
    .where('workspace_id', '=', ws)
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!order) throw invalid([{ path: 'token', message: NOT_OURS }]);
  const orderNumber = order.external_id;
  const claimed =
    await sql`select 1 from liff_insert_claim where workspace_id = ${ws} and order_id = ${orderId}`.execute(
      tx,
    );
  if (claimed.rows.length)
    return { status: 'already_claimed', orderNumber, coupon: null, couponRefused: null };
  const failures = await wrongProofs(tx, ws, orderId, now);
  if (failures >= MAX_WRONG_PROOFS)
    throw new DomainError('rate_limited', `too many wrong answers for this order; try again tomorrow`, [], {
      retryAfterSeconds: ATTEMPT_WINDOW_MS / 1000,
      reason: 'insert_attempts_exceeded',
    });
  const orderCustomer = await liveCustomerId(tx, ws, Number(order.customer_id));
  if (orderCustomer === undefined) throw notFound(`order ${orderNumber}`);
  const known = await proofs(tx, ws, orderCustomer);
  if (!known.emails.length && !known.last4.length)
    throw new DomainError(
      'conflict',
      'this order has no email address or phone number to check; ask the shop',
      [],
      {
        reason: 'insert_no_proof',
      },
    );
  const email = input.email === undefined ? undefined : normaliseEmail(input.email);
  const ok =
    (email !== undefined && known.emails.includes(email)) ||
    (input.phoneLast4 !== undefined && known.last4.includes(input.phoneLast4));
  if (!ok) {
    await sql`insert into liff_insert_attempt (workspace_id, order_id, line_user_id, failed_at)
      values (${ws}, ${orderId}, ${member.lineUserId}, ${now})`.execute(tx);
    return { wrongProof: MAX_WRONG_PROOFS - failures - 1 };
  }
  const { survivorId, mergedIds } = await mergeCustomers(tx, ws, [member.customerId, orderCustomer], {
    identities: [{ kind: 'line', namespace: '', value: member.lineUserId }],
    source: 'liff_insert_qr',
  });
  if (mergedIds.length)
    await publish?.(tx, 'customers.changed', { workspaceId: ws, customerIds: [survivorId, ...mergedIds] });
  const { couponId, ...granted } = await grantInsertCoupon(tx, member, survivorId, orderId, now);
  await sql`insert into liff_insert_claim (workspace_id, order_id, customer_id, line_user_id, coupon_id, claimed_at)
    values (${ws}, ${orderId}, ${survivorId}, ${member.lineUserId}, ${couponId}, ${now})`.execute(tx);
  return { status: 'claimed', orderNumber, ...granted };
}

/** POST /v1/liff/me/insert-claims. */
export async function claimInsert(
  db: Kysely<DB>,
  secrets: SecretBox,
  member: MemberPrincipal,
  input: InsertClaimInput,
  now: Date,
  publish?: Publish,
): Promise<InsertClaim> {
  if (input.email === undefined && input.phoneLast4 === undefined)
    throw invalid([{ path: 'email', message: "give the order's email address, or phoneLast4" }]);
  const orderId = verifyInsertToken(await linkKey(db, secrets, member.workspaceId), input.token);
  if (orderId === undefined) throw invalid([{ path: 'token', message: NOT_OURS }]);
  const outcome = await transact(db, (tx) => claimInTx(tx, member, orderId, input, now, publish));
  // The wrong answer is counted (committed) before it is refused.
  if ('wrongProof' in outcome)
    throw new DomainError(
      'invalid',
      `the email address or phone digits do not match this order (${outcome.wrongProof} tries left today)`,
      [{ path: input.email === undefined ? 'phoneLast4' : 'email', message: 'does not match this order' }],
      { reason: 'insert_proof_mismatch' },
    );
  return outcome;
}
