// The till (staff) API: scan a membership card → the customer's summary; then stamp, earn,
// redeem points and redeem a coupon in one call, in one transaction, idempotently by the till's
// key (a retried call returns the stored response and changes nothing).
import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { liveCustomerId } from '../customers/get-customer.ts';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { DomainError, invalid, notFound } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { type RedeemedCoupon, redeemCouponInTx, type UsableCoupon, usableCoupons } from './coupons.ts';
import { ledgerEntryView, lotView } from './loyalty-views.ts';
import { verifyCardPayload } from './member-card.ts';
import { lockMember } from './members.ts';
import { computeOrderPoints } from './order-points.ts';
import { type EntryResult, earnInTx, listLedger, listLots, redeemInTx } from './points-ledger.ts';
import { loadRules } from './rules.ts';
import { activeStampCards, addStampsInTx, listStampCardTemplates, type StampResult } from './stamp-cards.ts';

/**
 * A member's ledger (newest first) and open lots. A customer who is not in the workspace is a
 * 404, as for the summary: an empty ledger would read as "a member with no points yet". A
 * merged-away id answers with its survivor's ledger, as the customer API does, and says so in
 * `mergedInto` (its points, lots and a `merge` entry are there).
 */
export async function memberLedger(db: Kysely<DB>, workspaceId: string, customerId: number) {
  const live = await liveCustomerId(db, workspaceId, customerId);
  if (live === undefined) throw notFound(`customer ${customerId}`);
  return {
    customerId: live,
    mergedInto: live === customerId ? null : live,
    entries: (await listLedger(db, workspaceId, live)).map(ledgerEntryView),
    lots: (await listLots(db, workspaceId, live)).map(lotView),
  };
}

export interface MemberSummary {
  customerId: number;
  /** Set when the id asked for was merged away: the summary is the survivor's. */
  mergedInto: number | null;
  memberNo: string | null;
  name: string | null;
  /** The name's reading (katakana as registered), so staff can say it right. */
  nameKana: string | null;
  tier: {
    code: string;
    name: string;
    /** The tier's benefits, for "your benefits" in the console and the LIFF app. */
    perks: { nameJa: string; nameEn: string | null; couponTemplateId: number | null }[];
  } | null;
  points: number;
  pointsExpiringSoon: { points: number; firstExpiry: string | null };
  stamps: { templateId: number; name: string; stamps: number; required: number }[];
  coupons: {
    code: string;
    name: string;
    kind: UsableCoupon['kind'];
    value: number;
    freeItem: string | null;
    minSpend: number;
    validUntil: string | null;
  }[];
}

/**
 * A member's name, tier, points, stamps and usable coupons. A merged-away id answers with its
 * survivor's summary and says so in `mergedInto`, as the ledger does.
 */
export async function memberSummary(
  db: Kysely<DB> | Transaction<DB>,
  workspaceId: string,
  customerId: number,
  at = new Date(),
): Promise<MemberSummary> {
  const { rows } = await sql<{
    merged_into_id: number | null;
    family_name: string | null;
    given_name: string | null;
    family_name_kana: string | null;
    given_name_kana: string | null;
    member_no: string | null;
    balance: number | null;
    tier_code: string | null;
  }>`
    select c.merged_into_id, c.family_name, c.given_name, c.family_name_kana, c.given_name_kana, m.member_no, m.balance, m.tier_code
    from customer c left join loyalty_member m on m.workspace_id = c.workspace_id and m.customer_id = c.id
    where c.workspace_id = ${workspaceId} and c.id = ${customerId}`.execute(db);
  const row = rows[0];
  if (!row) throw notFound(`customer ${customerId}`);
  if (row.merged_into_id !== null) {
    const survivor = await memberSummary(db, workspaceId, Number(row.merged_into_id), at);
    return { ...survivor, mergedInto: survivor.customerId };
  }
  const rules = await loadRules(db, workspaceId);
  const tier = rules.tiers.find((t) => t.code === row.tier_code);
  const soon = new Date(at.getTime() + rules.expiringSoonDays * 86_400_000);
  const expiring = await sql<{
    points: number;
    first: Date | null;
  }>`select coalesce(sum(remaining), 0)::bigint as points, min(expires_at) as first
    from point_lot where workspace_id = ${workspaceId} and customer_id = ${customerId} and remaining > 0 and expires_at <= ${soon}`.execute(
    db,
  );
  return {
    customerId,
    mergedInto: null,
    memberNo: row.member_no,
    name: [row.family_name, row.given_name].filter(Boolean).join(' ') || null,
    nameKana: [row.family_name_kana, row.given_name_kana].filter(Boolean).join(' ') || null,
    tier: tier
      ? {
          code: tier.code,
          name: tier.name,
          perks: (tier.perks ?? []).map((p) => ({
            nameJa: p.nameJa,
            nameEn: p.nameEn ?? null,
            couponTemplateId: p.couponTemplateId ?? null,
          })),
        }
      : null,
    points: row.balance ?? 0,
    pointsExpiringSoon: {
      points: Number(expiring.rows[0]!.points),
      firstExpiry: expiring.rows[0]!.first?.toISOString() ?? null,
    },
    stamps: (await activeStampCards(db, workspaceId, customerId)).map((s) => ({
      templateId: s.template_id,
      name: s.name,
      stamps: s.stamps,
      required: s.required,
    })),
    coupons: (await usableCoupons(db, workspaceId, customerId, at)).map((c) => ({
      code: c.code,
      name: c.name,
      kind: c.kind,
      value: c.value,
      freeItem: c.free_item,
      minSpend: c.min_spend,
      validUntil: c.valid_until?.toISOString() ?? null,
    })),
  };
}

export async function scanCard(
  db: Kysely<DB>,
  workspaceId: string,
  qr: string,
  secrets: SecretBox,
  at = new Date(),
) {
  const { customerId } = await verifyCardPayload(db, workspaceId, qr, secrets, at);
  return memberSummary(db, workspaceId, customerId, at);
}

export interface TillInput {
  idempotencyKey: string;
  /** The scanned card payload, or (API clients that know the customer) customerId. */
  qr?: string;
  customerId?: number;
  storeCode?: string;
  /** The sale's total in yen: the basis for earning and for coupon minimum spend. */
  orderTotal?: number;
  /** Add stamps: to the given card, else to the first active per-visit card. */
  stamp?: { templateId?: number; count?: number };
  /** Earn points on orderTotal under the earn rules. */
  earn?: boolean;
  redeemPoints?: number;
  couponCode?: string;
  /** The shop's id of the sale's order, when known: a next-purchase coupon is refused on its own order. */
  orderExternalId?: string;
}

export interface TillResult {
  customerId: number;
  stamp: StampResult | null;
  earned: EntryResult | null;
  redeemed: EntryResult | null;
  coupon: RedeemedCoupon | null;
  summary: MemberSummary;
  replayed: boolean;
}

export async function tillTransaction(
  db: Kysely<DB>,
  workspaceId: string,
  input: TillInput,
  context: { actor: string; secrets: SecretBox; at?: Date },
): Promise<TillResult> {
  const at = context.at ?? new Date();
  if (input.earn && input.orderTotal === undefined)
    throw invalid([{ path: 'orderTotal', message: 'is required to earn points' }]);
  const requestHash = createHash('sha256')
    .update(JSON.stringify({ ...input, qr: undefined }))
    .digest('hex');
  // A retry may carry a fresher QR payload, so the card is resolved (and verified) every time.
  const customerId = input.qr
    ? (await verifyCardPayload(db, workspaceId, input.qr, context.secrets, at)).customerId
    : input.customerId;
  if (customerId === undefined)
    throw invalid([{ path: 'qr', message: 'scan the membership card (qr) or give customerId' }]);
  return transact(db, async (tx) => {
    // Claims the key first: a concurrent call with the same key waits here for this one to commit.
    const claimed =
      await sql`insert into till_operation (workspace_id, idempotency_key, request_hash, response, actor)
      values (${workspaceId}, ${input.idempotencyKey}, ${requestHash}, '{}'::jsonb, ${context.actor})
      on conflict (workspace_id, idempotency_key) do nothing returning idempotency_key`.execute(tx);
    if (!claimed.rows.length) {
      const { rows } = await sql<{
        request_hash: string;
        response: TillResult;
      }>`select request_hash, response from till_operation
        where workspace_id = ${workspaceId} and idempotency_key = ${input.idempotencyKey}`.execute(tx);
      if (rows[0]!.request_hash !== requestHash)
        throw new DomainError(
          'conflict',
          'this idempotency key was already used for a different till operation',
        );
      return { ...rows[0]!.response, replayed: true };
    }
    await lockMember(tx, workspaceId, customerId);
    const rules = await loadRules(tx, workspaceId);
    const key = `till:${input.idempotencyKey}`;
    let stamp: StampResult | null = null;
    if (input.stamp) {
      const templateId =
        input.stamp.templateId ??
        (await listStampCardTemplates(tx, workspaceId)).find((t) => t.active && t.stamp_per === 'visit')?.id;
      if (!templateId)
        throw invalid([{ path: 'stamp.templateId', message: 'no active per-visit stamp card; name one' }]);
      stamp = await addStampsInTx(tx, workspaceId, {
        templateId,
        customerId,
        stamps: input.stamp.count ?? 1,
        source: 'till',
        actor: context.actor,
        idempotencyKey: key,
        at,
      });
    }
    let earned: EntryResult | null = null;
    if (input.earn) {
      const member = await lockMember(tx, workspaceId, customerId);
      const store = input.storeCode ?? null;
      const { points, eligible, multiplier } = computeOrderPoints(
        rules,
        { total: input.orderTotal!, refunded_amount: 0, ordered_at: at, store_code: store },
        [],
        member.tier_code,
      );
      if (points > 0)
        earned = await earnInTx(tx, workspaceId, {
          customerId,
          points,
          actor: context.actor,
          reason: 'till sale',
          idempotencyKey: `${key}:earn`,
          earnedAt: at,
          validityMonths: rules.lotValidityMonths,
          detail: { eligible, multiplier, storeCode: store },
        });
    }
    const redeemed = input.redeemPoints
      ? await redeemInTx(tx, workspaceId, {
          customerId,
          points: input.redeemPoints,
          actor: context.actor,
          idempotencyKey: `${key}:redeem`,
          reason: 'till',
          ...(input.storeCode ? { storeCode: input.storeCode } : {}),
          at,
        })
      : null;
    const coupon = input.couponCode
      ? await redeemCouponInTx(tx, workspaceId, {
          code: input.couponCode,
          actor: context.actor,
          customerId,
          idempotencyKey: key,
          at,
          ...(input.storeCode ? { storeCode: input.storeCode } : {}),
          ...(input.orderTotal !== undefined ? { orderTotal: input.orderTotal } : {}),
          ...(input.orderExternalId !== undefined ? { orderExternalId: input.orderExternalId } : {}),
        })
      : null;
    const result: TillResult = {
      customerId,
      stamp,
      earned,
      redeemed,
      coupon,
      summary: await memberSummary(tx, workspaceId, customerId, at),
      replayed: false,
    };
    await sql`update till_operation set response = ${JSON.stringify(result)}::jsonb
      where workspace_id = ${workspaceId} and idempotency_key = ${input.idempotencyKey}`.execute(tx);
    return result;
  });
}
