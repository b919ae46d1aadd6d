// What a member reads about themself in the LIFF app. Every function takes the session's
// customer and workspace and reads nothing else: there is no parameter through which a member
// could name another customer, and a coupon code that is not theirs is "not found", exactly as a
// code that does not exist (no oracle for guessing codes).
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { CouponKind } from '../loyalty/coupons.ts';
import { getCoupon } from '../loyalty/coupons.ts';
import { issueCardPayload } from '../loyalty/member-card.ts';
import { activeStampCards, listStampCardTemplates } from '../loyalty/stamp-cards.ts';
import { memberSummary } from '../loyalty/till.ts';
import { DomainError, notFound } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { qrRows } from './qr-modules.ts';

export interface Member {
  workspaceId: string;
  customerId: number;
}

/** The app shows a fresh code this long before the old one expires. */
const REFRESH_MARGIN_S = 30;

/**
 * The membership card: member number, tier, points, and a freshly signed QR payload (the one the
 * till's scan accepts) with its expiry and the instant the app should fetch the next one.
 */
export async function memberCard(db: Kysely<DB>, secrets: SecretBox, member: Member, now: Date) {
  const card = await issueCardPayload(db, member.workspaceId, member.customerId, secrets, now);
  const summary = await memberSummary(db, member.workspaceId, member.customerId, now);
  const lifetime = card.expiresAt.getTime() - card.issuedAt.getTime();
  const refreshAfter = new Date(
    card.issuedAt.getTime() + Math.max(lifetime / 2, lifetime - REFRESH_MARGIN_S * 1000),
  );
  return {
    memberNo: card.memberNo,
    name: summary.name,
    tier: summary.tier,
    points: summary.points,
    qr: {
      payload: card.payload,
      modules: qrRows(card.payload),
      issuedAt: card.issuedAt.toISOString(),
      expiresAt: card.expiresAt.toISOString(),
      refreshAfter: refreshAfter.toISOString(),
    },
  };
}

export const POINTS_PAGE_MAX = 100;

/** Balance, points expiring soon, and the ledger newest first, a page at a time (`before` an entry id). */
export async function memberPoints(
  db: Kysely<DB>,
  member: Member,
  page: { before?: number | undefined; limit: number },
  now: Date,
) {
  const summary = await memberSummary(db, member.workspaceId, member.customerId, now);
  const { rows } = await sql<{
    id: number;
    kind: string;
    points: number;
    balance_after: number;
    reason: string | null;
    created_at: Date;
  }>`
    select id, kind, points, balance_after, reason, created_at from point_entry
    where workspace_id = ${member.workspaceId} and customer_id = ${member.customerId}
      and (${page.before ?? null}::bigint is null or id < ${page.before ?? null}::bigint)
    order by id desc limit ${page.limit + 1}`.execute(db);
  const entries = rows.slice(0, page.limit);
  return {
    balance: summary.points,
    expiringSoon: summary.pointsExpiringSoon,
    // Staff names and internal details (`actor`, `detail`) stay in the console.
    history: entries.map((e) => ({
      id: Number(e.id),
      kind: e.kind,
      points: Number(e.points),
      balanceAfter: Number(e.balance_after),
      reason: e.reason,
      createdAt: e.created_at.toISOString(),
    })),
    nextBefore: rows.length > page.limit ? Number(entries.at(-1)!.id) : null,
  };
}

/** The workspace's active stamp cards with the member's progress and the rewards on each. */
export async function memberStampCards(db: Kysely<DB>, member: Member) {
  const cards = await activeStampCards(db, member.workspaceId, member.customerId);
  const templates = new Map(
    (await listStampCardTemplates(db, member.workspaceId)).map((t) => [Number(t.id), t]),
  );
  return cards.map((c) => ({
    templateId: Number(c.template_id),
    name: c.name,
    stamps: c.stamps,
    required: c.required,
    rewards: (templates.get(Number(c.template_id))?.rewards ?? []).map((r) => ({ at: r.at })),
  }));
}

export type CouponState = 'usable' | 'used' | 'expired';

interface CouponRow {
  code: string;
  name: string;
  description: string;
  kind: CouponKind;
  value: number;
  free_item: string | null;
  min_spend: number;
  status: 'active' | 'redeemed' | 'revoked';
  valid_from: Date;
  valid_until: Date | null;
  redeemed_at: Date | null;
}

/** used: redeemed; expired: past its validity or revoked; usable: the rest (perhaps from a later day). */
function stateOf(c: Pick<CouponRow, 'status' | 'valid_until'>, now: Date): CouponState {
  if (c.status === 'redeemed') return 'used';
  if (c.status === 'revoked' || (c.valid_until !== null && c.valid_until <= now)) return 'expired';
  return 'usable';
}

function couponView(c: CouponRow, now: Date) {
  return {
    code: c.code,
    name: c.name,
    description: c.description,
    kind: c.kind,
    value: c.value,
    freeItem: c.free_item,
    minSpend: c.min_spend,
    state: stateOf(c, now),
    validFrom: c.valid_from.toISOString(),
    validUntil: c.valid_until?.toISOString() ?? null,
    usedAt: c.redeemed_at?.toISOString() ?? null,
  };
}

export const COUPONS_MAX = 200;

/** The member's coupons in one state (or all), soonest to expire first. */
export async function memberCoupons(
  db: Kysely<DB>,
  member: Member,
  state: CouponState | undefined,
  now: Date,
) {
  const { rows } = await sql<CouponRow>`
    select c.code, t.name, t.description, t.kind, t.value, t.free_item, t.min_spend, c.status, c.valid_from,
      c.valid_until, c.redeemed_at
    from coupon c join coupon_template t on t.workspace_id = c.workspace_id and t.id = c.template_id
    where c.workspace_id = ${member.workspaceId} and c.customer_id = ${member.customerId}
    order by c.valid_until nulls last, c.id desc limit ${COUPONS_MAX}`.execute(db);
  const views = rows.map((c) => couponView(c, now));
  return state === undefined ? views : views.filter((c) => c.state === state);
}

/** One of the member's coupons, with the code the till redeems (shown as text and as a QR). */
export async function memberCoupon(db: Kysely<DB>, member: Member, code: string, now: Date) {
  let coupon: Awaited<ReturnType<typeof getCoupon>>;
  try {
    coupon = await getCoupon(db, member.workspaceId, code);
  } catch (error) {
    // The same answer as for another member's code: the message must not echo the code.
    if (error instanceof DomainError && error.code === 'not_found') throw notFound('coupon');
    throw error;
  }
  if (Number(coupon.customer_id) !== member.customerId) throw notFound('coupon');
  return { ...couponView(coupon, now), qr: coupon.code };
}
