// Single-use coupon redemption in one statement: the conditional UPDATE (`… where status =
// 'active'` and every condition the coupon sets) and its coupon_event row, one round trip. When
// two tills send the same code at once, PostgreSQL makes the second wait for the first and then
// re-checks `status = 'active'` on the row as the first left it, so exactly one succeeds.
// The statement also returns the coupon as its snapshot saw it; when nothing was redeemed, the
// same checks run again in TypeScript on that row to say which condition failed. The same
// statement appends the `loyalty.coupon_redeemed` domain event.
import { type Kysely, sql, type Transaction } from 'kysely';
import { prepared } from '../db/prepared-statements.ts';
import type { DB } from '../db/schema.ts';
import { insertSelectedEvents } from '../domain-events/append-select.ts';
import { DomainError, invalid, notFound } from '../shared/domain-error.ts';
import { normalizeCouponCode } from './coupon-code.ts';
import type { Coupon, CouponKind } from './coupon-types.ts';
import { type LoyaltyRules, loadRules, tierRestrictionText } from './rules.ts';

export interface RedeemCouponInput {
  code: string;
  actor: string;
  storeCode?: string;
  orderTotal?: number;
  /** A retried redemption with the same key succeeds again instead of failing as "already used". */
  idempotencyKey?: string;
  /** When set (a scanned member card), the coupon must belong to this customer. */
  customerId?: number;
  /**
   * The order the coupon is used on (the shop's order id), when the till knows it: a next-purchase
   * coupon is refused on the order that granted it.
   */
  orderExternalId?: string;
  at?: Date;
}

export interface RedeemedCoupon {
  couponId: number;
  code: string;
  customerId: number;
  name: string;
  kind: CouponKind;
  /** Yen off for this order when the order total is known (0 for a free item). */
  discount: number | null;
  freeItem: string | null;
  replayed: boolean;
}

type CouponRow = Pick<
  Coupon,
  'id' | 'code' | 'customer_id' | 'status' | 'valid_from' | 'valid_until' | 'redemption_key'
> & {
  name: string;
  kind: CouponKind;
  value: number;
  free_item: string | null;
  min_spend: number;
  store_codes: string[];
  tier_codes: string[];
  /** The member's tier now (redemption checks a tier-restricted coupon against it). */
  member_tier: string | null;
  granted_order_id: number | null;
  granted_order_external_id: string | null;
  redeemed: boolean;
};

/**
 * Redeems a coupon once. One statement, so it needs no transaction of its own; the till runs it
 * inside its transaction with the member's other changes.
 */
export async function redeemCouponInTx(
  tx: Transaction<DB> | Kysely<DB>,
  workspaceId: string,
  input: RedeemCouponInput,
): Promise<RedeemedCoupon> {
  const code = normalizeCouponCode(input.code);
  const at = input.at ?? new Date();
  const store = input.storeCode ?? null;
  const orderId = input.orderExternalId ?? null;
  const { rows } = await prepared(
    'loyalty.redeem_coupon',
    sql<CouponRow>`
    with c as (
      select c.id, c.code, c.customer_id, c.status, c.valid_from, c.valid_until, c.redemption_key,
        t.name, t.kind, t.value, t.free_item, t.min_spend, t.store_codes, t.tier_codes,
        m.tier_code as member_tier, c.granted_order_id, g.external_id as granted_order_external_id
      from coupon c join coupon_template t on t.workspace_id = c.workspace_id and t.id = c.template_id
        left join loyalty_member m on m.workspace_id = c.workspace_id and m.customer_id = c.customer_id
        left join customer_order g on g.workspace_id = c.workspace_id and g.id = c.granted_order_id
      where c.workspace_id = ${workspaceId} and c.code = ${code}),
    u as (
      update coupon k set status = 'redeemed', redeemed_at = ${at}, redeemed_by = ${input.actor},
        redeemed_store_code = ${store}::text, redemption_key = ${input.idempotencyKey ?? null}::text
      from c
      where k.workspace_id = ${workspaceId} and k.id = c.id and k.status = 'active'
        and (${input.customerId ?? null}::bigint is null or c.customer_id = ${input.customerId ?? null}::bigint)
        and c.valid_from <= ${at} and (c.valid_until is null or c.valid_until > ${at})
        and (cardinality(c.store_codes) = 0 or ${store}::text = any (c.store_codes))
        and (c.min_spend = 0 or ${input.orderTotal ?? null}::bigint >= c.min_spend)
        and (cardinality(c.tier_codes) = 0 or c.member_tier = any (c.tier_codes))
        and (${orderId}::text is null or c.granted_order_external_id is distinct from ${orderId}::text)
      returning k.id),
    e as (
      insert into coupon_event (workspace_id, coupon_id, kind, actor, reason, store_code)
      select ${workspaceId}::uuid, u.id, 'redeemed', ${input.actor}, null, ${store}::text from u),
    d as (${redeemedEvent(workspaceId, store, at)})
    select c.*, exists (select 1 from u) as redeemed from c`,
  ).execute(tx);
  const c = rows[0];
  if (!c || (input.customerId !== undefined && c.customer_id !== input.customerId))
    throw notFound(`coupon ${code}`);
  if (c.redeemed) return redemption(c, input, false);
  // Only a tier refusal needs the rules (the tiers' names for the message).
  const rules = c.tier_codes.length ? await loadRules(tx, workspaceId) : undefined;
  return refusal(c, input, at, rules);
}

/** The statement's `loyalty.coupon_redeemed` domain event, appended when (and only when) it redeemed. */
function redeemedEvent(workspaceId: string, store: string | null, at: Date) {
  return insertSelectedEvents(workspaceId, {
    type: 'loyalty.coupon_redeemed',
    from: sql`u join c on c.id = u.id`,
    customerId: sql<number>`c.customer_id`,
    payload: {
      couponId: sql<number>`c.id`,
      name: sql<string>`c.name`,
      storeCode: sql<string | null>`${store}::text`,
    },
    occurredAt: sql<Date>`${at}::timestamptz`,
  });
}

export async function redeemCoupon(
  db: Kysely<DB>,
  workspaceId: string,
  input: RedeemCouponInput,
): Promise<RedeemedCoupon> {
  return redeemCouponInTx(db, workspaceId, input);
}

/** 2026-12-06 21:05 as Japan reads it (JST has no daylight saving). */
function jstMinute(at: Date): string {
  return new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

function redemption(c: CouponRow, input: RedeemCouponInput, replayed: boolean): RedeemedCoupon {
  return {
    couponId: c.id,
    code: c.code,
    customerId: c.customer_id,
    name: c.name,
    kind: c.kind,
    discount:
      input.orderTotal === undefined
        ? null
        : c.kind === 'amount_off'
          ? Math.min(c.value, input.orderTotal)
          : c.kind === 'percent_off'
            ? Math.floor((input.orderTotal * c.value) / 100)
            : 0,
    freeItem: c.free_item,
    replayed,
  };
}

/**
 * Why the statement redeemed nothing, from the row it saw: the replay of a redemption with the
 * same key, or the condition that failed. When every condition held on that row, a concurrent
 * till redeemed the coupon between the snapshot and the update.
 */
function refusal(c: CouponRow, input: RedeemCouponInput, at: Date, rules?: LoyaltyRules): RedeemedCoupon {
  const code = c.code;
  if (c.status === 'redeemed' && input.idempotencyKey && c.redemption_key === input.idempotencyKey)
    return redemption(c, input, true);
  if (c.status === 'redeemed') throw new DomainError('conflict', `coupon ${code} has already been used`);
  if (c.status === 'revoked') throw new DomainError('conflict', `coupon ${code} has been revoked`);
  if (c.granted_order_id !== null && input.orderExternalId !== undefined)
    if (c.granted_order_external_id === input.orderExternalId)
      throw new DomainError(
        'conflict',
        `クーポン ${code} はこのご注文（${input.orderExternalId}）で発行された次回用クーポンです。次回以降のお買い物でご利用ください`,
        [],
        { reason: 'coupon_granting_order' },
      );
  if (c.valid_from > at)
    throw new DomainError(
      'conflict',
      c.granted_order_id !== null
        ? `クーポン ${code} は次回用クーポンです。${jstMinute(c.valid_from)} からご利用いただけます`
        : `coupon ${code} is not valid until ${c.valid_from.toISOString()}`,
      [],
      { reason: 'coupon_not_yet_valid' },
    );
  if (rules && !(c.member_tier !== null && c.tier_codes.includes(c.member_tier)))
    throw new DomainError(
      'conflict',
      `クーポン ${code} は${tierRestrictionText(rules, c.tier_codes, c.member_tier)}`,
      [],
      { reason: 'coupon_tier_restricted' },
    );
  if (c.valid_until && c.valid_until <= at)
    throw new DomainError('conflict', `coupon ${code} expired at ${c.valid_until.toISOString()}`);
  if (c.store_codes.length && !(input.storeCode && c.store_codes.includes(input.storeCode)))
    throw new DomainError('conflict', `coupon ${code} is only valid at stores ${c.store_codes.join(', ')}`);
  if (c.min_spend > 0) {
    if (input.orderTotal === undefined)
      throw invalid([
        { path: 'orderTotal', message: `is required: the coupon needs a minimum spend of ¥${c.min_spend}` },
      ]);
    if (input.orderTotal < c.min_spend)
      throw new DomainError('conflict', `coupon ${code} needs a minimum spend of ¥${c.min_spend}`);
  }
  throw new DomainError('conflict', `coupon ${code} has already been used`);
}
